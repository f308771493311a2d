"""Canonical `ship_notice` -> 856 ship notice segments (ST..SE).

Header: BSN (BSN03/BSN04 = ``ship_date``/``ship_time``, ``0000`` when no time is given), DTM
(``dates[]``; DTM*011 for a ship date without time, unless ``dates[]`` has an 011). Then the
HL tree, and CTT with the number of HLs. Notes have no place in an 856 outside the HL levels,
so a notice with ``notes`` and no ``hierarchy`` is refused rather than sent without them.

When ``hierarchy`` holds levels, they are written back as sent: each HL with its segments, in
order, so a notice read from a partner's 856 renders to the same tree (the derived fields,
carrier, tracking numbers, ``orders`` and so on, are all read from those segments).
Otherwise the tree is built from ``orders`` in the S/O/P/I shape:

- S: TD1 (package count, gross weight), TD5 (carrier, transport method), the references, REF*BM
  and REF*CN for a bill of lading and tracking numbers the references do not already hold, N1;
- O: PRF (PO number and date), REF, N1; an order without PO number, date, parties or
  references is no level at all: its packs and items sit directly under S;
- T/P: MAN with the SSCC (a pack named as another's ``parent_sscc`` is a tare, T);
- I: LIN (LIN02.. every item id pair), SN1, PID; packs naming the item (``item_line_number``)
  follow it as P levels below it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from translators.errors import RenderError
from translators.x12.writers.common import (
    PURPOSE_CODES,
    Raw,
    Segment,
    Source,
    Value,
    code_for,
    dates,
    derived_date,
    descriptions,
    item_id_pairs,
    parties,
    references,
)

LIN_ITEM_PAIRS: Final = 15  # LIN02..LIN31
DEFAULT_MARKS_QUALIFIER: Final = "GM"  # SSCC-18


def write(document: Mapping[str, Any], version: str) -> list[Segment]:
    doc = Source(document)
    levels = doc.children("hierarchy")
    if doc.has("notes") and not levels:
        raise RenderError(
            "an 856 has no segment for notes outside its HL levels; drop them or give them "
            "inside hierarchy[]",
            field="notes",
        )
    tree = _written_hierarchy(levels) if levels else _Tree().build(doc)
    segments: list[Segment] = [["ST", "856"], bsn(doc)]
    segments += _header_dates(doc, tree if levels else [])
    if doc.get("ship_time") is None:
        # BSN04 is mandatory: DTM*011 without a time is what keeps ship_time null.
        segments += derived_date(doc, "ship_date", "011")
    segments += tree
    segments.append(["CTT", str(sum(1 for s in tree if s[0] == "HL"))])
    segments.append(["SE"])
    return segments


def bsn(doc: Source) -> Segment:
    """BSN; BSN03/04 carry the ship date and time (read back when no DTM*011 says otherwise)."""
    time = doc.time("ship_time") if doc.has("ship_time") else Value("0000", doc.at("ship_time"))
    return [
        "BSN",
        code_for(doc, "purpose_code", "purpose", PURPOSE_CODES),
        doc.text("shipment_id"),
        doc.date("ship_date"),
        time,
    ]


def _header_dates(doc: Source, tree: list[Segment]) -> list[Segment]:
    """DTM for ``dates[]``, less those an S level of the written hierarchy already holds
    (the reader puts the header's and the shipment levels' DTMs in the same list)."""
    in_shipment: list[list[str]] = []
    level = ""
    for seg in tree:
        if seg[0] == "HL":
            level = str(seg[3]) if len(seg) > 3 else ""
        elif seg[0] == "DTM" and level == "S":
            in_shipment.append([str(e) for e in seg])
    out: list[Segment] = []
    for dtm in dates(doc):
        text = [str(e) for e in dtm]
        while text and not text[-1]:
            text.pop()
        if text in in_shipment:
            in_shipment.remove(text)
        else:
            out.append(dtm)
    return out


def _written_hierarchy(levels: list[Source]) -> list[Segment]:
    segments: list[Segment] = []
    for level in levels:
        keys = ("hl_id", "parent_id", "level_code", "child_code")
        segments.append(["HL", *(level.text(k) for k in keys)])
        for i, raw in enumerate(level.get("segments") or []):
            path = f"{level.at('segments')}[{i}]"
            segments.append([Raw(_text(v), f"{path}[{j}]") for j, v in enumerate(raw)])
    return segments


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class _Tree:
    """Builds HL levels, numbering them and setting HL04 when a level gets children."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.levels: dict[str, Segment] = {}

    def level(self, parent: str, code: str, content: list[Segment]) -> str:
        hl_id = str(len(self.levels) + 1)
        hl: Segment = ["HL", hl_id, parent, code, "0"]
        if parent:
            self.levels[parent][4] = "1"
        self.levels[hl_id] = hl
        self.segments += [hl, *content]
        return hl_id

    def build(self, doc: Source) -> list[Segment]:
        shipment = self.level("", "S", _shipment_content(doc))
        for order in doc.children("orders"):
            content = _order_content(order)
            parent = self.level(shipment, "O", content) if content else shipment
            self.order(order, parent)
        return self.segments

    def order(self, order: Source, parent: str) -> None:
        packs = order.children("packs")
        for item in order.children("items"):
            item_hl = self.item(parent, item)
            number = item.get("line_number")
            for pack in packs:
                if number is not None and pack.get("item_line_number") == number:
                    self.level(item_hl, "P", _marks(pack, "sscc"))
        self.packs(parent, [p for p in packs if not p.has("item_line_number")])

    def packs(self, parent: str, packs: list[Source]) -> None:
        """T and P levels; a tare must come before the packs inside it, as the reader lists them."""
        tares = {str(p.get("parent_sscc")) for p in packs if p.has("parent_sscc")}
        hl_of: dict[str, str] = {}  # SSCC -> its HL
        for pack in packs:
            above = parent
            if pack.has("parent_sscc"):
                tare = str(pack.get("parent_sscc"))
                if tare not in hl_of:  # named by its packs but not listed itself
                    hl_of[tare] = self.level(parent, "T", _marks(pack, "parent_sscc"))
                above = hl_of[tare]
            sscc = str(pack.get("sscc")) if pack.has("sscc") else None
            code = "T" if sscc in tares else "P"
            hl_id = self.level(above, code, _marks(pack, "sscc"))
            if sscc is not None:
                hl_of.setdefault(sscc, hl_id)
            for item in pack.children("items"):
                self.item(hl_id, item)

    def item(self, parent: str, item: Source) -> str:
        content: list[Segment] = [
            ["LIN", item.text("line_number"), *item_id_pairs(item, LIN_ITEM_PAIRS)],
            ["SN1", "", item.decimal("quantity_shipped"), item.text("uom")],
            *descriptions(item),
        ]
        return self.level(parent, "I", content)


