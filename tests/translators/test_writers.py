"""Canonical -> X12 writers: envelopes, key segments of every set, refusals, re-reading."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest

from translators.canonical import parse_document
from translators.errors import RenderError
from translators.x12.spec import model as spec_model
from translators.x12.tokenizer import Delimiters, IsaHeader, Tokenizer
from translators.x12.writers import SET_IDS, WRITERS, EnvelopeProfile, render, render_segments
from translators.x12.writers import envelope as envelope_module

Doc = dict[str, Any]
STAMP = dt.datetime(2024, 3, 5, 12, 30, tzinfo=dt.UTC)
PIPES = Delimiters(element="|", component=">", segment="\n", repetition="!")
DELIMITER_SETS = {"default": None, "pipes": PIPES}
VERSIONS = ("004010", "005010")

# -- sample documents, in the full shape the readers produce ------------------------------------


def _address(*lines: str, city: str | None = None) -> Doc:
    return {"lines": list(lines), "city": city, "state": None, "postal_code": None, "country": None}


def _party(role: str, code: str, name: str, *lines: str, city: str | None = None) -> Doc:
    return {
        "role": role,
        "role_code": code,
        "name": name,
        "id_qualifier": "92",
        "id": f"{code}-1",
        "address": _address(*lines, city=city),
    }


def _items(*pairs: tuple[str, str], description: str | None = None) -> Doc:
    ids = [{"qualifier": q, "value": v} for q, v in pairs]
    first: dict[str, str] = {}
    for q, v in pairs:
        first.setdefault(q, v)
    return {
        "item_ids": ids,
        "buyer_part_number": first.get("BP", first.get("IN")),
        "vendor_part_number": first.get("VP", first.get("VN")),
        "upc": first.get("UP"),
        "gtin": first.get("UK", first.get("EN")),
        "description": description,
    }


def _common(doc_type: str, **fields: Any) -> Doc:
    doc: Doc = {"document_type": doc_type, "envelope": None, "warnings": []}
    doc.update(parties=[], references=[], dates=[], notes=[])
    doc.update(fields)
    return doc


def sample_order() -> Doc:
    return _common(
        "order",
        parties=[
            _party("ship_to", "ST", "ACME Distribution Center", "1 Main St", city="Austin"),
            _party("bill_to", "BT", "ACME Inc"),
        ],
        references=[{"qualifier": "VR", "value": "54321", "description": "vendor ref"}],
        dates=[
            {"qualifier": "010", "date": "2024-03-09", "time": "10:30"},
            {"qualifier": "002", "date": "2024-03-12", "time": None},
        ],
        notes=["Deliver to dock 4"],
        po_number="4500012345",
        po_date="2024-03-05",
        release_number=None,
        purpose_code="00",
        purpose="original",
        order_type_code="SA",
        currency="USD",
        requested_delivery_date="2024-03-12",
        total_amount="623.00",
        terms={
            "type_code": "01",
            "basis_date_code": "3",
            "discount_percent": "2",
            "discount_days": 10,
            "net_days": 30,
            "description": "2% 10 NET 30",
        },
        lines=[
            {
                "line_number": "1",
                "quantity": "10",
                "uom": "EA",
                "unit_price": "12.50",
                **_items(("BP", "B-100"), ("VP", "V-200"), description="Blue widget"),
                "requested_delivery_date": "2024-03-14",
                "parties": [_party("ship_to", "ST", "Store 12")],
            },
            {
                "line_number": "2",
                "quantity": "48.00",
                "uom": "CA",
                "unit_price": "0.39",
                **_items(("UP", "012345678905")),
                "requested_delivery_date": None,
                "parties": [],
            },
        ],
    )


def sample_order_ack() -> Doc:
    order = sample_order()
    lines = []
    for line, acks in zip(
        order["lines"],
        [
            [
                {
                    "status_code": "IA",
                    "status": "accepted",
                    "quantity": "10",
                    "uom": "EA",
                    "date_qualifier": "068",
                    "date": "2024-03-10",
                }
            ],
            [
                {
                    "status_code": "IB",
                    "status": "backordered",
                    "quantity": "48.00",
                    "uom": "CA",
                    "date_qualifier": None,
                    "date": None,
                },
                {
                    "status_code": "IA",
                    "status": "accepted",
                    "quantity": "0",
                    "uom": "CA",
                    "date_qualifier": "067",
                    "date": "2024-04-01",
                },
            ],
        ],
        strict=True,
    ):
        scheduled = next((a["date"] for a in acks if a["date_qualifier"] in ("067", "068")), None)
        lines.append(
            {
                **line,
                "acks": acks,
                "status_code": acks[0]["status_code"],
                "status": acks[0]["status"],
                "scheduled_date": scheduled,
            }
        )
    return _common(
        "order_ack",
        parties=[_party("seller", "SE", "Widget Works")],
        references=[],
        dates=[{"qualifier": "017", "date": "2024-03-10", "time": None}],
        notes=["Line 2 ships in April"],
        po_number="4500012345",
        po_date="2024-03-05",
        ack_type_code="AC",
        status="accepted_with_changes",
        seller_order_number="SO-981",
        ack_date="2024-03-06",
        currency="USD",
        lines=lines,
    )


def _ship_item(number: str, quantity: str, *pairs: tuple[str, str]) -> Doc:
    return {
        "line_number": number,
        **_items(*pairs, description=f"Item {number}"),
        "quantity_shipped": quantity,
        "uom": "EA",
    }


def sample_ship_notice() -> Doc:
    return _common(
        "ship_notice",
        parties=[
            _party("ship_from", "SF", "Widget Works Plant 2"),
            _party("ship_to", "ST", "ACME DC", "1 Main St", city="Austin"),
        ],
        references=[
            {"qualifier": "BM", "value": "BOL-77", "description": None},
            {"qualifier": "CN", "value": "1Z999", "description": None},
        ],
        dates=[{"qualifier": "011", "date": "2024-03-07", "time": "16:45"}],
        notes=[],
        shipment_id="SH-1001",
        purpose_code="00",
        purpose="original",
        ship_date="2024-03-07",
        ship_time="16:45",
        carrier_scac="UPSN",
        carrier={"qualifier": "2", "id": "UPSN", "name": "UPS"},
        transport_method="M",
        tracking_numbers=["1Z999"],
        bill_of_lading="BOL-77",
        gross_weight={"value": "120.5", "uom": "LB"},
        package_count=3,
        hierarchy=[],
        orders=[
            {
                "po_number": "4500012345",
                "po_date": "2024-03-05",
                "parties": [],
                "references": [{"qualifier": "IA", "value": "VEND-9", "description": None}],
                "packs": [
                    {
                        "sscc": "000012345600000001",
                        "marks_qualifier": "GM",
                        "parent_sscc": None,
                        "item_line_number": None,
                        "items": [_ship_item("1", "6", ("BP", "B-100"))],
                    },
                    {
                        "sscc": "000012345600000002",
                        "marks_qualifier": "GM",
                        "parent_sscc": None,
                        "item_line_number": None,
                        "items": [
                            _ship_item("1", "4", ("BP", "B-100")),
                            _ship_item("2", "48", ("UP", "012345678905")),
                        ],
                    },
                ],
                "items": [],
            }
        ],
    )


def sample_invoice() -> Doc:
    return _common(
        "invoice",
        parties=[
            _party("remit_to", "RI", "Widget Works", "PO Box 9", city="Dallas"),
            _party("bill_to", "BT", "ACME Inc"),
        ],
        references=[{"qualifier": "IA", "value": "VEND-9", "description": None}],
        dates=[{"qualifier": "011", "date": "2024-03-07", "time": None}],
        notes=["Thank you for your business"],
        invoice_number="INV-2024-77",
        invoice_date="2024-03-08",
        po_number="4500012345",
        po_date="2024-03-05",
        currency="USD",
        terms={
            "type_code": "05",
            "basis_date_code": "3",
            "discount_percent": None,
            "discount_days": None,
            "net_days": 30,
            "description": None,
        },
        lines=[
            {
                "line_number": "1",
                "quantity": "10",
                "uom": "EA",
                "unit_price": "12.50",
                **_items(("BP", "B-100"), ("VP", "V-200"), description="Blue widget"),
                "po_number": None,
            },
            {
                "line_number": "2",
                "quantity": "48",
                "uom": "EA",
                "unit_price": "0.39",
                **_items(("UP", "012345678905")),
                "po_number": "4500012399",
            },
        ],
        allowances_charges=[
            {
                "type": "allowance",
                "code": "C310",
                "amount": "1.25",
                "description": "Discount",
                "line_number": "1",
            },
            {
                "type": "charge",
                "code": "D240",
                "amount": "15.00",
                "description": "Freight",
                "line_number": None,
            },
        ],
        tax_amount="10.33",
        total_amount="623.00",
    )


def sample_functional_ack() -> Doc:
    def error(element: int | None, component: int | None, code: str | None) -> Doc:
        return {
            "segment_id": "PO1",
            "segment_position": 12,
            "loop_id": "PO1",
            "segment_error_code": "8",
            "element_position": element,
            "component_position": component,
            "element_reference": None if element is None else "330",
            "element_error_code": code,
            "bad_value": "X1" if code == "6" else None,
        }

    return _common(
        "functional_ack",
        acknowledged_functional_id="PO",
        acknowledged_group_control_number="1234",
        status_code="P",
        status="partially_accepted",
        counts={"included": 2, "received": 2, "accepted": 1},
        transaction_sets=[
            {
                "transaction_set": "850",
                "control_number": "0001",
                "status_code": "A",
                "status": "accepted",
                "codes": [],
                "errors": [],
            },
            {
                "transaction_set": "850",
                "control_number": "0002",
                "status_code": "R",
                "status": "rejected",
                "codes": ["5"],
                "errors": [error(2, None, "1"), error(4, 2, "6"), error(None, None, None)],
            },
        ],
    )


SAMPLES: dict[str, Callable[[], Doc]] = {
    "order": sample_order,
    "order_ack": sample_order_ack,
    "ship_notice": sample_ship_notice,
    "invoice": sample_invoice,
    "functional_ack": sample_functional_ack,
}

# -- helpers -------------------------------------------------------------------------------------


def profile(version: str = "004010", delimiters: Delimiters | None = None, **kw: Any) -> Any:
    return EnvelopeProfile(
        sender_id="SENDER",
        receiver_id="RECEIVER",
        version=version,  # type: ignore[arg-type]
        delimiters=delimiters,
        timestamp=STAMP,
        interchange_control_number=42,
        **kw,
    )


def segments_of(text: str, d: Delimiters) -> list[str]:
    return [part.strip("\n") for part in text.split(d.segment) if part.strip("\n")]


def as_delimiters(text: str, d: Delimiters) -> str:
    """A segment written with ``*`` and ``:`` as it looks under other delimiters."""
    return text.translate(str.maketrans({"*": d.element, ":": d.component}))


def effective(version: str, delimiters: Delimiters | None) -> Delimiters:
    return profile(version, delimiters).resolved_delimiters()  # type: ignore[no-any-return]


# -- the samples are canonical documents ---------------------------------------------------------


@pytest.mark.parametrize("doc_type", SAMPLES)
def test_samples_are_valid_canonical_documents(doc_type: str) -> None:
    parse_document(SAMPLES[doc_type]())
    assert doc_type in WRITERS and doc_type in SET_IDS


# -- envelope ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("delims", DELIMITER_SETS)
def test_isa_is_fixed_length_and_padded(version: str, delims: str) -> None:
    d = effective(version, DELIMITER_SETS[delims])
    text = render([sample_order()], profile(version, DELIMITER_SETS[delims], usage="T"))
    isa = text[: text.index(d.segment) + 1]
    assert len(isa) == 106
    isa11, isa12 = ("U", "00401") if version == "004010" else (d.repetition, "00501")
    expected = (
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
        f"*240305*1230*{isa11}*{isa12}*000000042*0*T*:~"
    )
    assert isa == expected.translate(
        str.maketrans({"*": d.element, ":": d.component, "~": d.segment})
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_groups_sets_and_counts(version: str) -> None:
    docs = [sample_order(), sample_invoice(), sample_order()]
    text = render(docs, profile(version, group_control_number=7))
    segs = segments_of(text, Delimiters())
    gs = [s for s in segs if s.startswith("GS*")]
    assert gs == [
        f"GS*PO*SENDER*RECEIVER*20240305*1230*7*X*{version}",
        f"GS*IN*SENDER*RECEIVER*20240305*1230*8*X*{version}",
    ]
    assert [s for s in segs if s.startswith("ST*")] == ["ST*850*0001", "ST*850*0002", "ST*810*0001"]
    assert [s for s in segs if s.startswith("GE*")] == ["GE*2*7", "GE*1*8"]
    assert segs[-1] == "IEA*2*000000042"
    # SE01 counts ST..SE inclusive; SE02 repeats ST02
    start = 0
    for i, s in enumerate(segs):
        if s.startswith("ST*"):
            start = i
        elif s.startswith("SE*"):
            count, number = s.split("*")[1:]
            assert int(count) == i - start + 1
            assert number == segs[start].split("*")[2]


def test_group_control_number_defaults_to_interchange_number() -> None:
    text = render([sample_order()], profile())
    assert "GS*PO*SENDER*RECEIVER*20240305*1230*42*X*004010~" in text


def test_application_ids_and_newlines() -> None:
    p = profile(application_sender_id="APPSEND", newline_after_segment=False)
    text = render([sample_order()], p)
    assert "\n" not in text
    assert "~GS*PO*APPSEND*RECEIVER*" in text
    assert render([sample_order()], profile()).count("~\n") == len(segments_of(text, Delimiters()))


# -- key segments of each set --------------------------------------------------------------------

KEY_SEGMENTS: dict[str, list[str]] = {
    "order": [
        "BEG*00*SA*4500012345**20240305",
        "CUR*BY*USD",
        "REF*VR*54321*vendor ref",
        "ITD*01*3*2**10**30*****2% 10 NET 30",
        "DTM*010*20240309*1030",
        "DTM*002*20240312",
        "N9*L1*NOTES",
        "MSG*Deliver to dock 4",
        "N1*ST*ACME Distribution Center*92*ST-1",
        "N3*1 Main St",
        "N4*Austin",
        "PO1*1*10*EA*12.50**BP*B-100*VP*V-200",
        "PID*F****Blue widget",
        "DTM*002*20240314",
        "N1*ST*Store 12*92*ST-1",
        "PO1*2*48.00*CA*0.39**UP*012345678905",
        "CTT*2",
        "AMT*TT*623.00",
    ],
    "order_ack": [
        "BAK*00*AC*4500012345*20240305****SO-981*20240306",
        "ACK*IA*10*EA*068*20240310",
        "ACK*IB*48.00*CA",
        "ACK*IA*0*CA*067*20240401",
        "N1*SE*Widget Works*92*SE-1",
        "CTT*2",
    ],
    "ship_notice": [
        "BSN*00*SH-1001*20240307*1645",
        "DTM*011*20240307*1645",
        "HL*1**S*1",
        "TD1**3****G*120.5*LB",
        "TD5**2*UPSN*M*UPS",
        "REF*BM*BOL-77",
        "REF*CN*1Z999",
        "N1*SF*Widget Works Plant 2*92*SF-1",
        "HL*2*1*O*1",
        "PRF*4500012345***20240305",
        "REF*IA*VEND-9",
        "HL*3*2*P*1",
        "MAN*GM*000012345600000001",
        "HL*4*3*I*0",
        "LIN*1*BP*B-100",
        "SN1**6*EA",
        "PID*F****Item 1",
        "HL*7*5*I*0",
        "CTT*7",
    ],
    "invoice": [
        "BIG*20240308*INV-2024-77*20240305*4500012345",
        "NTE*GEN*Thank you for your business",
        "CUR*SE*USD",
        "N1*RI*Widget Works*92*RI-1",
        "ITD*05*3*****30",
        "DTM*011*20240307",
        "IT1*1*10*EA*12.50**BP*B-100*VP*V-200",
        "SAC*A*C310***125**********Discount",
        "IT1*2*48*EA*0.39**UP*012345678905",
        "REF*PO*4500012399",
        "TDS*62300",
        "TXI*TX*10.33",
        "SAC*C*D240***1500**********Freight",
        "CTT*2",
    ],
    "functional_ack": [
        "AK1*PO*1234",
        "AK2*850*0001",
        "AK5*A",
        "AK2*850*0002",
        "AK3*PO1*12*PO1*8",
        "AK4*2*330*1",
        "AK4*4:2*330*6*X1",
        "AK5*R*5",
        "AK9*P*2*2*1",
    ],
}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("delims", DELIMITER_SETS)
@pytest.mark.parametrize("doc_type", SAMPLES)
def test_key_segments(doc_type: str, delims: str, version: str) -> None:
    d = effective(version, DELIMITER_SETS[delims])
    p = profile(version, DELIMITER_SETS[delims], functional_ack_set="997")
    segs = segments_of(render([SAMPLES[doc_type]()], p), d)
    for expected in KEY_SEGMENTS[doc_type]:
        assert as_delimiters(expected, d) in segs
    assert segs[2] == as_delimiters(f"ST*{SET_IDS[doc_type]}*0001", d)


def test_999_in_005010() -> None:
    segs = segments_of(render([sample_functional_ack()], profile("005010")), Delimiters())
    body = segs[segs.index("ST*999*0001") : segs.index("GE*1*42")]
    assert body == [
        "ST*999*0001",
        "AK1*PO*1234*005010",
        "AK2*850*0001",
        "IK5*A",
        "AK2*850*0002",
        "IK3*PO1*12*PO1*8",
        "IK4*2*330*1",
        "IK4*4:2*330*6*X1",
        "IK3*PO1*12*PO1*8",
        "IK5*R*5",
        "AK9*P*2*2*1",
        "SE*12*0001",
    ]
    with pytest.raises(RenderError):
        render([sample_functional_ack()], profile("004010", functional_ack_set="999"))


def test_codes_from_meanings_and_derived_counts() -> None:
    order = sample_order() | {"purpose_code": None, "purpose": "replace"}
    order["parties"][0]["role_code"] = None
    ack = sample_functional_ack() | {"status_code": None, "status": "rejected", "counts": None}
    text = render([order, ack], profile())
    assert "BEG*05*SA*" in text
    assert "N1*ST*ACME Distribution Center" in text
    assert "AK9*R*2*2*1~" in text
    order["purpose"] = "other"
    with pytest.raises(RenderError) as info:
        render([order], profile())
    assert info.value.field == "purpose"


def test_conveniences_without_item_ids_are_sent_as_pairs() -> None:
    order = sample_order()
    order["lines"][1] |= {"item_ids": [], "vendor_part_number": "V-9", "gtin": "00012345678905"}
    order["lines"][1]["upc"] = None
    assert "PO1*2*48.00*CA*0.39**VP*V-9*UK*00012345678905~" in render([order], profile())


def test_long_names_descriptions_and_addresses_are_split() -> None:
    order = sample_order()
    words = "word " * 30  # 150 characters
    order["parties"][0] |= {"name": words.strip()}
    order["parties"][0]["address"]["lines"] = ["a", "b", "c"]
    order["lines"][0]["description"] = words.strip()
    segs = segments_of(render([order], profile()), Delimiters())
    n1 = next(s for s in segs if s.startswith("N1*ST*word"))
    assert len(n1.split("*")[2]) <= 60
    n2 = segs[segs.index(n1) + 1]
    assert n2.startswith("N2*") and len(n2.split("*")) == 3
    assert " ".join([n1.split("*")[2], *n2.split("*")[1:]]) == words.strip()
    assert "N3*a*b" in segs and "N3*c" in segs
    pids = [s.split("*")[5] for s in segs if s.startswith("PID*F****word")]
    assert len(pids) == 2 and all(len(p) <= 80 for p in pids)
    assert " ".join(pids) == words.strip()


def test_implied_decimals() -> None:
    invoice = sample_invoice() | {"total_amount": "-5"}
    assert "TDS*-500~" in render([invoice], profile())
    invoice["total_amount"] = "623.456"
    with pytest.raises(RenderError) as info:
        render([invoice], profile())
    assert info.value.field == "total_amount"


def test_ship_notice_hierarchy_is_written_as_sent() -> None:
    notice = sample_ship_notice() | {"dates": [], "ship_time": None}
    notice["hierarchy"] = [
        {
            "hl_id": "1",
            "parent_id": None,
            "level_code": "S",
            "child_code": "1",
            "segments": [["MEA", "PD", "G", "10", "LB:12"], ["TD5", "", "2", "FDEG"]],
        },
        {
            "hl_id": "2",
            "parent_id": "1",
            "level_code": "I",
            "child_code": None,
            "segments": [["LIN", "", "VP", "X-1"], ["SN1", "", "3", "EA"]],
        },
    ]
    segs = segments_of(render([notice], profile()), Delimiters())
    body = segs[segs.index("ST*856*0001") + 1 : segs.index("GE*1*42") - 1]
    assert body == [
        "BSN*00*SH-1001*20240307*0000",
        "DTM*011*20240307",
        "HL*1**S*1",
        "MEA*PD*G*10*LB:12",
        "TD5**2*FDEG",
        "HL*2*1*I",
        "LIN**VP*X-1",
        "SN1**3*EA",
        "CTT*2",
    ]


def test_ship_notice_tares_and_loose_items() -> None:
    notice = sample_ship_notice()
    order = notice["orders"][0]
    tare = {"sscc": "T1", "marks_qualifier": "GM", "parent_sscc": None, "item_line_number": None}
    order["packs"] = [
        tare | {"items": []},
        tare | {"sscc": "P1", "parent_sscc": "T1", "items": [_ship_item("1", "2", ("VP", "V"))]},
    ]
    loose = {"po_number": None, "po_date": None, "parties": [], "references": [], "packs": []}
    notice["orders"].append(loose | {"items": [_ship_item("9", "1", ("VP", "W"))]})
    segs = segments_of(render([notice], profile()), Delimiters())
    hls = [s for s in segs if s.startswith("HL*")]
    # S, the order, a tare with a pack with an item inside; the loose item right under S
    assert hls == ["HL*1**S*1", "HL*2*1*O*1", "HL*3*2*T*1", "HL*4*3*P*1", "HL*5*4*I*0", *hls[5:]]
    assert hls[5:] == ["HL*6*1*I*0"]


def test_ship_notice_notes_without_hierarchy_are_refused() -> None:
    with pytest.raises(RenderError) as info:
        render([sample_ship_notice() | {"notes": ["fragile"]}], profile())
    assert info.value.field == "notes"


# -- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "field", "position"),
    [
        (("po_number",), "45*00", "po_number", "BEG03"),
        (("lines", 0, "description"), "Blue~widget", "lines[0].description", "PID05"),
        (("parties", 0, "name"), "ACME:DC", "parties[0].name", "N102"),
        (("lines", 1, "item_ids", 0, "value"), "0123\n45", "lines[1].item_ids[0].value", "PO107"),
        (("notes", 0), "a*b", "notes[0]", "MSG01"),
    ],
)
def test_delimiter_in_value_is_refused(
    path: tuple[str | int, ...], value: str, field: str, position: str
) -> None:
    doc = sample_order()
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(RenderError) as info:
        render([doc], profile())
    assert info.value.field == field
    assert info.value.value == value
    assert field in str(info.value) and position in str(info.value)


def test_repetition_separator_is_a_delimiter_only_in_005010() -> None:
    doc = sample_order() | {"po_number": "45^00"}
    assert "BEG*00*SA*45^00**" in render([doc], profile("004010"))
    with pytest.raises(RenderError, match="repetition separator"):
        render([doc], profile("005010"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sender_id": "S" * 16}, "profile.sender_id"),
        ({"receiver_qualifier": ""}, "profile.receiver_qualifier"),
        ({"sender_id": "A*B"}, "profile.sender_id"),
        ({"interchange_control_number": 10**9}, "profile.interchange_control_number"),
        ({"delimiters": Delimiters("*", "*", "~")}, "profile.delimiters"),
        ({"application_receiver_id": "X"}, "profile.application_receiver_id"),
    ],
)
def test_bad_profiles_are_refused(change: dict[str, Any], field: str) -> None:
    p = profile()
    for key, value in change.items():
        setattr(p, key, value)
    with pytest.raises(RenderError) as info:
        render([sample_order()], p)
    assert info.value.field == field


def test_unknown_document_type_is_refused() -> None:
    with pytest.raises(RenderError) as info:
        render([sample_order(), {"document_type": "remittance"}], profile())
    assert info.value.field == "document_type"
    assert "document 2" in str(info.value)


def test_invalid_sets_are_refused_naming_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    m = spec_model
    refs = ("353", "92", "324", "328", "373")
    beg = m.seg("BEG", "Beginning", *(m.el(r, m.O if r == "328" else m.M) for r in refs))
    # An id of its own: the validator caches compiled specs by (id, version, delimiters).
    spec = m.TransactionSetSpec(
        id="850-test",
        version="004010",
        functional_id="PO",
        name="test",
        structure=(m.s("ST", m.M), m.s("BEG", m.M)),
        segments={"BEG": beg},
        elements={
            "353": m.ElementDef("353", "ID", 2, 2),
            "92": m.ElementDef("92", "ID", 2, 2),
            "324": m.ElementDef("324", "AN", 1, 22),
            "328": m.ElementDef("328", "AN", 1, 30),
            "373": m.ElementDef("373", "DT", 8, 8),
        },
    )
    monkeypatch.setattr(envelope_module, "get_spec", lambda set_id, version: spec)
    with pytest.raises(RenderError) as info:
        render([sample_order() | {"po_number": None}], profile())
    assert info.value.field == "po_number"
    assert "BEG03" in str(info.value)


# -- render_segments and re-reading --------------------------------------------------------------


def test_render_segments_drops_trailing_empties() -> None:
    segments: list[list[Any]] = [["REF", "ZZ", "", ""], ["AK4", ("2", "", ""), "", "1", ""]]
    assert render_segments(segments, Delimiters()) == "REF*ZZ~AK4*2**1~"
    assert render_segments([["AK4", ("2", "1"), "", "6"]], PIPES, newline=True) == "AK4|2>1||6\n"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("delims", DELIMITER_SETS)
def test_tokenizer_reads_the_interchange_back(version: str, delims: str) -> None:
    d = effective(version, DELIMITER_SETS[delims])
    docs = [factory() for factory in SAMPLES.values()]
    text = render(docs, profile(version, DELIMITER_SETS[delims]))
    tokens = list(Tokenizer(io.BytesIO(text.encode()), strict=True))
    header = tokens[0]
    assert isinstance(header, IsaHeader)
    assert header.delimiters == d
    assert header.warnings == []
    assert header.control_number == "000000042"
    assert [t for t in tokens[1:] if isinstance(t, str)] == segments_of(text, d)[1:]


def test_cxml_parties_render_as_x12_n1_codes() -> None:
    """A document read from cXML (role_code "shipTo", addressIDDomain "buyerLocationID") still
    renders as valid X12: N101 from the canonical role, N103 92 (assigned by the buyer)."""
    from translators.x12.translate import Document as Translated
    from translators.x12.translate import translate

    ack = sample_order_ack()
    ack["parties"] = [
        {
            "role": "ship_to",
            "role_code": "shipTo",
            "name": "Northwind DC 3",
            "id_qualifier": "buyerLocationID",
            "id": "0003",
            "address": _address("1450 Industrial Pkwy", city="Minneapolis"),
        },
        {"role": "bill_to", "role_code": "billTo", "name": "Northwind Co", "address": _address()},
    ]
    text = render([ack], profile())
    n1 = [s.strip() for s in text.split("~") if s.strip().startswith("N1*")]
    assert n1[:2] == ["N1*ST*Northwind DC 3*92*0003", "N1*BT*Northwind Co"]  # then line N1s
    (item,) = list(translate(io.BytesIO(text.encode())))
    assert isinstance(item, Translated), item
    assert [p["role"] for p in item.data["parties"]] == ["ship_to", "bill_to"]
