"""cXML readers: the project's samples, the cross-format check, mapping rules, errors.

``samples/cxml/<name>.xml`` each have ``<name>.json`` next to them: the canonical documents
`translate` must print, written by hand from CONTRACT.md and the mapping notes in the reader
modules (the oracle, not a snapshot). Every sample is valid against the cXML 1.2.071 DTD for
its type (from the public corpus, never copied here).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.commands.translate import run_translate
from tests.conftest import SAMPLES
from translators.canonical import parse_document
from translators.cxml import CxmlError, read_cxml
from translators.cxml.common import party_role, role_word
from translators.errors import UnsupportedError, XmlError
from translators.xml.documents import read_xml
from translators.xml.safe import load_dtd, parse_xml, validate_dtd

Doc = dict[str, Any]
CXML_SAMPLES = SAMPLES / "cxml"
SAMPLE_FILES = sorted(CXML_SAMPLES.glob("*.xml"))
#: The DTD of each request type (cXML 1.2.071, as the DTD files say).
DTD_FOR = {
    "OrderRequest": "cXML.dtd",
    "ConfirmationRequest": "Fulfill.dtd",
    "ShipNoticeRequest": "Fulfill.dtd",
    "InvoiceDetailRequest": "InvoiceDetail.dtd",
}


def dtd_errors(data: bytes, corpus: Path) -> list[str]:
    kind = read_cxml(data)["envelope"]["transaction_set"]
    return validate_dtd(data, load_dtd(corpus / "schemas" / "cxml" / "1.2.071" / DTD_FOR[kind]))


def _translate(path: Path) -> tuple[int, Any, str]:
    out, err = io.BytesIO(), io.StringIO()
    with path.open("rb") as stream:
        code = run_translate(stream, path.name, strict=False, out=out, err=err)
    return code, json.loads(out.getvalue()), err.getvalue()


def _key_order(value: Any) -> Any:
    if isinstance(value, dict):
        return [[key, _key_order(item)] for key, item in value.items()]
    if isinstance(value, list):
        return [_key_order(item) for item in value]
    return value


def cxml(request: str, *, header: str = "", root: str = 'payloadID="p@x" timestamp="t"') -> bytes:
    """A minimal cXML document around ``request`` (the Request element's content)."""
    return (f"<cXML {root}><Header>{header}</Header><Request>{request}</Request></cXML>").encode()


# -- samples -----------------------------------------------------------------------------------


def test_every_request_type_has_a_sample() -> None:
    kinds = {read_cxml(p.read_bytes())["envelope"]["transaction_set"] for p in SAMPLE_FILES}
    assert kinds == set(DTD_FOR)
    assert (CXML_SAMPLES / "order-basic.xml").is_file()  # the cross-format twin of an 850
    for path in SAMPLE_FILES:
        assert path.with_suffix(".json").is_file(), f"{path.name} has no expected .json"


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_translates_to_its_expected_documents(path: Path) -> None:
    code, documents, stderr = _translate(path)
    assert (code, stderr) == (0, "")
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert documents == expected
    assert _key_order(documents) == _key_order(expected)
    for document in documents:
        parse_document(document)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_expected_json_is_pretty_printed(path: Path) -> None:
    text = path.with_suffix(".json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2) + "\n"


@pytest.mark.corpus
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_is_valid_against_its_dtd(path: Path, corpus: Path) -> None:
    assert dtd_errors(path.read_bytes(), corpus) == []


# -- cross-format: an 850 and its cXML twin ----------------------------------------------------


def _comparable_line(line: Doc) -> Doc:
    # cXML lists ItemID children in DTD order (SupplierPartID first): compare ids as a set.
    ids = sorted((i["qualifier"], i["value"]) for i in line["item_ids"])
    return {**line, "item_ids": ids}


def _comparable_party(party: Doc) -> Doc:
    # role_code (N101 "ST" vs "shipTo") and id_qualifier (N103 "92" vs addressIDDomain) are
    # each standard's own codes; the role, name, id and address must agree.
    return {k: party[k] for k in ("role", "name", "id", "address")}


def test_x12_850_and_cxml_order_request_agree() -> None:
    code, (x12,), _ = _translate(SAMPLES / "x12" / "850" / "basic-004010.x12")
    assert code == 0
    code, (cx,), _ = _translate(CXML_SAMPLES / "order-basic.xml")
    assert code == 0
    assert [_comparable_line(ln) for ln in cx["lines"]] == [
        _comparable_line(ln) for ln in x12["lines"]
    ]
    assert [_comparable_party(p) for p in cx["parties"]] == [
        _comparable_party(p) for p in x12["parties"]
    ]
    for field in ("po_number", "po_date", "purpose", "currency", "total_amount"):
        assert cx[field] == x12[field], field
    assert cx["requested_delivery_date"] == x12["requested_delivery_date"]
    for field in ("discount_percent", "discount_days", "net_days"):
        assert cx["terms"][field] == x12["terms"][field], field


# -- the public corpus: values checked by reading the files ------------------------------------


def corpus_doc(corpus: Path, name: str) -> Doc:
    doc = read_cxml((corpus / "xml" / "cxml" / name).read_bytes())
    parse_document(doc)
    return doc


@pytest.mark.corpus
def test_corpus_order_request(corpus: Path) -> None:
    doc = corpus_doc(corpus, "cxml-php__OrderRequest.xml")
    assert doc["envelope"]["test"] is True  # deploymentMode="test"
    assert doc["envelope"]["version"] == "1.2.050"  # from the DOCTYPE's system id
    assert (doc["po_number"], doc["po_date"], doc["total_amount"]) == (
        "DO1234",
        "2000-10-12",
        "85.00",
    )
    assert [p["role"] for p in doc["parties"]] == ["ship_to", "bill_to"]
    assert doc["parties"][0]["address"]["lines"] == ["Joe Smith", "Mailstop M-543", "123 Anystreet"]
    assert doc["notes"] == ["Test comment"]  # the header Comments hold only an Attachment
    assert [ln["requested_delivery_date"] for ln in doc["lines"]] == ["2020-02-28"] * 2


@pytest.mark.corpus
def test_corpus_order_request_extrinsics_and_contacts(corpus: Path) -> None:
    doc = corpus_doc(corpus, "cxml-ruby__order_request.xml")
    assert doc["envelope"]["test"] is False
    assert doc["parties"][2]["role"] == "end_user"
    assert doc["references"] == [{"qualifier": "legacy_po", "value": None, "description": None}]
    assert doc["lines"][0]["item_ids"] == [
        {"qualifier": "VP", "value": "product:1861"},
        {"qualifier": "VS", "value": "product-requisition:6236"},
    ]
    assert doc["lines"][0]["unit_price"] == "8.1"


@pytest.mark.corpus
def test_corpus_confirmation(corpus: Path) -> None:
    doc = corpus_doc(corpus, "cxml-ruby__ConfirmationRequest_request_doc.xml")
    assert (doc["ack_type_code"], doc["status"]) == ("detail", "accepted_with_changes")
    assert doc["seller_order_number"] is None  # confirmID=""
    assert doc["po_number"] == "400-2591453-0"
    assert doc["currency"] == "USD"  # no Total: taken from the confirmed unit prices
    assert [ln["scheduled_date"] for ln in doc["lines"]] == ["2012-09-05"] * 3


@pytest.mark.corpus
def test_corpus_ship_notice(corpus: Path) -> None:
    doc = corpus_doc(corpus, "cxml-php__ShipNoticeRequest.xml")
    assert (doc["ship_date"], doc["ship_time"]) == ("2000-10-14", "08:30:19")
    assert doc["carrier"] == {"qualifier": "SCAC", "id": "FDE", "name": "Federal Express"}
    assert doc["tracking_numbers"] == ["8202 8261 1194"]
    assert [o["po_number"] for o in doc["orders"]] == ["DO1234"]


@pytest.mark.corpus
def test_corpus_invoices(corpus: Path) -> None:
    at_line = corpus_doc(corpus, "cxml-ruby__invoice_taxes_at_line.xml")
    assert at_line["tax_amount"] == "8"
    assert at_line["total_amount"] is None  # NetAmount sent empty, no DueAmount/GrossAmount
    assert [(c["code"], c["amount"]) for c in at_line["allowances_charges"]] == [
        ("H090", "5"),
        ("G830", "30"),
    ]
    multi = corpus_doc(corpus, "cxml-ruby__invoice_backed_by_multiple_pos.xml")
    # Two orders referenced by payloadID only (no orderID): PO numbers unknown, refs kept.
    assert multi["po_number"] is None
    assert [ln["po_number"] for ln in multi["lines"]] == [None, None]
    assert [r["value"] for r in multi["references"] if r["qualifier"] == "OrderReference"] == [
        "2252",
        "2253",
    ]
    mixed = corpus_doc(corpus, "cxml-ruby__invoice_backed_and_unbacked_by_pos.xml")
    assert {"qualifier": "MasterAgreementReference", "value": "l", "description": None} in mixed[
        "references"
    ]


# -- mapping rules -----------------------------------------------------------------------------


ORDER = """
<OrderRequest>
  <OrderRequestHeader orderID="PO1" orderDate="{date}"{type}>
    <Total><Money currency="USD">{total}</Money></Total>
    <BillTo><Address><Name xml:lang="en">B</Name></Address></BillTo>
  </OrderRequestHeader>
  <ItemOut quantity="{quantity}" lineNumber="1">
    <ItemID><SupplierPartID>S1</SupplierPartID></ItemID>
  </ItemOut>
</OrderRequest>"""


def order(**values: str) -> bytes:
    fields = {"date": "2024-02-29T23:59:59+14:00", "type": "", "total": "1.50", "quantity": "2"}
    fields.update(values)
    return cxml(ORDER.format(**fields))


@pytest.mark.parametrize(
    ("attribute", "code", "purpose"),
    [
        ("", "new", "original"),  # the DTD's default
        (' type="new"', "new", "original"),
        (' type="update"', "update", "replace"),
        (' type="delete"', "delete", "cancel"),
        (' type="other"', "other", "other"),
    ],
)
def test_order_type_is_the_purpose(attribute: str, code: str, purpose: str) -> None:
    doc = read_cxml(order(type=attribute))
    assert (doc["purpose_code"], doc["purpose"]) == (code, purpose)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-29T23:59:59+14:00", "2024-02-29"),  # the local date as written, not UTC
        ("2024-02-29", "2024-02-29"),
        ("2024-02-29T10:00:00.125Z", "2024-02-29"),
        ("2024-02-29 10:00", "2024-02-29"),
    ],
)
def test_dates_are_the_date_part(value: str, expected: str) -> None:
    assert read_cxml(order(date=value))["po_date"] == expected