def _shipment_content(doc: Source) -> list[Segment]:
    segments: list[Segment] = []
    weight = doc.child("gross_weight")
    if doc.has("package_count") or not weight.is_empty():
        qualifier = Value("G", weight.path) if not weight.is_empty() else ""
        segments.append(
            [
                "TD1",
                "",
                doc.text("package_count"),
                "",
                "",
                "",
                qualifier,
                weight.decimal("value"),
                weight.text("uom"),
            ]
        )
    segments += _carrier(doc)
    segments += references(doc)
    held = {(r.get("qualifier"), r.get("value")) for r in doc.children("references")}
    if doc.has("bill_of_lading") and ("BM", doc.get("bill_of_lading")) not in held:
        segments.append(["REF", "BM", doc.text("bill_of_lading")])
    for number in doc.texts("tracking_numbers"):
        if ("CN", str(number)) not in held:
            segments.append(["REF", Value("CN", doc.at("tracking_numbers")), number])
    segments += parties(doc)
    return segments


def _carrier(doc: Source) -> list[Segment]:
    carrier = doc.child("carrier")
    if carrier.is_empty():
        qualifier = Value("2", doc.at("carrier_scac")) if doc.has("carrier_scac") else ""
        ids = [qualifier, doc.text("carrier_scac"), doc.text("transport_method"), ""]
    else:
        ids = [
            carrier.text("qualifier"),
            carrier.text("id"),
            doc.text("transport_method"),
            carrier.text("name"),
        ]
    return [["TD5", "", *ids]] if any(ids) else []


def _order_content(order: Source) -> list[Segment]:
    segments: list[Segment] = []
    if order.has("po_number") or order.has("po_date"):
        segments.append(["PRF", order.text("po_number"), "", "", order.date("po_date")])
    segments += references(order)
    segments += parties(order)
    return segments


def _marks(pack: Source, key: str) -> list[Segment]:
    if not pack.has(key):
        return []
    qualifier = pack.text("marks_qualifier") or Value(DEFAULT_MARKS_QUALIFIER, pack.at(key))
    return [["MAN", qualifier, pack.text(key)]]
