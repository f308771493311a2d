"""The canonical advance ship notice (X12 856; cXML ShipNoticeRequest).

An 856 is a tree of HL levels whose shape varies by partner (S/O/P/I, S/O/T/P/I, S/I, S/O/I/P,
...). The notice keeps that tree as sent in ``hierarchy`` so nothing is lost, and offers one
derived, shape-independent view in ``orders``: order -> packs -> items.
"""

from __future__ import annotations

from typing import Literal

from translators.canonical.common import (
    Amount,
    CanonicalModel,
    Count,
    Document,
    IsoDate,
    ItemFields,
    Party,
    Reference,
    TimeOfDay,
)


class Carrier(CanonicalModel):
    """TD5: carrier identification."""

    qualifier: str | None = None  # TD502; "2" means id is a SCAC
    id: str | None = None
    name: str | None = None


class Weight(CanonicalModel):
    value: Amount | None = None
    uom: str | None = None


class HierarchyLevel(CanonicalModel):
    """One HL as sent, with the raw segments that follow it up to the next HL.

    Each segment is ``[segment_id, element1, element2, ...]`` with elements as sent (trimmed),
    so partner-specific data that the derived view does not use stays available.
    """

    hl_id: str | None = None
    parent_id: str | None = None
    level_code: str | None = None
    child_code: str | None = None  # HL04
    segments: list[list[str]] = []


class ShipItem(ItemFields):
    """An item (I) level: LIN identification and SN1 quantity."""

    quantity_shipped: Amount | None = None
    uom: str | None = None


class Pack(CanonicalModel):
    """A pack (P) or tare (T) level.

    ``parent_sscc`` is the SSCC of the tare a pack sits in. A pack found below an item
    (S/O/I/P shapes) has no items of its own; ``item_line_number`` names that item instead.
    """

    sscc: str | None = None
    marks_qualifier: str | None = None  # MAN01: GM or AA
    parent_sscc: str | None = None
    item_line_number: str | None = None
    items: list[ShipItem] = []


class ShipOrder(CanonicalModel):
    """An order (O) level; items outside any order gather under one with po_number None."""

    po_number: str | None = None
    po_date: IsoDate | None = None
    parties: list[Party] = []
    references: list[Reference] = []
    packs: list[Pack] = []
    items: list[ShipItem] = []  # items with no pack or tare above them


class ShipNotice(Document):
    document_type: Literal["ship_notice"] = "ship_notice"
    shipment_id: str | None = None
    purpose_code: str | None = None
    purpose: str | None = None
    ship_date: IsoDate | None = None
    ship_time: TimeOfDay | None = None
    carrier_scac: str | None = None
    carrier: Carrier | None = None
    transport_method: str | None = None
    tracking_numbers: list[str] = []
    bill_of_lading: str | None = None
    gross_weight: Weight | None = None
    package_count: Count | None = None
    hierarchy: list[HierarchyLevel] = []
    orders: list[ShipOrder] = []
