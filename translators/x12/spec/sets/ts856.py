"""856 Ship Notice/Manifest (004010, 005010).

Heading (BSN, DTM), the detail HL loop with every segment the standard allows at any
hierarchical level (shipment, order, tare, pack, item ...), and the summary CTT.

Sources (facts only, no code copied):
- denis-peshkov/EdiEngine (MIT), https://github.com/denis-peshkov/EdiEngine, files
  EdiStandards/X12_004010/Maps/M_856.cs and EdiStandards/X12_005010/Maps/M_856.cs (same table).
- https://edi.thebitsilo.com/856/0201BSN.htm (BSN elements and C0706),
  https://www.stedi.com/edi/x12-004010/segment/{ID} (element counts).
"""

from __future__ import annotations

from translators.x12.spec.model import UNBOUNDED as U
from translators.x12.spec.model import M, loop, s
from translators.x12.spec.sets import make_spec

__all__ = ["SPEC_004010", "SPEC_005010", "STRUCTURE"]

_HL = loop(
    "HL",
    200000,
    s("HL", M),
    s("LIN"),
    s("SN1"),
    s("SLN", max_use=1000),
    s("PRF"),
    s("PO4"),
    s("PID", max_use=200),
    s("MEA", max_use=40),
    s("PWK", max_use=25),
    s("PKG", max_use=25),
    s("TD1", max_use=20),
    s("TD5", max_use=12),
    s("TD3", max_use=12),
    s("TD4", max_use=5),
    s("TSD"),
    s("REF", max_use=U),
    s("PER", max_use=3),
    loop(
        "LH1",
        100,
        s("LH1", M),
        s("LH2", max_use=4),
        s("LH3", max_use=12),
        s("LFH", max_use=20),
        s("LEP", max_use=U),
        s("LH4"),
        s("LHT", max_use=3),
        s("LHR", max_use=10),
        s("PER", max_use=5),
        s("LHE"),
    ),
    loop("CLD", 200, s("CLD", M), s("REF", max_use=200), s("DTP")),
    s("MAN", max_use=U),
    s("DTM", max_use=10),
    s("FOB"),
    s("PAL"),
    loop(
        "N1",
        200,
        s("N1", M),
        s("N2", max_use=2),
        s("N3", max_use=2),
        s("N4"),
        s("REF", max_use=12),
        s("PER", max_use=3),
        s("FOB"),
    ),
    s("SDQ", max_use=50),
    s("ETD"),
    s("CUR"),
    loop("SAC", U, s("SAC", M), s("CUR")),
    s("GF"),
    s("YNQ", max_use=10),
    loop("LM", 10, s("LM", M), s("LQ", M, 100)),
    loop("V1", U, s("V1", M), s("R4", max_use=U), s("DTM", max_use=U)),
    usage=M,
)

STRUCTURE = (
    s("ST", M),
    s("BSN", M),
    s("DTM", max_use=10),
    _HL,
    s("CTT"),
    s("SE", M),
)

NAME = "Ship Notice/Manifest"
SOURCE = "ASC X12 {} 856 table; see the module docstring for the public references used"
SPEC_004010 = make_spec(
    set_id="856",
    version="004010",
    functional_id="SH",
    name=NAME,
    structure=STRUCTURE,
    source=SOURCE.format("004010"),
)
SPEC_005010 = make_spec(
    set_id="856",
    version="005010",
    functional_id="SH",
    name=NAME,
    structure=STRUCTURE,
    source=SOURCE.format("005010"),
)
