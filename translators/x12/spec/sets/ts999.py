"""999 Implementation Acknowledgment (005010 only).

ST, AK1, the AK2 loop (AK2, the IK3 loop with CTX and the IK4 loop with its CTX, IK5), AK9, SE.
The 999 first appears in 005010; there is no 004010 spec.

Sources (facts only, no code copied):
- pyx12 4.0.0 (BSD) pyx12/map/999.5010.xml (loops 2000/2100/2110, repeats, CTX max use 10).
- https://www.kasoftware.com/schema/edi/x12/00501/segments/IK3/,
  https://zenbridge.io/edi-dictionary/X12/5010/segment/IK5,
  https://chiapas-edi.org/wp-content/uploads/2020/08/5010_999_A1.html (segment order).
"""

from __future__ import annotations

from translators.x12.spec.model import UNBOUNDED as U
from translators.x12.spec.model import M, loop, s
from translators.x12.spec.sets import make_spec

__all__ = ["SPEC_005010", "STRUCTURE"]

STRUCTURE = (
    s("ST", M),
    s("AK1", M),
    loop(
        "AK2",
        U,
        s("AK2", M),
        loop(
            "IK3",
            U,
            s("IK3", M),
            s("CTX", max_use=10),
            loop("IK4", U, s("IK4", M), s("CTX", max_use=10)),
        ),
        s("IK5", M),
    ),
    s("AK9", M),
    s("SE", M),
)

SPEC_005010 = make_spec(
    set_id="999",
    version="005010",
    functional_id="FA",
    name="Implementation Acknowledgment",
    structure=STRUCTURE,
    source="ASC X12 005010 999 table; see the module docstring for the public references used",
)
