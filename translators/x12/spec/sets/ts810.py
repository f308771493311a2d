"""810 Invoice (004010, 005010).

The full standard table: heading (BIG, NTE, CUR, REF, ... N1/LM/N9/V1/FA1 loops), the IT1
detail loop with its SAC, SLN, N1, LM, V1 and FA1 loops, and the summary (TDS, TXI, CAD, AMT,
SAC loop, ISS loop, CTT). 005010 adds BIG11 (see ``segments.py``), not positions.

Sources (facts only, no code copied):
- denis-peshkov/EdiEngine (MIT), https://github.com/denis-peshkov/EdiEngine, files
  EdiStandards/X12_004010/Maps/M_810.cs and EdiStandards/X12_005010/Maps/M_810.cs (same table).
- https://zenbridge.io/edi-dictionary/X12/4010/segment/BIG,
  https://doc.chinlinktech.com/x12/005030/segment/BIG (BIG11),
  https://www.stedi.com/edi/x12-004010/segment/{ID} (element counts).
"""

from __future__ import annotations

from translators.x12.spec.model import UNBOUNDED as U
from translators.x12.spec.model import M, loop, s
from translators.x12.spec.sets import make_spec

__all__ = ["SPEC_004010", "SPEC_005010", "STRUCTURE"]


# Loops the standard repeats unchanged in the heading and in the IT1 loop.
_N1 = loop(
    "N1",
    200,
    s("N1", M),
    s("N2", max_use=2),
    s("N3", max_use=2),
    s("N4"),
    s("REF", max_use=12),
    s("PER", max_use=3),
    s("DMG"),
)
_LM = loop("LM", 10, s("LM", M), s("LQ", M, 100))
_V1 = loop("V1", U, s("V1", M), s("R4", max_use=U), s("DTM", max_use=U))
_FA1 = loop("FA1", U, s("FA1", M), s("FA2", M, U))

_HEADING = (
    s("ST", M),
    s("BIG", M),
    s("NTE", max_use=100),
    s("CUR"),
    s("REF", max_use=12),
    s("YNQ", max_use=10),
    s("PER", max_use=3),
    _N1,
    s("ITD", max_use=U),
    s("DTM", max_use=10),
    s("FOB"),
    s("PID", max_use=200),
    s("MEA", max_use=40),
    s("PWK", max_use=25),
    s("PKG", max_use=25),
    s("L7"),
    s("BAL", max_use=U),
    s("INC"),
    s("PAM", max_use=U),
    _LM,
    loop("N9", 1, s("N9", M), s("MSG", M, 10)),
    _V1,
    _FA1,
)

_IT1 = loop(
    "IT1",
    200000,
    s("IT1", M),
    s("CRC"),
    s("QTY", max_use=5),
    s("CUR"),
    s("IT3", max_use=5),
    s("TXI", max_use=10),
    s("CTP", max_use=25),
    s("PAM", max_use=10),
    s("MEA", max_use=40),
    loop("PID", 1000, s("PID", M), s("MEA", max_use=10)),
    s("PWK", max_use=25),
    s("PKG", max_use=25),
    s("PO4"),
    s("ITD", max_use=2),
    s("REF", max_use=U),
    s("YNQ", max_use=10),
    s("PER", max_use=5),
    s("SDQ", max_use=500),
    s("DTM", max_use=10),
    s("CAD", max_use=U),
    s("L7", max_use=U),
    s("SR"),
    loop("SAC", 25, s("SAC", M), s("TXI", max_use=10)),
    loop(
        "SLN",
        1000,
        s("SLN", M),
        s("DTM"),
        s("REF", max_use=U),
        s("PID", max_use=1000),
        s("SAC", max_use=25),
        s("TC2", max_use=2),
        s("TXI", max_use=10),
    ),
    _N1,
    _LM,
    _V1,
    _FA1,
)

STRUCTURE = (
    *_HEADING,
    _IT1,
    s("TDS", M),
    s("TXI", max_use=10),
    s("CAD"),
    s("AMT", max_use=U),
    loop("SAC", 25, s("SAC", M), s("TXI", max_use=10)),
    loop("ISS", U, s("ISS", M), s("PID")),
    s("CTT"),
    s("SE", M),
)

NAME = "Invoice"
SOURCE = "ASC X12 {} 810 table; see the module docstring for the public references used"
SPEC_004010 = make_spec(
    set_id="810",
    version="004010",
    functional_id="IN",
    name=NAME,
    structure=STRUCTURE,
    source=SOURCE.format("004010"),
)
SPEC_005010 = make_spec(
    set_id="810",
    version="005010",
    functional_id="IN",
    name=NAME,
    structure=STRUCTURE,
    source=SOURCE.format("005010"),
)
