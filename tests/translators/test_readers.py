"""X12 readers: transaction sets in, canonical JSON-ready dicts out.

Hand-written sets pin each mapping rule; the public corpus (../shared/corpus or EDI_CORPUS,
never copied here) pins values checked by reading the files.
"""

from __future__ import annotations

import gc
import io
import json
from pathlib import Path
from typing import Any

import pytest

from translators.canonical import codes
from translators.errors import SegmentError, TranslatorError, UnsupportedError
from translators.x12.interchange import SetRead, TransactionSet, read_interchanges
from translators.x12.readers import READERS, read_set
from translators.x12.readers.common import decimal, el, implied, iso_date, iso_time, item_fields

Doc = dict[str, Any]

_ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*210301*1200*{rep}*{version}*000000001*0*T*:~"
)


def interchange(
    set_id: str, *body: str, functional_id: str = "PO", version: str = "004010"
) -> bytes:
    """One interchange, one group, one set: ST, the body segments, SE with the right count."""
    isa = _ISA.format(rep="^" if version >= "005010" else "U", version=version[:5])
    segments = [
        f"GS*{functional_id}*SENDER*RECEIVER*20210301*1200*1*X*{version}",
        f"ST*{set_id}*0001",
        *body,
        f"SE*{len(body) + 2}*0001",
        "GE*1*1",
        "IEA*1*000000001",
    ]
    return (isa + "~".join(segments) + "~").encode()


def transaction_sets(data: bytes) -> list[TransactionSet]:
    events = read_interchanges(io.BytesIO(data))
    return [e.transaction_set for e in events if isinstance(e, SetRead)]


def read(set_id: str, *body: str, **kwargs: str) -> Doc:
    (ts,) = transaction_sets(interchange(set_id, *body, **kwargs))
    return read_set(ts)


def corpus_docs(corpus: Path, relative: str) -> list[Doc]:
    with (corpus / "x12" / relative).open("rb") as stream:
        return [read_set(ts) for ts in transaction_sets(stream.read())]


# -- conversions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("48", "48"),
        ("48.00", "48.00"),
        (".39", "0.39"),
        ("-.5", "-0.5"),
        ("-12.50", "-12.50"),
        ("0008", "8"),
        ("0.000", "0.000"),
        ("1.5E3", "1500"),
    ],
)
def test_decimal_keeps_the_precision_sent(sent: str, expected: str) -> None:
    assert decimal(sent) == expected


@pytest.mark.parametrize("sent", ["", "-", ".", "1.2.3", "12a", "+5", "1,5", "١٢", "1E99999999"])
def test_decimal_refuses_what_is_not_a_number(sent: str) -> None:
    with pytest.raises(ValueError):
        decimal(sent)


@pytest.mark.parametrize(
    ("sent", "scale", "expected"),
    [
        ("62300", 2, "623.00"),
        ("-62300", 2, "-623.00"),
        ("5", 2, "0.05"),
        ("-5", 2, "-0.05"),
        ("0", 2, "0.00"),
        ("00123", 0, "123"),
        ("623.5", 2, "623.5"),  # an explicit point wins over the implied scale
    ],
)
def test_implied_decimals(sent: str, scale: int, expected: str) -> None:
    assert implied(sent, scale) == expected


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("20210301", "2021-03-01"),
        ("20000229", "2000-02-29"),
        ("210301", "2021-03-01"),
        ("491231", "2049-12-31"),
        ("500101", "1950-01-01"),
        ("991231", "1999-12-31"),
        ("000229", "2000-02-29"),
    ],
)
def test_dates_and_two_digit_year_window(sent: str, expected: str) -> None:
    assert iso_date(sent) == expected


@pytest.mark.parametrize(
    "sent", ["20210230", "20211301", "20210100", "19000229", "2021031", "2021-03-01", "00000101"]
)
def test_bad_dates_are_refused(sent: str) -> None:
    with pytest.raises(ValueError):
        iso_date(sent)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [("1230", "12:30"), ("123045", "12:30:45"), ("1230451", "12:30:45"), ("12304599", "12:30:45")],
)
def test_times(sent: str, expected: str) -> None:
    assert iso_time(sent) == expected


@pytest.mark.parametrize("sent", ["2460", "1260", "123060", "12", "12:30", "12304"])
def test_bad_times_are_refused(sent: str) -> None:
    with pytest.raises(ValueError):
        iso_time(sent)


