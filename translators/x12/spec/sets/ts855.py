"""855 Purchase Order Acknowledgment (004010, 005010).

The full standard table (heading, the PO1 detail loop with its ACK loop, summary CTT loop).

Sources (facts only, no code copied):
- denis-peshkov/EdiEngine (MIT), https://github.com/denis-peshkov/EdiEngine, files
  EdiStandards/X12_004010/Maps/M_855.cs and EdiStandards/X12_005010/Maps/M_855.cs (same table).
- Segment definitions and counts: https://www.stedi.com/edi/x12-004010/segment/BAK,
  https://internal.dcsnewyork.com/tech/edi/x12/855/0201BAK.htm,
  https://www.kasoftware.com/schema/edi/x12/00403/segments/BAK/.
"""

from __future__ import annotations

from translators.x12.spec.model import UNBOUNDED as U
from translators.x12.spec.model import M, loop, s
from translators.x12.spec.sets import make_spec

__all__ = ["SPEC_004010", "SPEC_005010", "STRUCTURE"]

_CARRIER = (
    s("TD1", max_use=2),
    s("TD5", max_use=12),
    s("TD3", max_use=12),
    s("TD4", max_use=5),
)

_HEADING = (
    s("ST", M),
    s("BAK", M),
    s("CUR"),
    s("REF", max_use=U),
    s("PER", max_use=3),
    s("TAX", max_use=U),
    s("FOB", max_use=U),
    s("CTP", max_use=U),
    s("PAM", max_use=10),
    s("CSH"),
    loop("SAC", 25, s("SAC", M), s("CUR")),
    s("ITD", max_use=5),
    s("DIS", max_use=20),
    s("INC"),
    s("DTM", max_use=10),
    s("LDT", max_use=12),
    s("LIN", max_use=5),
    s("SI", max_use=U),
    s("PID", max_use=200),
    s("MEA", max_use=40),
    s("PWK", max_use=25),
    s("PKG", max_use=25),
    *_CARRIER,
    s("MAN", max_use=10),
    s("TXI", max_use=U),
    s("CTB", max_use=U),
    loop("N9", 1000, s("N9", M), s("DTM", max_use=U), s("MSG", max_use=1000)),
    loop(
        "N1",
        200,
        s("N1", M),
        s("N2", max_use=2),
        s("N3", max_use=2),
        s("N4"),
        s("NX2", max_use=U),
        s("REF", max_use=12),
        s("PER", max_use=U),
        s("SI", max_use=U),
        s("FOB"),
        *_CARRIER,
        s("PKG", max_use=25),
        s("MSG", max_use=U),
    ),
    loop("ADV", U, s("ADV", M), s("DTM", max_use=U), s("MTX", max_use=U)),
)

_PO1 = loop(
    "PO1",
    100000,
    s("PO1", M),
    s("LIN", max_use=U),
    s("SI", max_use=U),
    s("CUR"),
    s("PO3", max_use=25),
    s("CTP", max_use=U),
    s("PAM", max_use=10),
    s("MEA", max_use=40),
    loop("PID", 1000, s("PID", M), s("MEA", max_use=10)),
    s("PWK", max_use=25),
    s("PO4", max_use=U),
    s("REF", max_use=U),
    s("PER", max_use=3),
    loop("SAC", 25, s("SAC", M), s("CUR")),
    s("IT8"),
    s("CSH", max_use=U),
    s("ITD", max_use=2),
    s("DIS", max_use=20),
    s("INC"),
    s("TAX", max_use=U),
    s("FOB", max_use=U),
    s("SDQ", max_use=500),
    s("DTM", max_use=10),
    s("LDT", max_use=12),
    s("TD1"),
    s("TD5", max_use=12),
    s("TD3", max_use=12),
    s("TD4", max_use=5),
    loop("ACK", 104, s("ACK", M), s("DTM")),
    s("MAN", max_use=10),
    s("AMT"),
    s("CTB", max_use=U),
    s("TXI", max_use=U),
    loop("QTY", U, s("QTY", M), s("SI", max_use=U)),
    loop("PKG", 200, s("PKG", M), s("MEA", max_use=U)),
    loop("SCH", 200, s("SCH", M), *_CARRIER, s("REF", max_use=U)),
    loop("N9", 1000, s("N9", M), s("DTM", max_use=U), s("MSG", max_use=1000)),
    loop(
        "N1",
        200,
        s("N1", M),
        s("N2", max_use=2),
        s("N3", max_use=2),
        s("N4"),
        s("NX2", max_use=U),
        s("REF", max_use=12),
        s("PER", max_use=3),
        s("SI", max_use=U),
        s("DTM"),
        s("FOB"),
        s("SCH", max_use=200),
        *_CARRIER,
        s("QTY", max_use=U),
        s("PKG", max_use=25),
    ),
    loop(
        "SLN",
        1000,
        s("SLN", M),
        s("MSG", max_use=U),
        s("SI", max_use=U),
        s("PID", max_use=1000),
        s("PO3", max_use=25),
        s("CTP", max_use=25),
        s("PAM", max_use=10),
        s("ACK", max_use=104),
        loop("SAC", 10, s("SAC", M), s("CUR")),
        s("DTM", max_use=10),
        s("PO4"),
        s("TAX", max_use=3),
        s("ADV", max_use=U),
        loop("QTY", U, s("QTY", M), s("SI", max_use=U)),
        loop("N9", U, s("N9", M), s("DTM", max_use=U), s("MSG", max_use=U)),
        loop(
            "N1",
            10,
            s("N1", M),
            s("N2", max_use=2),
            s("N3", max_use=2),
            s("N4"),
            s("NX2", max_use=U),
            s("REF", max_use=12),
            s("PER", max_use=3),
            s("SI", max_use=U),
        ),
    ),
)

STRUCTURE = (
    *_HEADING,
    _PO1,
    loop("CTT", 1, s("CTT", M), s("AMT")),
    s("SE", M),
)

NAME = "Purchase Order Acknowledgment"
SOURCE = "ASC X12 {} 855 table; see the module docstring for the public references used"
SPEC_004010 = make_spec(
    set_id="855",
    version="004010",
    functional_id="PR",
    name=NAME,
    structure=STRUCTURE,
    source=SOURCE.format("004010"),
)
SPEC_005010 = make_spec(
    set_id="855",
    version="005010",
    functional_id="PR",
    name=NAME,
    structure=STRUCTURE,
    source=SOURCE.format("005010"),
)
