"""856 ship notice -> canonical ``ship_notice``.

Every HL is kept as sent in ``hierarchy`` (its segments up to the next HL). The derived
``orders`` view is rebuilt from the parent ids (HL02), not from file order, so a parent may
come after its children and levels may nest at any depth:

- an item (I) belongs to its nearest order (O) ancestor, or to one order entry with
  ``po_number`` null when it has none (S/I, S/P/I shapes);
- it goes into the ``items`` of its nearest pack (P) or tare (T) ancestor, else into the
  order's ``items``;
- every P/T is listed in its order's ``packs``; ``parent_sscc`` is the SSCC of the nearest
  P/T above it, and a P/T below an item (S/O/I/P) names that item in ``item_line_number``.

Lenient reading: an HL without HL02 (common in old files) is placed under the nearest
preceding HL of a higher level (S above O above T above P above I), with a warning; an
unknown parent id or a loop in the parent chain makes the HL top-level, with a warning.
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
    el_int,
    el_time,
    item_fields,
    item_ids,
)

SHIP_DATE = "011"  # DTM01: shipped
_RANK = {"S": 0, "O": 1, "T": 2, "P": 3, "I": 4}
_CONTAINERS = ("P", "T")
_MARKS = ("GM", "AA")  # MAN01: SSCC-18 and shipper-assigned case number
_NO_ANCESTORS: tuple[None, None, None] = (None, None, None)


class _Hl:
    """One HL level while the set is read: the raw entry plus what the derived view needs."""

    __slots__ = (
        "anc",
        "block",
        "entry",
        "hl_id",
        "level",
        "lin_ids",
        "line_number",
        "marks_qualifier",
        "parent",
        "parent_id",
        "po_date",
        "po_number",
        "quantity",
        "sscc",
        "uom",
        "visiting",
    )

    def __init__(self, seg: Segment, block: Block) -> None:
        self.hl_id = el(seg, 1)
        self.parent_id = el(seg, 2)
        self.level = el(seg, 3)
        self.entry: Json = {
            "hl_id": self.hl_id,
            "parent_id": self.parent_id,
            "level_code": self.level,
            "child_code": el(seg, 4),
            "segments": [],
        }
        self.block = block
        self.parent: _Hl | None = None
        # nearest (order, container, item) ancestors, once resolved
        self.anc: tuple[_Hl | None, _Hl | None, _Hl | None] | None = None
        self.visiting = False
        self.line_number: str | None = None
        self.lin_ids: list[Json] | None = None
        self.quantity: str | None = None
        self.uom: str | None = None
        self.po_number: str | None = None
        self.po_date: str | None = None
        self.sscc: str | None = None
        self.marks_qualifier: str | None = None


def read_ship_notice(ts: TransactionSet) -> Json:
    notes: list[str] = []
    warnings = list(ts.warnings)
    doc_block = Block(notes)  # the header and every S level
    block = doc_block
    node: _Hl | None = None
    nodes: list[_Hl] = []
    raw: list[list[str]] = []  # the current HL's segments, as sent
    shipment_level = True  # before the first HL or inside an S level
    head: Json = {"shipment_id": None, "purpose_code": None, "purpose": None}
    bsn_date: str | None = None
    bsn_time: str | None = None
    carrier: Json | None = None
    transport: str | None = None
    weight: Json | None = None
    packages: int | None = None
    tracking: list[str] = []
    bol_shipment: str | None = None
    bol_other: str | None = None
    for pos, seg in enumerate(ts.segments, 1):
        sid = seg[0]
        if sid == "HL":
            level = el(seg, 3)
            shipment_level = level == "S"
            block = doc_block.shared() if shipment_level else Block(notes)
            node = _Hl(seg, block)
            raw = node.entry["segments"]
            nodes.append(node)
            continue
        if sid in ("CTT", "SE"):
            node = None
            block = doc_block.shared()
            shipment_level = False
        if node is not None:
            raw.append(list(map(str.strip, seg)))
        if sid == "REF" and block.open_party is None:
            qualifier, value = el(seg, 1), el(seg, 2)
            if value is not None:
                if qualifier == "CN":
                    tracking.append(value)
                elif qualifier == "BM":
                    if shipment_level:
                        bol_shipment = bol_shipment or value
                    else:
                        bol_other = bol_other or value
        if block.feed(sid, seg, pos):
            continue
        if node is not None:
            if sid == "LIN":
                if node.lin_ids is None:
                    node.line_number = el(seg, 1)
                    node.lin_ids = item_ids(seg, 2)
            elif sid == "SN1":
                if node.quantity is None and node.uom is None:
                    node.quantity = el_decimal(seg, pos, 2)
                    node.uom = el(seg, 3)
            elif sid == "PRF":
                if node.po_number is None:
                    node.po_number = el(seg, 1)
                    node.po_date = el_date(seg, pos, 4)
            elif sid == "MAN" and node.sscc is None:
                for q, v in ((el(seg, 1), el(seg, 2)), (el(seg, 4), el(seg, 5))):
                    if q in _MARKS and v is not None:
                        node.sscc, node.marks_qualifier = v, q
                        break
            if not shipment_level:
                continue
        if sid == "TD1":
            if packages is None:
                packages = el_int(seg, pos, 2)
            if weight is None and el(seg, 6) == "G":
                weight = {"value": el_decimal(seg, pos, 7), "uom": el(seg, 8)}
        elif sid == "TD5":
            qualifier, ident, name = el(seg, 2), el(seg, 3), el(seg, 5)
            if carrier is None and (qualifier or ident or name):
                carrier = {"qualifier": qualifier, "id": ident, "name": name}
            if transport is None:
                transport = el(seg, 4)
        elif sid == "BSN":
            code = el(seg, 1)
            head = {"shipment_id": el(seg, 2), "purpose_code": code, "purpose": purpose(code)}
            bsn_date, bsn_time = el_date(seg, pos, 3), el_time(seg, pos, 4)
    ship_date, ship_time = bsn_date, bsn_time
    for d in doc_block.dates:
        if d["qualifier"] == SHIP_DATE and d["date"] is not None:
            ship_date, ship_time = d["date"], d["time"]
            break
    doc: Json = {
        "document_type": "ship_notice",
        "envelope": ts.envelope,
        "warnings": warnings,
        "parties": doc_block.parties,
        "references": doc_block.references,
        "dates": doc_block.dates,
        "notes": notes,
    }
    doc.update(head)
    doc["ship_date"] = ship_date
    doc["ship_time"] = ship_time
    scac = carrier["id"] if carrier is not None and carrier["qualifier"] == "2" else None
    doc["carrier_scac"] = scac
    doc["carrier"] = carrier
    doc["transport_method"] = transport
    doc["tracking_numbers"] = tracking
    doc["bill_of_lading"] = bol_shipment or bol_other
    doc["gross_weight"] = weight
    doc["package_count"] = packages
    doc["hierarchy"] = [n.entry for n in nodes]
    _link_parents(nodes, warnings)
    doc["orders"] = _orders(nodes)
    return doc


def _link_parents(nodes: list[_Hl], warnings: list[str]) -> None:
    by_id: dict[str, _Hl] = {}
    for n in nodes:
        if n.hl_id is not None:
            if n.hl_id in by_id:
                warnings.append(f"HL01 {n.hl_id!r} is used by more than one HL; the first is kept")
            else:
                by_id[n.hl_id] = n
    # latest HL seen at each rank, for HLs that do not name their parent
    latest: list[tuple[int, _Hl | None]] = [(-1, None)] * len(_RANK)
    inferred = 0
    for index, n in enumerate(nodes):
        rank = _RANK.get(n.level or "")
        if n.parent_id is not None:
            n.parent = by_id.get(n.parent_id)
            if n.parent is None:
                warnings.append(
                    f"HL {n.hl_id}: parent HL {n.parent_id!r} is not in the set; read as top level"
                )
        elif rank:
            n.parent = max(latest[:rank], key=_first)[1]
            inferred += n.parent is not None
        if rank is not None:
            latest[rank] = (index, n)
    if inferred:
        warnings.append(
            f"{inferred} HL segment(s) without a parent (HL02): placed by file order under "
            "the nearest preceding higher level"
        )
    for n in nodes:
        if n.anc is None:
            _resolve(n, warnings)


def _first(pair: tuple[int, _Hl | None]) -> int:
    return pair[0]


def _resolve(start: _Hl, warnings: list[str]) -> None:
    """Set ``anc`` (nearest order, container and item above) of ``start`` and its ancestors."""
    stack: list[_Hl] = []
    n: _Hl | None = start
    while n is not None and n.anc is None:
        if n.visiting:  # the chain loops back: cut it here
            warnings.append(f"HL {n.hl_id}: its parent chain loops back to it; read as top level")
            n.parent = None
            n.anc = _NO_ANCESTORS
            break
        n.visiting = True
        stack.append(n)
        n = n.parent
    while stack:
        n = stack.pop()
        n.visiting = False
        if n.anc is not None:
            continue
        p = n.parent
        if p is None or p.anc is None:
            n.anc = _NO_ANCESTORS
            continue
        order, container, item = p.anc
        level = p.level
        n.anc = (
            p if level == "O" else order,
            p if level in _CONTAINERS else container,
            p if level == "I" else item,
        )


def _orders(nodes: list[_Hl]) -> list[Json]:
    orders: list[Json] = []
    by_order: dict[int, Json] = {}  # id() of the O node (or of None) -> order entry
    for n in nodes:
        if n.level == "O":
            by_order[id(n)] = _order_entry(n, orders)

    def order_of(o: _Hl | None) -> Json:
        entry = by_order.get(id(o))
        if entry is None:  # items and packs under no order
            entry = by_order[id(o)] = _order_entry(None, orders)
        return entry

    packs: dict[tuple[int, int], Json] = {}  # (order, container) -> pack entry
    for n in nodes:
        if n.level in _CONTAINERS:
            order, container, item = n.anc or _NO_ANCESTORS
            packs[id(order), id(n)] = _pack_entry(n, container, item, order_of(order))
    for n in nodes:
        if n.level != "I":
            continue
        order, container, _ = n.anc or _NO_ANCESTORS
        entry = order_of(order)
        fields = item_fields(n.lin_ids or [])
        fields["description"] = description(n.block.descriptions)
        shipped: Json = {"line_number": n.line_number}
        shipped.update(fields)
        shipped["quantity_shipped"] = n.quantity
        shipped["uom"] = n.uom
        if container is None:
            entry["items"].append(shipped)
            continue
        pack = packs.get((id(order), id(container)))
        if pack is None:  # the container sits above the order: list it in this order too
            c_anc = container.anc or _NO_ANCESTORS
            pack = _pack_entry(container, c_anc[1], c_anc[2], entry)
            packs[id(order), id(container)] = pack
        pack["items"].append(shipped)
    return orders


def _order_entry(n: _Hl | None, orders: list[Json]) -> Json:
    entry: Json = {
        "po_number": None if n is None else n.po_number,
        "po_date": None if n is None else n.po_date,
        "parties": [] if n is None else n.block.parties,
        "references": [] if n is None else n.block.references,
        "packs": [],
        "items": [],
    }
    orders.append(entry)
    return entry


def _pack_entry(n: _Hl, container: _Hl | None, item: _Hl | None, order: Json) -> Json:
    pack: Json = {
        "sscc": n.sscc,
        "marks_qualifier": n.marks_qualifier,
        "parent_sscc": None if container is None else container.sscc,
        "item_line_number": None if item is None else item.line_number,
        "items": [],
    }
    order["packs"].append(pack)
    return pack
