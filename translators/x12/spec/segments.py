"""Segment definitions for the 850, 855, 856, 810, 997 and 999 transaction sets.

Every segment the standard tables of those sets place (not only the ones the gateway maps) is
defined here with its full element list, so that real files validate. A segment is written once
when 004010 and 005010 agree; ``_versioned`` builds the few that differ (ST03, BIG11, N407, AK103,
AK203, the C030 repetition component) and those that carry a version's code lists.

Element usage follows the standard: ``M`` as published; every element named by a syntax note is
conditional (``X``), except the first position of a C or L note, which is the trigger and keeps
its own usage. ``_seg`` derives the X marks from the notes so the two can never disagree.

Sources (facts only, no code copied):
- ASC X12 004010 segment directory as published in the public references
  https://www.stedi.com/edi/x12-004010/segment/{ID} and
  https://www.kasoftware.com/schema/edi/x12/00401/segments/{ID}, and implementation guides that
  reprint the standard tables (e.g. http://www.edisupport.masterfoodsusa.com/map850basic.asp for
  the SAC syntax notes, https://edi.thebitsilo.com/856/0201BSN.htm for BSN).
- denis-peshkov/EdiEngine (MIT), EdiStandards/X12_004010/Segments/Segments.cs, for element order
  and syntax notes (its note positions after a composite are shifted; corrected for CTP, MEA,
  PAM, QTY, SLN against the standard).
- 005010 differences: https://www.stedi.com/edi/x12-005010/segment/{ID},
  https://doc.chinlinktech.com/x12/005030/segment/BIG (BIG11 = 1005),
  https://www.kasoftware.com/schema/edi/x12/00501/segments/IK3, and pyx12 4.0.0
  (BSD) map/999.5010.xml for IK3/IK4/IK5/CTX and the C030/C998/C999 composites.
"""

from __future__ import annotations

from dataclasses import replace

from translators.x12.spec.elements import CODES_004010, CODES_005010
from translators.x12.spec.model import (
    CompositeDef,
    ElementUse,
    M,
    O,
    SegmentDef,
    X,
    cel,
    comp,
    el,
    seg,
)

__all__ = [
    "COMPOSITES_004010",
    "COMPOSITES_005010",
    "SEGMENTS_004010",
    "SEGMENTS_005010",
]

# -- composites -------------------------------------------------------------------------------

C001 = comp(
    "C001",
    "Composite Unit of Measure",
    cel("355", M),
    *(cel(ref) for _ in range(4) for ref in ("1018", "649", "355")),
    cel("1018"),
    cel("649"),
)
C002 = comp("C002", "Actions Indicated", cel("704", M), *(cel("704") for _ in range(4)))
C040 = comp(
    "C040",
    "Reference Identifier",
    cel("128", M),
    cel("127", M),
    *(cel(ref) for _ in range(2) for ref in ("128", "127")),
)
C030_004010 = comp("C030", "Position in Segment", cel("722", M), cel("1528"))
C030_005010 = comp("C030", "Position in Segment", cel("722", M), cel("1528"), cel("1686"))
C998 = comp("C998", "Context Identification", cel("9999", M), cel("9998"))
C999 = comp("C999", "Reference in Segment", cel("725", M), cel("725"))

_COMPOSITES_BY_ID = {c.ref: c for c in (C001, C002, C040, C998, C999)}
COMPOSITES_004010: dict[str, CompositeDef] = {**_COMPOSITES_BY_ID, "C030": C030_004010}
COMPOSITES_005010: dict[str, CompositeDef] = {**_COMPOSITES_BY_ID, "C030": C030_005010}


# -- authoring helpers ------------------------------------------------------------------------


def _elements(text: str) -> list[ElementUse]:
    """``"353M 92M 328"`` -> el("353", M), el("92", M), el("328"); ``C040`` names a composite."""
    out = []
    for token in text.split():
        usage = M if token.endswith("M") else O
        ref = token.removesuffix("M")
        composite = _COMPOSITES_BY_ID.get(ref)
        out.append(el(ref, usage, composite=composite))
    return out