def test_element_access_tolerates_missing_and_padded_elements() -> None:
    seg = ["N1", "ST", "", "  92 "]
    assert el(seg, 1) == "ST"
    assert el(seg, 2) is None
    assert el(seg, 3) == "92"
    assert el(seg, 9) is None


@pytest.mark.parametrize(
    "pairs",
    [
        [("IN", "I-1"), ("BP", "B-1"), ("VN", "V-1"), ("VP", "P-1")],
        [("EN", "E-1"), ("UK", None), ("UK", "K-1"), ("UK", "K-2"), ("UP", "U-1")],
        [(None, "X"), ("BP", None), ("IN", "I-1"), ("ZZ", "Z")],
        [],
    ],
)
def test_item_conveniences_follow_the_code_tables(
    pairs: list[tuple[str | None, str | None]],
) -> None:
    ids: list[Doc] = [{"qualifier": q, "value": v} for q, v in pairs]
    fields = item_fields(ids)
    assert fields.pop("item_ids") is ids
    assert fields.pop("description") is None
    assert fields == codes.item_conveniences(ids)


# -- 850 -----------------------------------------------------------------------------------------

ORDER = (
    "BEG*00*SA*PO-100*R1*20210301",
    "CUR*BY*USD",
    "REF*DP*038*Department",
    "PER*BD*JANE BUYER",
    "DTM*002*20210315",
    "DTM*010*210310*0930",
    "ITD*14*3*2.50**10**30*****2.5% 10 NET 30",
    "NTE*GEN*Deliver to dock 4",
    "N1*ST*ACME*92*0001",
    "N2*RECEIVING DEPT",
    "N3*1 MAIN ST*SUITE 5",
    "N3*BUILDING B",
    "N4*SPRINGFIELD*IL*62701*US",
    "REF*ZZ*inside the party loop",
    "PER*IC*JOE",
    "N1*ZZ*SOMEONE ELSE",
    "PO1*1*48.00*EA*.39*PE*BP*B-1*IN*I-1*VN*V-1*VP*P-1",
    "PID*F****BLUE",
    "PID*F****WIDGET",
    "DTM*002*20210320",
    "N1*ST*LINE STORE*92*0002",
    "SLN*1.1**I*1*EA*1*PE**VP*SUB",
    "PID*F****SUB-LINE TEXT",
    "PO1*2*12*CA*4*PE*UP*012345678905*UK*00012345678905*EN*4006381333931",
    "MSG*line message",
    "CTT*2",
    "AMT*TT*24.72",
)


def test_order_header() -> None:
    doc = read("850", *ORDER)
    assert doc["document_type"] == "order"
    assert doc["envelope"]["transaction_set"] == "850"
    # the test data is loose on purpose (6-digit date, segment order): only the validator's
    # notes ("segment N (ID): ...") may appear, nothing from the reader itself
    assert [w for w in doc["warnings"] if not w.startswith("segment ")] == []
    assert (doc["po_number"], doc["po_date"], doc["release_number"]) == (
        "PO-100",
        "2021-03-01",
        "R1",
    )
    assert (doc["purpose_code"], doc["purpose"], doc["order_type_code"]) == ("00", "original", "SA")
    assert doc["currency"] == "USD"
    assert doc["requested_delivery_date"] == "2021-03-15"
    assert doc["total_amount"] == "24.72"
    assert doc["terms"] == {
        "type_code": "14",
        "basis_date_code": "3",
        "discount_percent": "2.50",
        "discount_days": 10,
        "net_days": 30,
        "description": "2.5% 10 NET 30",
    }
    assert doc["references"] == [{"qualifier": "DP", "value": "038", "description": "Department"}]
    assert doc["dates"] == [
        {"qualifier": "002", "date": "2021-03-15", "time": None},
        {"qualifier": "010", "date": "2021-03-10", "time": "09:30"},
    ]
    assert doc["notes"] == ["Deliver to dock 4", "line message"]


def test_order_parties() -> None:
    doc = read("850", *ORDER)
    ship_to, other = doc["parties"]
    assert ship_to == {
        "role": "ship_to",
        "role_code": "ST",
        "name": "ACME RECEIVING DEPT",
        "id_qualifier": "92",
        "id": "0001",
        "address": {
            "lines": ["1 MAIN ST", "SUITE 5", "BUILDING B"],
            "city": "SPRINGFIELD",
            "state": "IL",
            "postal_code": "62701",
            "country": "US",
        },
    }
    assert (other["role"], other["role_code"], other["address"]["lines"]) == ("zz", "ZZ", [])
    assert [p["name"] for p in doc["lines"][0]["parties"]] == ["LINE STORE"]