@pytest.mark.parametrize("value", ["2023-02-29T00:00:00Z", "29/02/2024", "2024-02-29T25:00"])
def test_a_bad_date_is_refused_with_its_location(value: str) -> None:
    with pytest.raises(CxmlError) as info:
        read_cxml(order(date=value))
    message = str(info.value)
    assert "/cXML/Request/OrderRequest/OrderRequestHeader@orderDate" in message
    assert repr(value) in message


@pytest.mark.parametrize(("sent", "kept"), [("85.00", "85.00"), (".39", "0.39"), ("-5", "-5")])
def test_decimals_keep_the_precision_sent(sent: str, kept: str) -> None:
    assert read_cxml(order(total=sent))["total_amount"] == kept


@pytest.mark.parametrize("value", ["1,5", "abc", "1.2.3"])
def test_a_bad_number_is_refused_with_its_location(value: str) -> None:
    with pytest.raises(CxmlError, match=r"ItemOut@quantity: is not a decimal number"):
        read_cxml(order(quantity=value))


def test_envelope_from_the_header() -> None:
    header = (
        '<From><Credential domain="DUNS"><Identity> 123 </Identity></Credential>'
        '<Credential domain="NetworkID"><Identity>AN1</Identity></Credential></From>'
        '<To><Credential domain="NetworkID"><Identity>AN2</Identity></Credential></To>'
    )
    doc = read_cxml(
        cxml(
            ORDER.format(date="2024-01-01", type="", total="1", quantity="1"),
            header=header,
            root='version="1.2.060" payloadID="p1" timestamp="ts"',
        )
    )
    assert doc["envelope"] == {
        "standard": "cxml",
        "sender_id": "123",
        "sender_qualifier": "DUNS",
        "receiver_id": "AN2",
        "receiver_qualifier": "NetworkID",
        "interchange_control_number": None,
        "group_control_number": None,
        "functional_id": None,
        "version": "1.2.060",
        "transaction_set": "OrderRequest",
        "transaction_control_number": None,
        "test": False,
        "payload_id": "p1",
        "timestamp": "ts",
    }