def _seg(segment_id: str, name: str, *parts: str | ElementUse, notes: str = "") -> SegmentDef:
    """``seg`` with compact element text and X marks derived from the syntax notes."""
    elements: list[ElementUse] = []
    for part in parts:
        elements.extend(_elements(part) if isinstance(part, str) else [part])
    definition = seg(segment_id, name, *elements, notes=notes)
    conditional = {
        position
        for note in definition.notes
        for position in (note.positions[1:] if note.kind in "CL" else note.positions)
    }
    marked = tuple(
        replace(use, usage=X) if index in conditional and use.usage == O else use
        for index, use in enumerate(definition.elements, start=1)
    )
    return replace(definition, elements=marked)


def _pairs(first: str, second: str, count: int) -> str:
    return f" {first} {second}" * count


def _index(*definitions: SegmentDef) -> dict[str, SegmentDef]:
    return {d.id: d for d in definitions}


# -- segments identical in 004010 and 005010 -----------------------------------------------------

_COMMON = _index(
    _seg("SE", "Transaction Set Trailer", "96M 329M"),
    _seg(
        "CUR",
        "Currency",
        "98M 100M 280 98 100 669" + " 374 373 337" * 5,
        notes="C0807 C0907 L101112 C1110 C1210 L131415 C1413 C1513 L161718 C1716 C1816"
        " L192021 C2019 C2119",
    ),
    _seg("REF", "Reference Identification", "128M 127 352 C040", notes="R0203"),
    _seg(
        "PER",
        "Administrative Communications Contact",
        "366M 93" + _pairs("365", "364", 3) + " 443",
        notes="P0304 P0506 P0708",
    ),
    _seg(
        "TAX",
        "Tax Reference",
        "325" + _pairs("309", "310", 5) + " 441 1179",
        notes="R0103 P0203 P0405 P0607 P0809 P1011",
    ),
    _seg(
        "FOB",
        "F.O.B. Related Instructions",
        "146M 309 352 334 335 309 352 54 352",
        notes="C0302 C0405 C0706 C0809",
    ),
    _seg(
        "CTP",
        "Pricing Information",
        "687 236 212 380 C001 648 649 782 639 499 289",
        notes="P0405 C0607 C0902 C1002 C1103",
    ),
    _seg(
        "PAM",
        "Period Amount",
        "673 380 C001 522 782 344 374 373 337 374 373 337 1004 954 1073",
        notes="P010203 R020514 P0405 C0706 P0607 L070809 C0807 C0907 L101112 C1110 P1314",
    ),
    _seg(
        "CSH",
        "Sales Requirements",
        "563 306 610 508 373 559 560 566 954 1004",
        notes="C0203 P0607 P0910",
    ),
    _seg("TC2", "Commodity", "23M 22M"),
    _seg(
        "ITD",
        "Terms of Sale/Deferred Terms of Sale",
        "336 333 338 370 351 446 386 362 388 389 342 352 765 107 954",
        notes="L03040513 L08040513 L091011",
    ),
    _seg("DIS", "Discount Detail", "653M 654M 655M 656M 657M 657"),
    _seg("INC", "Installment Information", "336M C001M 380M 380M 782"),
    _seg("DTM", "Date/Time Reference", "374M 373 337 623 1250 1251", notes="R020305 C0403 P0506"),
    _seg("LDT", "Lead Time", "345M 380M 344M 373"),
    _seg(
        "LIN",
        "Item Identification",
        "350 235M 234M" + _pairs("235", "234", 14),
        notes=" ".join(f"P{n:02d}{n + 1:02d}" for n in range(4, 31, 2)),
    ),
    _seg(
        "SI",
        "Service Characteristic Identification",
        "559M 1000M 234M" + _pairs("1000", "234", 9),
        notes=" ".join(f"P{n:02d}{n + 1:02d}" for n in range(4, 21, 2)),
    ),
    _seg(
        "PID",
        "Product/Item Description",
        "349M 750 559 751 352 752 822 1073 819",
        notes="C0403 R0405 C0703 C0804 C0905",
    ),
    _seg(
        "MEA",
        "Measurements",
        "737 738 739 C001 740 741 935 936 752 1373",
        notes="R03050608 C0504 C0604 L07030506 E0803",
    ),
    _seg("PWK", "Paperwork", "755M 756 757 98 66 67 352 C002 1525", notes="P0506"),
    _seg(
        "PKG", "Marking, Packaging, Loading", "349 753 559 754 352 400", notes="C0403 R040506 C0501"
    ),
    _seg(
        "TD1",
        "Carrier Details (Quantity and Weight)",
        "103 80 23 22 79 187 81 355 183 355",
        notes="C0102 C0304 C0607 P0708 P0910",
    ),
    _seg(
        "TD5",
        "Carrier Details (Routing Sequence/Transit Time)",
        "133 66 67 91 387 368 309 310 731 732 733 284 284 284 26",
        notes="R0204050612 C0203 C0708 C1011 C1312 C1413 C1512",
    ),
    _seg(
        "TD3",
        "Carrier Details (Equipment)",
        "40 206 207 187 81 355 102 407 225 24",
        notes="E0110 C0203 C0405 P0506",
    ),
    _seg(
        "TD4",
        "Carrier Details (Special Handling, or Hazardous Materials, or Both)",
        "152 208 209 352 1073",
        notes="R010204 C0203",
    ),
    _seg("MAN", "Marks and Numbers", "88M 87M 87 88 87 87", notes="P0405 C0605"),
    _seg("PCT", "Percent Amounts", "1004M 954M"),
    _seg("CTB", "Restrictions/Conditions", "688M 352 673 380 522 610", notes="R020406 P0304 P0506"),
    _seg(
        "TXI",
        "Tax Information",
        "963M 782 954 955 956 441 662 828 325 350",
        notes="R020306 P0405 C0803",
    ),
    _seg("AMT", "Monetary Amount", "522M 782M 478"),
    _seg("FA1", "Type of Financial Accounting Data", "559M 1300 248"),
    _seg("FA2", "Accounting Data", "1196M 1195M"),
    _seg("N9", "Reference Identification", "128M 127 369 373 337 623 C040", notes="R0203 C0605"),
    _seg("MSG", "Message Text", "933M 934 1470", notes="C0302"),
    _seg("N1", "Name", "98M 93 66 67 706 98", notes="R0203 P0304"),
    _seg("N2", "Additional Name Information", "93M 93"),
    _seg("N3", "Address Information", "166M 166"),
    _seg("NX2", "Location ID Component", "1106M 166M 1096"),
    _seg("LM", "Code Source Information", "559M 822"),
    _seg("LQ", "Industry Code", "1270 1271", notes="C0102"),
    _seg(
        "SPI",
        "Specification Identifier",
        "786M 128 127 790 791 792 353 755 786 559 822 554 1322 1401 1005",
        notes="P0203",
    ),
    _seg("G61", "Contact", "366M 93M 365 364 443", notes="P0304"),
    _seg("CB1", "Contract and Cost Breakdown", "1309M 1310"),
    _seg(
        "ADV",
        "Advertising Demographic Information",
        "559M 1000M 740 741 729 1000 739",
        notes="P0607",
    ),
    _seg("MTX", "Text", "363 1551 1551 934", notes="C0102 C0302"),
    _seg(
        "PO1",
        "Baseline Item Data",
        "350 330 355 212 639" + _pairs("235", "234", 10),
        notes="C0302 C0504 " + " ".join(f"P{n:02d}{n + 1:02d}" for n in range(6, 25, 2)),
    ),
    _seg("CN1", "Contract Information", "1166M 782 332 127 338 799"),
    _seg("PO3", "Additional Item Detail", "371M 373 236 212 639 380M 355M 352", notes="L040305"),
    _seg(
        "IT8",
        "Conditions of Sale",
        "563 306 610 508 373 559 566" + _pairs("235", "234", 10),
        notes="R0102030507 " + " ".join(f"P{n:02d}{n + 1:02d}" for n in range(8, 27, 2)),
    ),
    _seg(
        "SDQ",
        "Destination Quantity",
        "355M 66 67M 380M" + _pairs("67", "380", 9) + " 310",
        notes=" ".join(f"P{n:02d}{n + 1:02d}" for n in range(5, 22, 2)),
    ),
    _seg("IT3", "Additional Item Data", "382 355 368 383 371", notes="P0102 R01030405"),
    _seg("QTY", "Quantity", "673M 380 C001 61", notes="R0204 E0204"),
    _seg(
        "SCH",
        "Line Item Schedule",
        "380M 355M 98 93 374M 373M 337 374 373 337 326 350",
        notes="C0304 L080910 C0908 C1008",
    ),
    _seg("LS", "Loop Header", "447M"),
    _seg("LE", "Loop Trailer", "447M"),
    _seg(
        "SLN",
        "Subline Item Detail",
        "350M 350 662M 380 C001 212 639 662" + _pairs("235", "234", 10),
        notes="P0405 C0706 C0806 " + " ".join(f"P{n:02d}{n + 1:02d}" for n in range(9, 28, 2)),
    ),
    _seg("CTT", "Transaction Totals", "354M 347 81 355 183 355 352", notes="P0304 P0506"),
    _seg(
        "PO4",
        "Item Physical Details",
        "356 357 355 103 187 384 355 385 355 82 189 65 355 810 752 350 350 1470",
        notes="P0203 C0506 P0607 P0809 C1013 C1113 C1213 L13101112 C1716 C1804",
    ),
    _seg("PRF", "Purchase Order Reference", "324M 328 327 373 350 367 92"),
    _seg("SN1", "Item Detail (Shipment)", "350 382M 355M 646 330 355 728 668", notes="P0506"),
    _seg("TSD", "Trailer Shipment Details", "350 219"),
    _seg(
        "LH1",
        "Hazardous Identification Information",
        "355M 80M 277 200 22 355 380 595 665 254 1375",
    ),
    _seg(
        "LH2",
        "Hazardous Classification Information",
        "215 983 218 222 759" + _pairs("355", "408", 3),
        notes="P0607 P0809 P1011",
    ),
    _seg("LH3", "Hazardous Material Shipping Name", "224 984 985 1073", notes="P0102"),
    _seg(
        "LFH",
        "Freeform Hazardous Material Information",
        "808M 809M 809 1023 355 380 380",
        notes="P0506",
    ),
    _seg("LEP", "EPA-Required Data", "806 807 156 127", notes="P0304"),
    _seg(
        "LH4",
        "Canadian Dangerous Requirements",
        "238 364 254 230 230 230 271 267 805 986 364 355",
        notes="P0812",
    ),
    _seg("LHT", "Transborder Hazardous Requirements", "215 218 222"),
    _seg("LHR", "Hazardous Material Identifying Reference Numbers", "128M 127M 373"),
    _seg("LHE", "Empty Equipment Hazardous Material Information", "224M 218M 128M 127M 759"),
    _seg("CLD", "Load Detail", "622M 382M 103 357 355", notes="C0504"),
    _seg("DTP", "Date or Time or Period", "374M 1250M 1251M"),
    _seg(
        "PAL",
        "Pallet Information",
        "883 884 885 356 395 355 82 189 65 355 384 355 385 355 399 810",
        notes="P0506 C0710 C0810 C0910 L10070809 P1112 P1314",
    ),
    _seg("ETD", "Excess Transportation Detail", "626M 627M 128 127 743", notes="P0304"),
    _seg("GF", "Furnished Goods and Services", "128 127 367", notes="P0102"),
    _seg(
        "YNQ",
        "Yes/No Question",
        "1321 1073M 1250 1251 933 933 933 1270 1271 933",
        notes="P0304 P0809",
    ),
    _seg("V1", "Vessel Identification", "597 182 26 55 140 249 854 897 91", notes="R0102 C0801"),
    _seg("R4", "Port or Terminal", "115M 309 310 114 26 174 113 156", notes="P0203"),
    _seg("NTE", "Note/Special Instruction", "363 352M"),
    _seg(
        "DMG", "Demographic Information", "1250 1251 1068 1067 1109 1066 26 659 380", notes="P0102"
    ),
    _seg("L7", "Tariff Reference", "213 168 171 172 169 170 59 173 46 373 119 227 294 295 19 156"),
    _seg("BAL", "Balance Detail", "951M 522M 782M"),
    _seg("CRC", "Conditions Indicator", "1136M 1073M 1321M 1321 1321 1321 1321"),
    _seg(
        "SR",
        "Requested Service Schedule",
        "350 1430 337 337 3 212 380 373 373 234 234",
        notes="C0403 C0908",
    ),
    _seg("TDS", "Total Monetary Value Summary", "610M 610 610 610"),
    _seg("CAD", "Carrier Detail", "91 206 207 140 387 368 128 127 284", notes="R0405 P0708"),
    _seg(
        "ISS",
        "Invoice Shipment Summary",
        "382 355 81 355 183 355 380 81",
        notes="R010305 P0102 P0304 P0506",
    ),
    _seg(
        "IT1",
        "Baseline Item Data (Invoice)",
        "350 358 355 212 639" + _pairs("235", "234", 10),
        notes="P020304 " + " ".join(f"P{n:02d}{n + 1:02d}" for n in range(6, 25, 2)),
    ),
)


