"""850 purchase order -> canonical ``order``.

Header segments up to the first PO1 give the document's parties, references, dates, notes;
each PO1 opens a line whose own N1 loops, DTM and PID belong to it; CTT opens the summary.
An SLN sub-line loop inside a line is skipped (its PID texts are not the line's description).
"""

from __future__ import annotations

from translators.canonical.codes import purpose
from translators.x12.interchange import TransactionSet
from translators.x12.readers.common import (
    Block,
    Json,
    Segment,
    description,
    el,
    el_date,
    el_decimal,
    first_date,
    item_part,
    terms,
)

REQUESTED_DELIVERY = "002"  # DTM01


def po1_line(seg: Segment, pos: int) -> Json:
    """The order-line fields of a PO1 (855 lines start the same way)."""
    if len(seg) < 5:
        seg = seg + [""] * (5 - len(seg))
    quantity = seg[2].strip()
    price = seg[4].strip()
    line: Json = {
        "line_number": seg[1].strip() or None,
        "quantity": el_decimal(seg, pos, 2) if quantity else None,
        "uom": seg[3].strip() or None,
        "unit_price": el_decimal(seg, pos, 4) if price else None,
    }
    line.update(item_part(seg, 6))
    line["requested_delivery_date"] = None
    line["parties"] = []
    return line


def finish_line(line: Json, block: Block) -> Json:
    """Fill what the segments after the PO1 told: description, delivery date, parties."""
    line["description"] = description(block.descriptions)
    line["requested_delivery_date"] = first_date(block.dates, REQUESTED_DELIVERY)
    line["parties"] = block.parties
    return line


def read_order(ts: TransactionSet) -> Json:
    notes: list[str] = []
    header = Block(notes)
    block = header
    lines: list[tuple[Json, Block]] = []
    in_line = False
    head: Json = {
        "po_number": None,
        "po_date": None,
        "release_number": None,
        "purpose_code": None,
        "purpose": None,
        "order_type_code": None,
    }
    currency: str | None = None
    total: str | None = None
    order_terms: Json | None = None
    for pos, seg in enumerate(ts.segments, 1):
        sid = seg[0]
        if sid == "PO1":
            block = Block(notes)
            lines.append((po1_line(seg, pos), block))
            in_line = True
            continue
        if block.feed(sid, seg, pos):
            continue
        if sid == "BEG":
            code = el(seg, 1)
            head = {
                "po_number": el(seg, 3),
                "po_date": el_date(seg, pos, 5),
                "release_number": el(seg, 4),
                "purpose_code": code,
                "purpose": purpose(code),
                "order_type_code": el(seg, 2),
            }
        elif sid == "CTT":
            block = header.shared()
            in_line = False
        elif in_line:
            if sid == "SLN":
                block = Block(notes)  # sub-line loop: read, then dropped
        elif sid == "AMT":
            if total is None and el(seg, 1) == "TT":
                total = el_decimal(seg, pos, 2)
        elif sid == "CUR":
            if currency is None:
                currency = el(seg, 2)
        elif sid == "ITD" and order_terms is None:
            order_terms = terms(seg, pos)
    doc: Json = {
        "document_type": "order",
        "envelope": ts.envelope,
        "warnings": list(ts.warnings),
        "parties": header.parties,
        "references": header.references,
        "dates": header.dates,
        "notes": notes,
    }
    doc.update(head)
    doc["currency"] = currency
    doc["requested_delivery_date"] = first_date(header.dates, REQUESTED_DELIVERY)
    doc["total_amount"] = total
    doc["terms"] = order_terms
    doc["lines"] = [finish_line(line, b) for line, b in lines]
    return doc
