"""997 Functional Acknowledgment (004010, 005010).

ST, AK1, the AK2 loop (AK2, the AK3 loop with its AK4s, AK5), AK9, SE. 005010 adds AK103,
AK203 and the third C030 component (AK401-3), which ``segments.py`` carries.

Sources (facts only, no code copied):
- pyx12 4.0.0 (BSD) pyx12/map/997.4010.xml (loop structure, repeats and max use).
- denis-peshkov/EdiEngine (MIT), https://github.com/denis-peshkov/EdiEngine, files
  EdiStandards/X12_004010/Maps/M_997.cs and EdiStandards/X12_005010/Maps/M_997.cs.
- https://www.stedi.com/edi/x12/segment/AK5, https://zenbridge.io/edi-dictionary/X12/4010/segment/AK5,
  http://help.truecommerce.com/en/articles/10697979-x12-ak3-data-segment-note,
  http://help.truecommerce.com/en/articles/10697989-x12-ak4-data-element-note.
"""

from __future__ import annotations

from translators.x12.spec.model import M, loop, s
from translators.x12.spec.sets import make_spec

__all__ = ["SPEC_004010", "SPEC_005010", "STRUCTURE"]

STRUCTURE = (
    s("ST", M),
    s("AK1", M),
    loop(
        "AK2",
        999999,
        s("AK2", M),
        loop("AK3", 999999, s("AK3", M), s("AK4", max_use=99)),
        s("AK5", M),
    ),
    s("AK9", M),
    s("SE", M),
)

NAME = "Functional Acknowledgment"
SOURCE = "ASC X12 {} 997 table; see the module docstring for the public references used"
SPEC_004010 = make_spec(
    set_id="997",
    version="004010",
    functional_id="FA",
    name=NAME,
    structure=STRUCTURE,
    source=SOURCE.format("004010"),
)
SPEC_005010 = make_spec(
    set_id="997",
    version="005010",
    functional_id="FA",
    name=NAME,
    structure=STRUCTURE,
    source=SOURCE.format("005010"),
)