def _versioned(version: str) -> dict[str, SegmentDef]:
    """Segments whose elements or code lists differ between 004010 and 005010."""
    v5 = version == "005010"
    codes = CODES_005010 if v5 else CODES_004010
    c030 = C030_005010 if v5 else C030_004010
    segments = _index(
        _seg("ST", "Transaction Set Header", "143M 329M" + (" 1705" if v5 else "")),
        _seg(
            "BEG",
            "Beginning Segment for Purchase Order",
            el("353", M, codes=codes["353"]),
            "92M 324M 328 373M 367 587 1019 1166 1232 786 640",
        ),
        _seg(
            "BAK",
            "Beginning Segment for Purchase Order Acknowledgment",
            el("353", M, codes=codes["353"]),
            el("587", M, codes=codes["587"]),
            "324M 373M 328 326 367 127 373 640",
        ),
        _seg(
            "BSN",
            "Beginning Segment for Ship Notice",
            el("353", M, codes=codes["353"]),
            "396M 373M 337M 1005 640 641",
            notes="C0706",
        ),
        _seg(
            "BIG",
            "Beginning Segment for Invoice",
            "373M 76M 373 324 328 327 640 353 306 76" + (" 1005" if v5 else ""),
        ),
        _seg(
            "N4",
            "Geographic Location",
            "19 156 116 26 309 310" + (" 1715" if v5 else ""),
            notes="E0207 C0605 C0704" if v5 else "C0605",
        ),
        _seg(
            "ACK",
            "Line Item Acknowledgment",
            el("668", M, codes=codes["668"]),
            "380 355 374 373 326" + _pairs("235", "234", 10) + " 559 822 1271",
            notes="P0203 C0405 "
            + " ".join(f"P{n:02d}{n + 1:02d}" for n in range(7, 28, 2))
            + " C282729",
        ),
        _seg("HL", "Hierarchical Level", "628M 734", el("735", M, codes=codes["735"]), "736"),
        _seg(
            "SAC",
            "Service, Promotion, Allowance, or Charge Information",
            el("248", M, codes=codes["248"]),
            "1300 559 1301 610 378 332 118 355 380 380 331 127 770 352 819",
            notes="R0203 P0304 P0607 P0910 C1110 L130204 C1413 C1615",
        ),
        _seg("AK1", "Functional Group Response Header", "479M 28M" + (" 480" if v5 else "")),
        _seg("AK2", "Transaction Set Response Header", "143M 329M" + (" 1705" if v5 else "")),
        _seg("AK3", "Data Segment Note", "721M 719M 447", el("720", codes=codes["720"])),
        _seg(
            "AK4",
            "Data Element Note",
            el("C030", M, composite=c030),
            "725",
            el("723", M, codes=codes["723"]),
            "724",
        ),
        _seg(
            "AK5",
            "Transaction Set Response Trailer",
            el("717", M, codes=codes["717"]),
            *(el("718", codes=codes["718"]) for _ in range(5)),
        ),
        _seg(
            "AK9",
            "Functional Group Response Trailer",
            el("715", M, codes=codes["715"]),
            "97M 123M 2M 716 716 716 716 716",
        ),
    )
    if v5:
        segments |= _index(
            _seg(
                "IK3",
                "Implementation Data Segment Note",
                "721M 719M 447",
                el("620", codes=codes["620"]),
            ),
            _seg(
                "IK4",
                "Implementation Data Element Note",
                el("C030", M, composite=c030),
                "725",
                el("621", M, codes=codes["621"]),
                "724",
            ),
            _seg(
                "IK5",
                "Implementation Transaction Set Response Trailer",
                el("717", M, codes=codes["717"]),
                "618 618 618 618 618",
            ),
            _seg(
                "CTX",
                "Context",
                el("C998", M, composite=C998, repeat=10),
                "721 719 447",
                el("C030", composite=c030),
                "C999",
                notes="P0203",
            ),
        )
    return segments


SEGMENTS_004010: dict[str, SegmentDef] = {**_COMMON, **_versioned("004010")}
SEGMENTS_005010: dict[str, SegmentDef] = {**_COMMON, **_versioned("005010")}