def test_order_lines_and_item_conveniences() -> None:
    first, second = read("850", *ORDER)["lines"]
    assert first["line_number"] == "1"
    assert (first["quantity"], first["uom"], first["unit_price"]) == ("48.00", "EA", "0.39")
    assert first["item_ids"] == [
        {"qualifier": "BP", "value": "B-1"},
        {"qualifier": "IN", "value": "I-1"},
        {"qualifier": "VN", "value": "V-1"},
        {"qualifier": "VP", "value": "P-1"},
    ]
    assert (first["buyer_part_number"], first["vendor_part_number"]) == ("B-1", "P-1")
    assert first["description"] == "BLUE WIDGET"  # the SLN's PID is not the line's
    assert first["requested_delivery_date"] == "2021-03-20"
    assert (second["upc"], second["gtin"]) == ("012345678905", "00012345678905")
    assert (second["buyer_part_number"], second["description"]) == (None, None)
    assert second["requested_delivery_date"] is None
    assert second["parties"] == []


def test_order_absent_data_is_null_or_empty() -> None:
    doc = read("850", "BEG*00*SA*PO-1**20210301", "PO1**1")
    assert doc["terms"] is None and doc["currency"] is None and doc["total_amount"] is None
    assert doc["parties"] == doc["references"] == doc["dates"] == doc["notes"] == []
    (line,) = doc["lines"]
    assert line["line_number"] is None and line["unit_price"] is None and line["item_ids"] == []


# -- 855 -----------------------------------------------------------------------------------------


def test_order_ack_with_several_acks_per_line() -> None:
    doc = read(
        "855",
        "BAK*00*AC*PO-100*20210301****SO-9*20210302",
        "PO1*1*10*EA*2.5**VP*P-1",
        "ACK*IQ*6*EA",
        "ACK*IB*4*EA*068*20210310",
        "ACK*IA*4*EA*002*20210320",
        "PO1*2*1*EA*3",
        "ACK*XX*1*EA*ZZZ*20210305",
        "PO1*3*1*EA*3",
        "CTT*3",
        functional_id="PR",
    )
    assert doc["document_type"] == "order_ack"
    assert (doc["po_number"], doc["po_date"], doc["ack_date"]) == (
        "PO-100",
        "2021-03-01",
        "2021-03-02",
    )
    assert (doc["ack_type_code"], doc["status"], doc["seller_order_number"]) == (
        "AC",
        "accepted_with_changes",
        "SO-9",
    )
    first, second, third = doc["lines"]
    assert [a["status"] for a in first["acks"]] == [
        "quantity_changed",
        "backordered",
        "accepted",
    ]
    assert first["acks"][1] == {
        "status_code": "IB",
        "status": "backordered",
        "quantity": "4",
        "uom": "EA",
        "date_qualifier": "068",
        "date": "2021-03-10",
    }
    assert (first["status_code"], first["status"]) == ("IQ", "quantity_changed")
    assert first["scheduled_date"] == "2021-03-10"
    assert (second["status"], second["scheduled_date"]) == ("other", None)
    assert third["acks"] == [] and third["status"] is None


# -- 856 -----------------------------------------------------------------------------------------

# Parents come after their children (HL 4 names HL 3, which names HL 2) and levels nest at
# several depths: O/P/I, O/T/P/I, O/I, O/I/P, and S/I with no order at all.
SHIP_NOTICE = (
    "BSN*00*SHIP-1*20210301*1230",
    "DTM*011*20210302*0815",
    "HL*1**S",
    "TD1*CTN*3****G*120.50*LB",
    "TD5*B*2*UPSN*U*UPS GROUND",
    "REF*BM*BOL-1",
    "REF*CN*1Z001",
    "N1*ST*STORE 1*92*0001",
    "HL*4*3*I",
    "LIN*1*VP*V-1*UP*012345678905",
    "SN1**10*EA",
    "PID*F****RED",
    "PID*F****WIDGET",
    "HL*3*2*P",
    "MAN*GM*00000000000000000011",
    "REF*CN*1Z002",
    "HL*2*1*O",
    "PRF*PO-1***20210225",
    "REF*IV*INV-1",
    "N1*BY*BUYER*92*B1",
    "HL*5*2*T",
    "MAN*GM*00000000000000000050",
    "HL*6*5*P",
    "MAN*GM*00000000000000000061",
    "HL*7*6*I",
    "LIN*2*BP*B-2",
    "SN1**4*CA",
    "HL*8*2*I",
    "LIN*3*VN*V-3",
    "SN1**1.5*EA",
    "HL*9*8*P",
    "MAN*AA*CASE-9",
    "HL*10*1*I",
    "LIN*4*UK*00012345678905",
    "SN1**2*EA",
    "CTT*10",
)


