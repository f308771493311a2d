"""Canonical `order` -> 850 purchase order segments (ST..SE).

Header: BEG, CUR, REF, ITD, DTM (``dates[]``, then DTM*002 for ``requested_delivery_date``
unless ``dates[]`` already has a 002), N9*L1 with one MSG per note, N1 loops. One PO1 loop per
line: PO1 (PO106.. every item id pair in order), PID per 80 characters of description, DTM*002,
line N1 loops. Summary: CTT with the number of PO1 segments, AMT*TT for ``total_amount``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from translators.x12.writers.common import (
    PURPOSE_CODES,
    Segment,
    Source,
    code_for,
    currency,
    dates,
    derived_date,
    descriptions,
    item_id_pairs,
    notes_n9,
    parties,
    references,
    terms,
)

PO1_ITEM_PAIRS = 10  # PO106..PO125


def write(document: Mapping[str, Any], version: str) -> list[Segment]:
    doc = Source(document)
    segments: list[Segment] = [["ST", "850"], beg(doc)]
    segments += currency(doc, "BY")
    segments += references(doc)
    segments += terms(doc)
    segments += dates(doc)
    segments += derived_date(doc, "requested_delivery_date", "002")
    segments += notes_n9(doc)
    segments += parties(doc)
    lines = doc.children("lines")
    for line in lines:
        segments += po1_loop(line)
    segments.append(["CTT", str(len(lines))])
    if doc.has("total_amount"):
        segments.append(["AMT", "TT", doc.decimal("total_amount")])
    segments.append(["SE"])
    return segments


def beg(doc: Source) -> Segment:
    purpose = code_for(doc, "purpose_code", "purpose", PURPOSE_CODES)
    return [
        "BEG",
        purpose,
        doc.text("order_type_code"),
        doc.text("po_number"),
        doc.text("release_number"),
        doc.date("po_date"),
    ]


def po1(line: Source) -> Segment:
    """PO1 with the line's quantity, unit of measure, price and item ids (shared with 855)."""
    return [
        "PO1",
        line.text("line_number"),
        line.decimal("quantity"),
        line.text("uom"),
        line.decimal("unit_price"),
        "",
        *item_id_pairs(line, PO1_ITEM_PAIRS),
    ]


def po1_loop(line: Source) -> list[Segment]:
    segments = [po1(line), *descriptions(line)]
    if line.has("requested_delivery_date"):
        segments.append(["DTM", "002", line.date("requested_delivery_date")])
    segments += parties(line)
    return segments
