"""The canonical purchase order (X12 850; cXML OrderRequest)."""

from __future__ import annotations

from typing import Literal

from translators.canonical.common import Amount, Document, IsoDate, ItemFields, Party, Terms


class OrderLine(ItemFields):
    """A PO1 loop; line-level N1 loops go to its own ``parties``."""

    quantity: Amount | None = None
    uom: str | None = None
    unit_price: Amount | None = None
    requested_delivery_date: IsoDate | None = None
    parties: list[Party] = []


class Order(Document):
    document_type: Literal["order"] = "order"
    po_number: str | None = None
    po_date: IsoDate | None = None
    release_number: str | None = None
    purpose_code: str | None = None
    purpose: str | None = None
    order_type_code: str | None = None
    currency: str | None = None
    requested_delivery_date: IsoDate | None = None
    total_amount: Amount | None = None
    terms: Terms | None = None
    lines: list[OrderLine] = []