def _items(items: list[Doc]) -> list[tuple[str, str, str]]:
    return [(i["line_number"], i["quantity_shipped"], i["uom"]) for i in items]


def test_ship_notice_header() -> None:
    doc = read("856", *SHIP_NOTICE, functional_id="SH")
    assert doc["document_type"] == "ship_notice"
    assert (doc["shipment_id"], doc["purpose_code"], doc["purpose"]) == ("SHIP-1", "00", "original")
    assert (doc["ship_date"], doc["ship_time"]) == ("2021-03-02", "08:15")
    assert doc["carrier_scac"] == "UPSN"
    assert doc["carrier"] == {"qualifier": "2", "id": "UPSN", "name": "UPS GROUND"}
    assert doc["transport_method"] == "U"
    assert doc["tracking_numbers"] == ["1Z001", "1Z002"]
    assert doc["bill_of_lading"] == "BOL-1"
    assert doc["gross_weight"] == {"value": "120.50", "uom": "LB"}
    assert doc["package_count"] == 3
    assert [p["name"] for p in doc["parties"]] == ["STORE 1"]  # S level only
    assert [r["value"] for r in doc["references"]] == ["BOL-1", "1Z001"]


def test_ship_notice_hierarchy_is_kept_as_sent() -> None:
    hierarchy = read("856", *SHIP_NOTICE, functional_id="SH")["hierarchy"]
    assert [(h["hl_id"], h["parent_id"], h["level_code"]) for h in hierarchy] == [
        ("1", None, "S"),
        ("4", "3", "I"),
        ("3", "2", "P"),
        ("2", "1", "O"),
        ("5", "2", "T"),
        ("6", "5", "P"),
        ("7", "6", "I"),
        ("8", "2", "I"),
        ("9", "8", "P"),
        ("10", "1", "I"),
    ]
    assert hierarchy[1]["child_code"] is None
    assert hierarchy[1]["segments"] == [
        ["LIN", "1", "VP", "V-1", "UP", "012345678905"],
        ["SN1", "", "10", "EA"],
        ["PID", "F", "", "", "", "RED"],
        ["PID", "F", "", "", "", "WIDGET"],
    ]
    assert hierarchy[-1]["segments"][-1] == ["SN1", "", "2", "EA"]  # CTT is not an HL's


def test_ship_notice_orders_are_rebuilt_from_parent_ids() -> None:
    order, no_order = read("856", *SHIP_NOTICE, functional_id="SH")["orders"]
    assert (order["po_number"], order["po_date"]) == ("PO-1", "2021-02-25")
    assert [p["role"] for p in order["parties"]] == ["buyer"]
    assert [r["value"] for r in order["references"]] == ["INV-1"]
    packs = [(p["sscc"], p["marks_qualifier"], p["parent_sscc"]) for p in order["packs"]]
    assert packs == [
        ("00000000000000000011", "GM", None),
        ("00000000000000000050", "GM", None),  # the tare
        ("00000000000000000061", "GM", "00000000000000000050"),  # a pack inside the tare
        ("CASE-9", "AA", None),  # a pack below an item
    ]
    pack, tare, inner, below_item = order["packs"]
    assert _items(pack["items"]) == [("1", "10", "EA")]
    assert pack["items"][0]["description"] == "RED WIDGET"
    assert pack["items"][0]["upc"] == "012345678905"
    assert tare["items"] == []
    assert _items(inner["items"]) == [("2", "4", "CA")]
    assert below_item["items"] == [] and below_item["item_line_number"] == "3"
    assert pack["item_line_number"] is None
    assert _items(order["items"]) == [("3", "1.5", "EA")]
    assert no_order["po_number"] is None and no_order["packs"] == []
    assert _items(no_order["items"]) == [("4", "2", "EA")]
    assert no_order["items"][0]["gtin"] == "00012345678905"


