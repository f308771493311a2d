"""Canonical `invoice` -> 810 invoice segments (ST..SE).

Header: BIG, NTE*GEN per note, CUR, REF, N1 loops, ITD, DTM. One IT1 loop per line: IT1
(IT106.. every item id pair in order), PID per 80 characters of description, REF*PO for a line
``po_number`` (multi-PO invoices), then the line's allowances and charges (the
``allowances_charges`` entries whose ``line_number`` names it). Summary: TDS (N2), TXI*TX for
``tax_amount``, the header-level SACs, CTT.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from translators.errors import RenderError
from translators.x12.writers.common import (
    Segment,
    Source,
    currency,
    dates,
    descriptions,
    item_id_pairs,
    notes_nte,
    parties,
    references,
    terms,
)

IT1_ITEM_PAIRS: Final = 10  # IT106..IT125
SAC_TYPES: Final[Mapping[str, str]] = {"allowance": "A", "charge": "C"}


def write(document: Mapping[str, Any], version: str) -> list[Segment]:
    doc = Source(document)
    segments: list[Segment] = [["ST", "810"], big(doc)]
    segments += notes_nte(doc)
    segments += currency(doc, "SE")
    segments += references(doc)
    segments += parties(doc)
    segments += terms(doc)
    segments += dates(doc)
    lines = doc.children("lines")
    by_line = _charges_by_line(doc, lines)
    for index, line in enumerate(lines):
        segments += it1_loop(line, by_line.get(index, []))
    segments.append(["TDS", doc.implied("total_amount")])
    if doc.has("tax_amount"):
        segments.append(["TXI", "TX", doc.decimal("tax_amount")])
    segments += [sac(c) for c in doc.children("allowances_charges") if not c.has("line_number")]
    segments.append(["CTT", str(len(lines))])
    segments.append(["SE"])
    return segments


def big(doc: Source) -> Segment:
    return [
        "BIG",
        doc.date("invoice_date"),
        doc.text("invoice_number"),
        doc.date("po_date"),
        doc.text("po_number"),
    ]


def it1_loop(line: Source, charges: list[Source]) -> list[Segment]:
    segments: list[Segment] = [
        [
            "IT1",
            line.text("line_number"),
            line.decimal("quantity"),
            line.text("uom"),
            line.decimal("unit_price"),
            "",
            *item_id_pairs(line, IT1_ITEM_PAIRS),
        ],
        *descriptions(line),
    ]
    if line.has("po_number"):
        segments.append(["REF", "PO", line.text("po_number")])
    segments += [sac(c) for c in charges]
    return segments


def sac(charge: Source) -> Segment:
    kind = charge.get("type")
    if kind not in SAC_TYPES:
        raise RenderError(
            f"{charge.at('type')} must be 'allowance' or 'charge', not {kind!r}",
            field=charge.at("type"),
            value=str(kind),
        )
    return [
        "SAC",
        SAC_TYPES[kind],
        charge.text("code"),
        "",
        "",
        charge.implied("amount"),
        *[""] * 9,
        charge.text("description"),
    ]


def _charges_by_line(doc: Source, lines: list[Source]) -> dict[int, list[Source]]:
    """Line-level allowances and charges, keyed by the index of the line they belong to."""
    index = {}
    for i, line in reversed(list(enumerate(lines))):
        if line.has("line_number"):
            index[line.get("line_number")] = i
    grouped: dict[int, list[Source]] = {}
    for charge in doc.children("allowances_charges"):
        if not charge.has("line_number"):
            continue
        number = charge.get("line_number")
        if number not in index:
            raise RenderError(
                f"{charge.at('line_number')} {number!r} names no line of the invoice",
                field=charge.at("line_number"),
                value=str(number),
            )
        grouped.setdefault(index[number], []).append(charge)
    return grouped
