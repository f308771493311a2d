"""850 Purchase Order (004010, 005010).

The full standard table, so that any standard-conformant order validates; the gateway maps only
part of it. Heading, detail (the PO1 loop) and summary follow in table order; loops carry the
standard's repeat counts and segments their max use.

Sources (facts only, no code copied):
- denis-peshkov/EdiEngine (MIT), https://github.com/denis-peshkov/EdiEngine, files
  EdiStandards/X12_004010/Maps/M_850.cs and EdiStandards/X12_005010/Maps/M_850.cs (the two
  tables are the same; its 005010 heading SAC loop marked mandatory is a slip, the standard has
  it optional).
- Machete.X12Schema (Apache-2.0), V5010 LoopN9_850 (N9, DTM, MSG) for the 005010 N9 loop.
- Segment counts per release: https://www.stedi.com/edi/x12-004010/segment/{ID} and
  https://www.stedi.com/edi/x12-005010/segment/{ID}.
"""

from __future__ import annotations

from translators.x12.spec.model import UNBOUNDED as U
from translators.x12.spec.model import LoopUse, M, loop, s
from translators.x12.spec.sets import make_spec

__all__ = ["SPEC_004010", "SPEC_005010", "STRUCTURE", "STRUCTURE_004010", "STRUCTURE_005010"]

_CARRIER = (
    s("TD1", max_use=2),
    s("TD5", max_use=12),
    s("TD3", max_use=12),
    s("TD4", max_use=5),
)

_HEADING = (
    s("ST", M),
    s("BEG", M),
    s("CUR"),
    s("REF", max_use=U),
    s("PER", max_use=3),
    s("TAX", max_use=U),
    s("FOB", max_use=U),
    s("CTP", max_use=U),
    s("PAM", max_use=10),
    s("CSH", max_use=5),
    s("TC2", max_use=U),
    loop("SAC", 25, s("SAC", M), s("CUR")),
    s("ITD", max_use=U),
    s("DIS", max_use=20),
    s("INC"),
    s("DTM", max_use=10),
    s("LDT", max_use=12),
    s("LIN", max_use=5),
    s("SI", max_use=U),
    s("PID", max_use=200),
    s("MEA", max_use=40),
    s("PWK", max_use=25),
    s("PKG", max_use=200),
    *_CARRIER,
    s("MAN", max_use=10),
    s("PCT", max_use=U),
    s("CTB", max_use=5),
    s("TXI", max_use=U),
    loop(
        "AMT",
        U,
        s("AMT", M),
        s("REF", max_use=U),
        s("DTM"),
        s("PCT", max_use=U),
        loop("FA1", U, s("FA1", M), s("FA2", M, U)),
    ),
    loop("N9", 1000, s("N9", M), s("DTM", max_use=U), s("MSG", max_use=1000)),
    loop(
        "N1",
        200,
        s("N1", M),
        s("N2", max_use=2),
        s("N3", max_use=2),
        s("N4", max_use=U),
        s("NX2", max_use=U),
        s("REF", max_use=12),
        s("PER", max_use=U),
        s("SI", max_use=U),
        s("FOB"),
        *_CARRIER,
        s("PKG", max_use=200),
    ),
    loop("LM", U, s("LM", M), s("LQ", M, U)),
    loop(
        "SPI",
        U,
        s("SPI", M),
        s("REF", max_use=5),
        s("DTM", max_use=5),
        s("MSG", max_use=50),
        loop(
            "N1",
            20,
            s("N1", M),
            s("N2", max_use=2),
            s("N3", max_use=2),
            s("N4"),
            s("REF", max_use=20),
            s("G61"),
            s("MSG", max_use=50),
        ),
        loop(
            "CB1",
            U,
            s("CB1", M),
            s("REF", max_use=20),
            s("DTM", max_use=5),
            s("LDT"),
            s("MSG", max_use=50),
        ),
    ),
    loop("ADV", U, s("ADV", M), s("DTM", max_use=U), s("MTX", max_use=U)),
)