def test_ship_notice_without_parent_ids_is_read_by_file_order() -> None:
    doc = read(
        "856",
        "BSN*00*S2*20210301*1230",
        "HL*1**S",
        "HL*2**O",
        "PRF*PO-A",
        "HL*3**I",
        "LIN*1*VP*A",
        "HL*4**O",
        "PRF*PO-B",
        "HL*5**I",
        "LIN*1*VP*B",
        functional_id="SH",
    )
    orders = [
        (o["po_number"], [i["vendor_part_number"] for i in o["items"]]) for o in doc["orders"]
    ]
    assert orders == [("PO-A", ["A"]), ("PO-B", ["B"])]
    assert any("without a parent" in w for w in doc["warnings"])
    assert doc["ship_date"] == "2021-03-01" and doc["ship_time"] == "12:30"  # BSN03/BSN04


def test_ship_notice_parent_loops_and_unknown_parents_do_not_hang() -> None:
    doc = read(
        "856",
        "BSN*00*S3*20210301",
        "HL*1*3*S",
        "HL*2*1*O",
        "HL*3*2*I",
        "HL*4*99*I",
        functional_id="SH",
    )
    assert len(doc["orders"]) == 2  # the looped order, and one for the orphan item
    assert any("loops back" in w for w in doc["warnings"])
    assert any("'99' is not in the set" in w for w in doc["warnings"])


# -- 810 -----------------------------------------------------------------------------------------


def test_invoice() -> None:
    doc = read(
        "810",
        "BIG*20210305*INV-1*20210301*PO-100",
        "CUR*SE*USD",
        "N1*RE*REMIT CO",
        "ITD*01*3*1**10**30",
        "ITD*05*3*****45",
        "SAC*C*D240***1500**********HEADER FREIGHT",
        "IT1*1*2*EA*10.50**VP*V-1*BP*B-1",
        "PID*F****GADGET",
        "REF*PO*PO-200",
        "SAC*A*C310***250**********LINE DISCOUNT",
        "SAC*N*B840***999",
        "TXI*ST*1.68",
        "N1*ST*LINE SHIP TO",
        "IT1*2*1*EA*5",
        "TDS*62300",
        "TXI*ST*1.50",
        "TXI*CT*.25",
        "SAC*C*H850***175**********TOTAL TAX",
        "CTT*2",
        functional_id="IN",
    )
    assert doc["document_type"] == "invoice"
    assert (doc["invoice_number"], doc["invoice_date"]) == ("INV-1", "2021-03-05")
    assert (doc["po_number"], doc["po_date"]) == ("PO-100", "2021-03-01")
    assert doc["currency"] == "USD"
    assert doc["terms"]["net_days"] == 30  # the first ITD
    assert [p["name"] for p in doc["parties"]] == ["REMIT CO"]  # line N1 loops stay out
    first, second = doc["lines"]
    assert (first["quantity"], first["unit_price"], first["description"]) == (
        "2",
        "10.50",
        "GADGET",
    )
    assert (first["vendor_part_number"], first["buyer_part_number"]) == ("V-1", "B-1")
    assert (first["po_number"], second["po_number"]) == ("PO-200", None)
    assert doc["allowances_charges"] == [
        {
            "type": "charge",
            "code": "D240",
            "amount": "15.00",
            "description": "HEADER FREIGHT",
            "line_number": None,
        },
        {
            "type": "allowance",
            "code": "C310",
            "amount": "2.50",
            "description": "LINE DISCOUNT",
            "line_number": "1",
        },
        {
            "type": "charge",
            "code": "H850",
            "amount": "1.75",
            "description": "TOTAL TAX",
            "line_number": None,
        },
    ]
    assert doc["tax_amount"] == "1.75"  # summary TXI only, summed
    assert doc["total_amount"] == "623.00"


# -- 997 / 999 -----------------------------------------------------------------------------------


def test_997_errors_with_their_segment_context() -> None:
    doc = read(
        "997",
        "AK1*PO*1234",
        "AK2*850*0001",
        "AK3*PO1*7*PO1*8",
        "AK4*2:1*330*6*1O",
        "AK4*4**7*X",
        "AK3*N1*12**3",
        "AK5*R*5*3",
        "AK2*850*0002",
        "AK5*A",
        "AK9*P*2*2*1",
        functional_id="FA",
    )
    assert doc["document_type"] == "functional_ack"
    assert (doc["acknowledged_functional_id"], doc["acknowledged_group_control_number"]) == (
        "PO",
        "1234",
    )
    assert (doc["status_code"], doc["status"]) == ("P", "partially_accepted")
    assert doc["counts"] == {"included": 2, "received": 2, "accepted": 1}
    rejected, accepted = doc["transaction_sets"]
    assert (rejected["transaction_set"], rejected["control_number"]) == ("850", "0001")
    assert (rejected["status_code"], rejected["status"], rejected["codes"]) == (
        "R",
        "rejected",
        ["5", "3"],
    )
    context = {"segment_id": "PO1", "segment_position": 7, "loop_id": "PO1"}
    assert rejected["errors"] == [
        {
            **context,
            "segment_error_code": "8",
            "element_position": 2,
            "component_position": 1,
            "element_reference": "330",
            "element_error_code": "6",
            "bad_value": "1O",
        },
        {
            **context,
            "segment_error_code": "8",
            "element_position": 4,
            "component_position": None,
            "element_reference": None,
            "element_error_code": "7",
            "bad_value": "X",
        },
        {
            "segment_id": "N1",
            "segment_position": 12,
            "loop_id": None,
            "segment_error_code": "3",
            "element_position": None,
            "component_position": None,
            "element_reference": None,
            "element_error_code": None,
            "bad_value": None,
        },
    ]
    assert (accepted["status"], accepted["codes"], accepted["errors"]) == ("accepted", [], [])