@pytest.mark.parametrize(
    ("word", "role"),
    [
        ("shipTo", "ship_to"),
        ("billTo", "bill_to"),
        ("supplierCorporate", "supplier"),
        ("endUser", "end_user"),
        ("technicalSupport", "technical_support"),
        ("from", "from"),
    ],
)
def test_party_roles(word: str, role: str) -> None:
    assert party_role(word) == role
    assert role_word(role, word) == word


def test_role_words_for_x12_roles() -> None:
    assert role_word("ship_to", "ST") == "shipTo"
    assert role_word("remit_to", "RI") == "remitTo"
    assert role_word("vendor", "VN") == "vendor"
    assert role_word("ordered_by", "OB") == "orderedBy"
    assert party_role("orderedBy") == "ordered_by"
    assert role_word("customer_location", "LW") == "customerLocation"


# -- what is refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (cxml("<StatusUpdateRequest/>"), "StatusUpdateRequest"),
        (cxml("<PunchOutSetupRequest/>"), "PunchOutSetupRequest"),
        (
            b'<cXML payloadID="p" timestamp="t"><Response><Status code="200"/></Response></cXML>',
            "Response",
        ),
        (
            b"<cXML><Header/><Message><PunchOutOrderMessage/></Message></cXML>",
            "PunchOutOrderMessage",
        ),
        (b'<Order xmlns="urn:example:partner-orders"/>', "Order"),
    ],
)
def test_unsupported_types_name_themselves(data: bytes, kind: str) -> None:
    with pytest.raises(UnsupportedError) as info:
        read_xml(data)
    assert info.value.kind == kind
    assert str(info.value).startswith(f"unsupported: {kind}")


def test_a_supported_request_under_a_lowercase_root_is_refused() -> None:
    data = cxml(ORDER.format(date="2024-01-01", type="", total="1", quantity="1"))
    with pytest.raises(CxmlError, match="root element is <cxml>"):
        read_cxml(data.replace(b"cXML", b"cxml"))


def test_a_cxml_document_without_a_request_is_refused() -> None:
    with pytest.raises(CxmlError, match="without a Request"):
        read_cxml(b"<cXML><Header/></cXML>")


def test_translate_exit_codes(tmp_path: Path) -> None:
    cases = {
        "ok.xml": (order(), 0),
        "unsupported.xml": (cxml("<StatusUpdateRequest/>"), 1),
        "bad-value.xml": (order(quantity="x"), 1),
        "malformed.xml": (b"<cXML>", 2),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        code, documents, err = _translate(path)
        assert code == expected, (name, err)
        assert "Traceback" not in err
        assert (documents != []) == (expected == 0)
        assert err == "" if expected == 0 else err.startswith(f"{name}: ")


def test_parse_errors_are_xml_errors() -> None:
    with pytest.raises(XmlError):
        read_cxml(b"<cXML><Request></cXML>")
    assert parse_xml(order()).tag == "cXML"