def _po1(*, legacy_nte: bool) -> LoopUse:
    """The detail PO1 loop.

    ``legacy_nte``: 003xxx orders carry NTE in the PO1 loop where 004010 has MSG. The gateway
    reads those releases with the 004010 spec, so the 004010 spec tolerates NTE (max use 100) at
    MSG's position; the 005010 spec keeps the standard table.
    """
    return loop(
        "PO1",
        100000,
        s("PO1", M),
        s("LIN", max_use=U),
        s("SI", max_use=U),
        s("CUR"),
        s("CN1"),
        s("PO3", max_use=25),
        loop("CTP", U, s("CTP", M), s("CUR")),
        s("PAM", max_use=10),
        s("MEA", max_use=40),
        loop("PID", 1000, s("PID", M), s("MEA", max_use=10)),
        s("PWK", max_use=25),
        s("PO4", max_use=U),
        s("REF", max_use=U),
        s("PER", max_use=3),
        loop("SAC", 25, s("SAC", M), s("CUR"), s("CTP")),
        s("IT8"),
        s("CSH", max_use=U),
        s("ITD", max_use=2),
        s("DIS", max_use=20),
        s("INC"),
        s("TAX", max_use=U),
        s("FOB", max_use=U),
        s("SDQ", max_use=500),
        s("IT3", max_use=5),
        s("DTM", max_use=10),
        s("TC2", max_use=U),
        s("TD1"),
        s("TD5", max_use=12),
        s("TD3", max_use=12),
        s("TD4", max_use=5),
        s("PCT", max_use=U),
        s("MAN", max_use=10),
        s("MSG", max_use=U),
        *((s("NTE", max_use=100),) if legacy_nte else ()),
        s("SPI", max_use=U),
        s("TXI", max_use=U),
        s("CTB", max_use=U),
        loop("QTY", U, s("QTY", M), s("SI", max_use=U)),
        loop("SCH", 200, s("SCH", M), *_CARRIER, s("REF", max_use=U)),
        loop("PKG", 200, s("PKG", M), s("MEA", max_use=U)),
        s("LS"),
        loop(
            "LDT",
            U,
            s("LDT", M),
            s("QTY", max_use=U),
            s("MSG"),
            s("REF", max_use=3),
            loop("LM", U, s("LM", M), s("LQ", M, U)),
        ),
        s("LE"),
        loop(
            "N9",
            1000,
            s("N9", M),
            s("DTM", max_use=U),
            s("MEA", max_use=40),
            s("MSG", max_use=1000),
        ),
        loop(
            "N1",
            200,
            s("N1", M),
            s("N2", max_use=2),
            s("N3", max_use=2),
            s("N4"),
            s("QTY", max_use=U),
            s("NX2", max_use=U),
            s("REF", max_use=12),
            s("PER", max_use=3),
            s("SI", max_use=U),
            s("DTM"),
            s("FOB"),
            s("SCH", max_use=200),
            *_CARRIER,
            s("PKG", max_use=200),
            loop(
                "LDT",
                U,
                s("LDT", M),
                s("MAN", max_use=10),
                s("QTY", max_use=5),
                s("MSG"),
                s("REF", max_use=3),
            ),
        ),
        loop(
            "SLN",
            1000,
            s("SLN", M),
            s("MSG", max_use=U),
            s("SI", max_use=U),
            s("PID", max_use=1000),
            s("PO3", max_use=104),
            s("TC2", max_use=U),
            s("ADV", max_use=U),
            s("DTM", max_use=10),
            s("CTP", max_use=25),
            s("PAM", max_use=10),
            s("PO4"),
            s("TAX", max_use=3),
            loop("N9", U, s("N9", M), s("DTM", max_use=U), s("MSG", max_use=U)),
            loop("SAC", 25, s("SAC", M), s("CUR"), s("CTP")),
            loop("QTY", U, s("QTY", M), s("SI", max_use=U)),
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
        loop("AMT", U, s("AMT", M), s("REF"), s("PCT", max_use=U)),
        loop("LM", U, s("LM", M), s("LQ", M, U)),
        usage=M,
    )


_SUMMARY = (loop("CTT", 1, s("CTT", M), s("AMT")), s("SE", M))
STRUCTURE_004010 = (*_HEADING, _po1(legacy_nte=True), *_SUMMARY)
STRUCTURE = STRUCTURE_005010 = (*_HEADING, _po1(legacy_nte=False), *_SUMMARY)

NAME = "Purchase Order"
SOURCE = "ASC X12 {} 850 table; see the module docstring for the public references used"
SPEC_004010 = make_spec(
    set_id="850",
    version="004010",
    functional_id="PO",
    name=NAME,
    structure=STRUCTURE_004010,
    source=SOURCE.format("004010"),
)
SPEC_005010 = make_spec(
    set_id="850",
    version="005010",
    functional_id="PO",
    name=NAME,
    structure=STRUCTURE_005010,
    source=SOURCE.format("005010"),
)
