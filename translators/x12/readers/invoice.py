"""810 invoice -> canonical ``invoice``.

Header segments up to the first IT1; each IT1 opens a line (its REF*PO names the line's PO on
multi-PO invoices, its SAC segments are line-level allowances and charges); TDS opens the
summary, whose TXI amounts make ``tax_amount`` and whose SACs are invoice-level again.
Invoice lines have no ``parties`` in the contract: N1 loops inside an IT1 loop are read and
dropped (they must not leak into the invoice's parties).
"""

from __future__ import annotations

from decimal import Decimal

from translators.x12.interchange import TransactionSet
from translators.x12.readers.common import (
    Block,
    Json,
    Segment,
    description,
    el,
    el_date,
    el_decimal,
    el_implied,
    item_part,
    terms,
)

_SAC_TYPES = {"A": "allowance", "C": "charge"}
# Segments that only the summary area carries: the line items are over when one appears.
_SUMMARY = frozenset(("TDS", "CAD", "ISS", "CTT"))


def _it1_line(seg: Segment, pos: int) -> Json:
    line: Json = {
        "line_number": el(seg, 1),
        "quantity": el_decimal(seg, pos, 2),
        "uom": el(seg, 3),
        "unit_price": el_decimal(seg, pos, 4),
    }
    line.update(item_part(seg, 6))
    line["po_number"] = None
    return line


def _finish(line: Json, block: Block) -> Json:
    line["description"] = description(block.descriptions)
    for ref in block.references:
        if ref["qualifier"] == "PO" and ref["value"] is not None:
            line["po_number"] = ref["value"]
            break
    return line


def _allowance_charge(seg: Segment, pos: int, kind: str, line_number: str | None) -> Json:
    return {
        "type": kind,
        "code": el(seg, 2),
        "amount": el_implied(seg, pos, 5, 2),
        "description": el(seg, 15),
        "line_number": line_number,
    }


def read_invoice(ts: TransactionSet) -> Json:
    notes: list[str] = []
    header = Block(notes)
    block = header
    lines: list[tuple[Json, Block]] = []
    line: Json | None = None  # the current line; None at header and summary level
    summary = False
    head: Json = {"invoice_number": None, "invoice_date": None, "po_number": None, "po_date": None}
    currency: str | None = None
    invoice_terms: Json | None = None
    charges: list[Json] = []
    taxes: list[str] = []
    total: str | None = None
    for pos, seg in enumerate(ts.segments, 1):
        sid = seg[0]
        if sid == "IT1":
            block = Block(notes)
            line = _it1_line(seg, pos)
            lines.append((line, block))
            continue
        if sid in _SUMMARY and not summary:
            block = header.shared()
            line = None
            summary = True
        if block.feed(sid, seg, pos):
            continue
        if sid == "SAC":
            kind = _SAC_TYPES.get(el(seg, 1) or "")
            if kind is not None:  # SAC01 "N": no allowance or charge, information only
                number = None if line is None else line["line_number"]
                charges.append(_allowance_charge(seg, pos, kind, number))
        elif sid == "TXI":
            if summary:
                amount = el_decimal(seg, pos, 2)
                if amount is not None:
                    taxes.append(amount)
        elif sid == "TDS":
            total = el_implied(seg, pos, 1, 2)
        elif sid == "BIG":
            head = {
                "invoice_number": el(seg, 2),
                "invoice_date": el_date(seg, pos, 1),
                "po_number": el(seg, 4),
                "po_date": el_date(seg, pos, 3),
            }
        elif line is not None:
            if sid == "SLN":
                block = Block(notes)  # sub-line loop: read, then dropped
        elif summary:
            continue
        elif sid == "CUR":
            if currency is None:
                currency = el(seg, 2)
        elif sid == "ITD" and invoice_terms is None:
            invoice_terms = terms(seg, pos)
    if len(taxes) > 1:
        # Several summary TXI (e.g. state and federal): the invoice's tax is their sum.
        taxes = [format(sum((Decimal(t) for t in taxes), Decimal(0)), "f")]
    doc: Json = {
        "document_type": "invoice",
        "envelope": ts.envelope,
        "warnings": list(ts.warnings),
        "parties": header.parties,
        "references": header.references,
        "dates": header.dates,
        "notes": notes,
    }
    doc.update(head)
    doc["currency"] = currency
    doc["terms"] = invoice_terms
    doc["lines"] = [_finish(ln, b) for ln, b in lines]
    doc["allowances_charges"] = charges
    doc["tax_amount"] = taxes[0] if taxes else None
    doc["total_amount"] = total
    return doc