def test_999_ik_segments() -> None:
    doc = read(
        "999",
        "AK1*HC*17*005010X222A1",
        "AK2*837*0001*005010X222A1",
        "IK3*CLM*22*2300*8",
        "CTX*CLM01:123456789",
        "IK4*2:3*782*1*ABC",
        "IK5*R*5",
        "AK9*R*1*1*0",
        functional_id="FA",
        version="005010X231",
    )
    (acked,) = doc["transaction_sets"]
    assert (acked["status_code"], acked["status"], acked["codes"]) == ("R", "rejected", ["5"])
    (error,) = acked["errors"]
    assert (error["segment_id"], error["segment_position"], error["loop_id"]) == ("CLM", 22, "2300")
    assert (error["element_position"], error["component_position"]) == (2, 3)
    assert (error["element_error_code"], error["bad_value"]) == ("1", "ABC")
    assert doc["counts"] == {"included": 1, "received": 1, "accepted": 0}


def test_functional_ack_positions_that_are_not_numbers_are_null_with_a_warning() -> None:
    doc = read(
        "997", "AK1*PO*1", "AK2*850*1", "AK3*N1*7X", "AK4*2:Z", "AK5*R*5", functional_id="FA"
    )
    (error,) = doc["transaction_sets"][0]["errors"]
    assert (error["segment_position"], error["element_position"]) == (None, 2)
    assert error["component_position"] is None
    reader_warnings = [w for w in doc["warnings"] if "not a whole number" in w]
    assert len(reader_warnings) == 2 and "AK302 '7X'" in reader_warnings[0]


def test_functional_ack_without_ak9_has_null_counts() -> None:
    doc = read("997", "AK1*PO*1", functional_id="FA")
    assert doc["counts"] is None and doc["status"] is None and doc["transaction_sets"] == []


# -- garbage -------------------------------------------------------------------------------------


def test_a_date_that_is_not_a_date_is_a_segment_error() -> None:
    with pytest.raises(SegmentError) as caught:
        read("850", "BEG*00*SA*PO-1**20211345", "PO1*1*1*EA")
    err = caught.value
    assert (err.segment_id, err.segment_position, err.element_position) == ("BEG", 2, 5)
    assert (err.element_error_code, err.bad_value) == ("8", "20211345")
    assert err.control.transaction_set == "0001" and err.control.interchange == "000000001"
    assert "BEG05" in str(err)


@pytest.mark.parametrize(
    ("set_id", "segment", "element", "code"),
    [
        ("850", "PO1*1*12X*EA", 2, "6"),
        ("850", "DTM*002*20210301*2561", 3, "9"),
        ("810", "TDS*12.3.4", 1, "6"),
        ("856", "TD1*CTN*many", 2, "6"),
        ("855", "ACK*IA*1*EA*068*2021", 5, "8"),
    ],
)
def test_bad_values_raise_located_segment_errors(
    set_id: str, segment: str, element: int, code: str
) -> None:
    with pytest.raises(SegmentError) as caught:
        read(set_id, "PO1*1*1*EA" if set_id == "855" else "NTE**x", segment)
    assert caught.value.segment_position == 3
    assert (caught.value.element_position, caught.value.element_error_code) == (element, code)


def test_garbage_collection_is_restored_after_reading() -> None:
    assert gc.isenabled()
    read("850", "BEG*00*SA*PO-1**20210301")
    assert gc.isenabled()
    with pytest.raises(SegmentError):
        read("850", "BEG*00*SA*PO-1**2021")
    assert gc.isenabled()


