"""855 purchase order acknowledgment -> canonical ``order_ack``.

Read like an 850 (header, PO1 lines, CTT summary); each ACK in a line's loop becomes one of
its ``acks``, and the line's ``status_code``/``status``/``scheduled_date`` are taken from them.
"""

from __future__ import annotations

from translators.canonical.codes import (
    SCHEDULED_DATE_QUALIFIERS,
    line_ack_status,
    order_ack_status,
)
from translators.x12.interchange import TransactionSet
from translators.x12.readers.common import Block, Json, Segment, el, el_date, el_decimal
from translators.x12.readers.order import finish_line, po1_line


def line_ack(seg: Segment, pos: int) -> Json:
    code = el(seg, 1)
    return {
        "status_code": code,
        "status": line_ack_status(code),
        "quantity": el_decimal(seg, pos, 2),
        "uom": el(seg, 3),
        "date_qualifier": el(seg, 4),
        "date": el_date(seg, pos, 5),
    }


def _finish(line: Json, block: Block) -> Json:
    finish_line(line, block)
    acks: list[Json] = line["acks"]
    if acks:
        line["status_code"] = acks[0]["status_code"]
        line["status"] = acks[0]["status"]
    for ack in acks:
        if ack["date"] is not None and ack["date_qualifier"] in SCHEDULED_DATE_QUALIFIERS:
            line["scheduled_date"] = ack["date"]
            break
    return line


def read_order_ack(ts: TransactionSet) -> Json:
    notes: list[str] = []
    header = Block(notes)
    block = header
    lines: list[tuple[Json, Block]] = []
    acks: list[Json] | None = None  # the current line's
    head: Json = {
        "po_number": None,
        "po_date": None,
        "ack_type_code": None,
        "status": None,
        "seller_order_number": None,
        "ack_date": None,
    }
    currency: str | None = None
    for pos, seg in enumerate(ts.segments, 1):
        sid = seg[0]
        if sid == "PO1":
            block = Block(notes)
            line = po1_line(seg, pos)
            acks = []
            line.update(acks=acks, status_code=None, status=None, scheduled_date=None)
            lines.append((line, block))
            continue
        if block.feed(sid, seg, pos):
            continue
        if sid == "ACK":
            if acks is not None:
                acks.append(line_ack(seg, pos))
        elif sid == "BAK":
            code = el(seg, 2)
            head = {
                "po_number": el(seg, 3),
                "po_date": el_date(seg, pos, 4),
                "ack_type_code": code,
                "status": order_ack_status(code),
                "seller_order_number": el(seg, 8),
                "ack_date": el_date(seg, pos, 9),
            }
        elif sid == "CTT":
            block = header.shared()
            acks = None
        elif acks is not None:
            if sid == "SLN":
                block = Block(notes)  # sub-line loop: read, then dropped
        elif sid == "CUR" and currency is None:
            currency = el(seg, 2)
    doc: Json = {
        "document_type": "order_ack",
        "envelope": ts.envelope,
        "warnings": list(ts.warnings),
        "parties": header.parties,
        "references": header.references,
        "dates": header.dates,
        "notes": notes,
    }
    doc.update(head)
    doc["currency"] = currency
    doc["lines"] = [_finish(line, b) for line, b in lines]
    return doc
