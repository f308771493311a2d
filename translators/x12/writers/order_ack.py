"""Canonical `order_ack` -> 855 purchase order acknowledgment segments (ST..SE).

Header: BAK (BAK01 is always ``00`` original: the canonical document has no purpose), CUR, REF,
DTM, N9*L1/MSG notes, N1 loops. One PO1 loop per line as in the 850, with one ACK per
``acks[]`` entry after the line's DTM*002. A line's ``status_code``/``status``/``scheduled_date``
are read from its first ACK; a line with no ``acks`` but those fields set gets one ACK built
from them (``scheduled_date`` as ACK04 ``067``, current schedule delivery).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from translators.errors import RenderError
from translators.x12.writers.common import (
    Segment,
    Source,
    code_for,
    currency,
    dates,
    descriptions,
    notes_n9,
    parties,
    references,
)
from translators.x12.writers.order import po1

#: BAK02 sent for an order status given without its code.
ACK_TYPE_CODES: Final[Mapping[str, str]] = {
    "accepted": "AD",
    "accepted_with_changes": "AC",
    "on_hold": "AH",
    "no_ack_needed": "NA",
    "rejected": "RJ",
}
#: ACK01 sent for a line status given without its code.
LINE_STATUS_CODES: Final[Mapping[str, str]] = {
    "accepted": "IA",
    "backordered": "IB",
    "changed": "IC",
    "rescheduled": "DR",
    "deleted": "ID",
    "on_hold": "IH",
    "price_changed": "IP",
    "quantity_changed": "IQ",
    "substituted": "IS",
    "rejected": "IR",
}
SCHEDULED_DATE_QUALIFIER: Final = "067"


def write(document: Mapping[str, Any], version: str) -> list[Segment]:
    doc = Source(document)
    segments: list[Segment] = [["ST", "855"], bak(doc)]
    segments += currency(doc, "SE")
    segments += references(doc)
    segments += dates(doc)
    segments += notes_n9(doc)
    segments += parties(doc)
    lines = doc.children("lines")
    for line in lines:
        segments += po1_loop(line)
    segments.append(["CTT", str(len(lines))])
    segments.append(["SE"])
    return segments


def bak(doc: Source) -> Segment:
    ack_type = code_for(doc, "ack_type_code", "status", ACK_TYPE_CODES)
    return [
        "BAK",
        "00",
        ack_type,
        doc.text("po_number"),
        doc.date("po_date"),
        "",
        "",
        "",
        doc.text("seller_order_number"),
        doc.date("ack_date"),
    ]


def po1_loop(line: Source) -> list[Segment]:
    segments = [po1(line), *descriptions(line)]
    if line.has("requested_delivery_date"):
        segments.append(["DTM", "002", line.date("requested_delivery_date")])
    segments += acks(line)
    segments += parties(line)
    return segments


def acks(line: Source) -> list[Segment]:
    entries = line.children("acks")
    if entries:
        return [ack(entry) for entry in entries]
    if not any(line.has(k) for k in ("status_code", "status", "scheduled_date")):
        return []
    if not (line.has("status_code") or line.has("status")):
        raise RenderError(
            f"{line.at('scheduled_date')} needs a line status (ACK01) to be sent",
            field=line.at("status_code"),
        )
    status = code_for(line, "status_code", "status", LINE_STATUS_CODES)
    qualifier = SCHEDULED_DATE_QUALIFIER if line.has("scheduled_date") else ""
    return [["ACK", status, "", "", qualifier, line.date("scheduled_date")]]


def ack(entry: Source) -> Segment:
    return [
        "ACK",
        code_for(entry, "status_code", "status", LINE_STATUS_CODES),
        entry.decimal("quantity"),
        entry.text("uom"),
        entry.text("date_qualifier"),
        entry.date("date"),
    ]