def test_unsupported_set_is_refused() -> None:
    (ts,) = transaction_sets(interchange("940", "W05*N*1"))
    with pytest.raises(UnsupportedError):
        read_set(ts)


def test_readers_cover_the_supported_sets() -> None:
    assert sorted(READERS) == ["810", "850", "855", "856", "997", "999"]


# -- corpus --------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_850(corpus: Path) -> None:
    (doc,) = corpus_docs(corpus, "850/node-x12__850.edi")
    assert (doc["po_number"], doc["po_date"], doc["order_type_code"]) == (
        "08292233294",
        "2010-11-27",
        "SA",
    )
    assert doc["requested_delivery_date"] == "2010-12-14"
    assert doc["total_amount"] is None  # AMT*1, not AMT*TT
    assert doc["terms"]["discount_percent"] == "2" and doc["terms"]["net_days"] == 46
    (ship_to,) = doc["parties"]
    assert (ship_to["role"], ship_to["id"], ship_to["address"]["city"]) == (
        "ship_to",
        "0003947268292",
        "SOLON",
    )
    lines = doc["lines"]
    assert len(lines) == 6
    assert (lines[0]["quantity"], lines[0]["unit_price"], lines[0]["uom"]) == ("120", "9.25", "EA")
    assert lines[0]["vendor_part_number"] == "AB3542"
    assert lines[0]["item_ids"][0] == {"qualifier": "CB", "value": "065322-117"}
    assert lines[0]["description"] == "SMALL WIDGET"
    assert (lines[4]["unit_price"], lines[5]["quantity"]) == ("7.5", "696")


@pytest.mark.corpus
def test_corpus_850_two_digit_years_and_header_amount(corpus: Path) -> None:
    (doc,) = corpus_docs(corpus, "850/OopFactory__850_Example1_PGWGlass.txt")
    assert (doc["purpose"], doc["total_amount"], doc["currency"]) == ("replace", "884.06", "USD")
    assert [line["requested_delivery_date"] for line in doc["lines"]] == ["2010-08-20"] * 4
    assert doc["notes"][1:4] == [
        "LAMP, MAXLITE 35873, 200W,",
        "277V, 5000K, E39, HPE",
        "MODEL NO. SKO200EA250",
    ]


@pytest.mark.corpus
def test_corpus_855(corpus: Path) -> None:
    (doc,) = corpus_docs(corpus, "855/node-x12__855.edi")
    assert (doc["po_number"], doc["status"], doc["currency"]) == ("POTEST1112", "accepted", "USD")
    assert doc["parties"][0]["address"]["lines"] == [
        "REGULAR EDI ACCOUNT",
        "ATTN ACQ SERVS",
        "7615 DISALLE BOULEVARD",
    ]
    assert [(ln["status_code"], ln["status"]) for ln in doc["lines"]] == [
        ("IA", "accepted"),
        ("IR", "rejected"),
        ("IR", "rejected"),
        ("IA", "accepted"),
    ]
    assert doc["lines"][0]["gtin"] == "9780446360265"


@pytest.mark.corpus
def test_corpus_856_node_x12(corpus: Path) -> None:
    (doc,) = corpus_docs(corpus, "856/node-x12__856.edi")
    assert (doc["shipment_id"], doc["ship_date"]) == ("829716", "2011-12-06")
    assert (doc["carrier_scac"], doc["bill_of_lading"]) == ("XXXX", "999999-001")
    assert doc["tracking_numbers"] == ["5787970539"]
    assert (doc["package_count"], doc["gross_weight"]) == (2, None)  # TD106 is A3, not G
    assert [p["role"] for p in doc["parties"]] == ["sh", "ordered_by", "ship_from"]
    assert [(h["hl_id"], h["parent_id"], h["level_code"]) for h in doc["hierarchy"]] == [
        ("1", None, "S"),
        ("2", "1", "O"),
        ("3", "2", "I"),
        ("4", "2", "I"),
    ]
    (order,) = doc["orders"]
    assert (order["po_number"], order["po_date"], order["packs"]) == (
        "99999817",
        "2011-12-05",
        [],
    )
    first, second = order["items"]
    assert (first["line_number"], first["vendor_part_number"], first["upc"]) == (
        "1",
        "87787D",
        "999999310145",
    )
    assert (first["quantity_shipped"], first["uom"], first["description"]) == (
        "24",
        "EA",
        "BLUE WIDGET",
    )
    assert (second["quantity_shipped"], second["description"]) == ("6", "RED WIDGET")


