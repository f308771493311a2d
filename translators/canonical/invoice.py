"""The canonical invoice (X12 810; cXML InvoiceDetailRequest)."""

from __future__ import annotations

from typing import Literal

from translators.canonical.common import (
    Amount,
    CanonicalModel,
    Document,
    IsoDate,
    ItemFields,
    Terms,
)


class InvoiceLine(ItemFields):
    """An IT1 loop."""

    quantity: Amount | None = None
    uom: str | None = None
    unit_price: Amount | None = None
    # Only set on invoices that cover several POs; otherwise the header po_number applies.
    po_number: str | None = None


class AllowanceCharge(CanonicalModel):
    """A SAC segment, at header level (``line_number`` None) or under an IT1 line."""

    type: Literal["allowance", "charge"]
    code: str | None = None
    amount: Amount | None = None
    description: str | None = None
    line_number: str | None = None


class Invoice(Document):
    document_type: Literal["invoice"] = "invoice"
    invoice_number: str | None = None
    invoice_date: IsoDate | None = None
    po_number: str | None = None
    po_date: IsoDate | None = None
    currency: str | None = None
    terms: Terms | None = None
    lines: list[InvoiceLine] = []
    allowances_charges: list[AllowanceCharge] = []
    tax_amount: Amount | None = None
    total_amount: Amount | None = None