@pytest.mark.corpus
def test_corpus_856_crossdock(corpus: Path) -> None:
    (doc,) = corpus_docs(corpus, "856/EdiEngine__856.Crossdock.OK.edi")
    assert len(doc["hierarchy"]) == 13
    assert doc["carrier"] == {"qualifier": "2", "id": "OVNT", "name": "OVERNITE"}
    first, second = doc["orders"]
    assert (first["po_number"], second["po_number"]) == ("POREF00", "POREF01")
    assert [(p["role"], p["id"]) for p in first["parties"]] == [("buyer", "002")]
    assert [p["sscc"] for p in first["packs"]] == [
        "00000715670002152360",
        "00000715670002152377",
        "00000715670002152384",
        "00000715670002152391",
    ]
    assert [p["items"][0]["upc"] for p in first["packs"]] == [
        "0000000000642",
        None,
        "0000000000283",
        "0000000000203",
    ]
    assert first["packs"][1]["items"][0]["gtin"] == "0000000000831"
    assert [(p["sscc"], len(p["items"])) for p in second["packs"]] == [("00000715670002152111", 1)]
    assert first["items"] == second["items"] == []


@pytest.mark.corpus
def test_corpus_810(corpus: Path) -> None:
    (doc,) = corpus_docs(corpus, "810/EDI.Net__x12.810b.edi")
    assert (doc["invoice_number"], doc["po_number"]) == ("DO091003TESTINV01TAX", "DO091003")
    assert (doc["tax_amount"], doc["total_amount"]) == ("35.96", "401.92")
    assert [(c["code"], c["amount"], c["line_number"]) for c in doc["allowances_charges"]] == [
        ("G830", "3.00", "1"),
        ("H850", "19.98", "1"),
        ("G830", "0.03", "2"),
        ("H850", "15.98", "2"),
        ("G830", "6.00", None),
        ("H850", "35.96", None),
    ]
    first, second = corpus_docs(corpus, "810/staedi__simple810.edi")
    assert first["total_amount"] == "2554.38" and len(first["lines"]) == 7
    assert first["terms"]["discount_percent"] == "1.000"
    assert first["lines"][0]["line_number"] is None
    assert first["invoice_date"] == "1997-12-11"
    assert second["invoice_number"] == "00001" and len(second["lines"]) == 2


@pytest.mark.corpus
def test_corpus_997(corpus: Path) -> None:
    (doc,) = corpus_docs(corpus, "997/staedi__simple997.edi")
    assert (doc["acknowledged_functional_id"], doc["status"]) == ("HC", "rejected")
    (acked,) = doc["transaction_sets"]
    assert (acked["transaction_set"], acked["control_number"], acked["codes"]) == (
        "837",
        "0021",
        ["5"],
    )
    assert acked["errors"] == [
        {
            "segment_id": "NM1",
            "segment_position": 8,
            "loop_id": None,
            "segment_error_code": "8",
            "element_position": 8,
            "component_position": None,
            "element_reference": "66",
            "element_error_code": "7",
            "bad_value": "MI",
        }
    ]


@pytest.mark.corpus
def test_corpus_999(corpus: Path) -> None:
    (doc,) = corpus_docs(corpus, "997/staedi__simple999.edi")
    assert doc["counts"] == {"included": 3, "received": 3, "accepted": 1}
    ok, clm, ref = doc["transaction_sets"]
    assert (ok["status"], ok["errors"]) == ("accepted", [])
    (clm_error,) = clm["errors"]
    assert (clm_error["segment_id"], clm_error["segment_position"]) == ("CLM", 22)
    assert (clm_error["element_position"], clm_error["element_reference"]) == (2, "782")
    (ref_error,) = ref["errors"]  # IK3 without IK4: element fields null
    assert (ref_error["segment_id"], ref_error["segment_error_code"]) == ("REF", "3")
    assert ref_error["element_position"] is None and ref_error["bad_value"] is None


@pytest.mark.corpus
@pytest.mark.parametrize("folder", ["850", "855", "856", "810", "997"])
def test_corpus_reads_without_surprises(corpus: Path, folder: str) -> None:
    """Every set of the folder reads into JSON, or fails with a TranslatorError only."""
    files = sorted((corpus / "x12" / folder).iterdir())
    assert files
    for path in files:
        for ts in transaction_sets(path.read_bytes()):
            try:
                doc = read_set(ts)
            except TranslatorError:
                continue
            json.dumps(doc)
            assert doc["envelope"] is ts.envelope
