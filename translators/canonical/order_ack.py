"""The canonical purchase order acknowledgment (X12 855; cXML ConfirmationRequest)."""

from __future__ import annotations

from typing import Literal

from translators.canonical.common import Amount, CanonicalModel, Document, IsoDate
from translators.canonical.order import OrderLine


class LineAck(CanonicalModel):
    """One ACK segment (or cXML ConfirmationStatus); a line may carry several."""

    status_code: str | None = None
    status: str | None = None
    quantity: Amount | None = None
    uom: str | None = None
    date_qualifier: str | None = None
    date: IsoDate | None = None


class OrderAckLine(OrderLine):
    """The acknowledged PO1 line, its ACKs, and conveniences taken from them.

    ``status_code``/``status`` come from the first ACK; ``scheduled_date`` is the first ACK
    date whose qualifier is in ``codes.SCHEDULED_DATE_QUALIFIERS``.
    """

    acks: list[LineAck] = []
    status_code: str | None = None
    status: str | None = None
    scheduled_date: IsoDate | None = None


class OrderAck(Document):
    document_type: Literal["order_ack"] = "order_ack"
    po_number: str | None = None
    po_date: IsoDate | None = None
    ack_type_code: str | None = None
    status: str | None = None
    seller_order_number: str | None = None
    ack_date: IsoDate | None = None
    currency: str | None = None
    lines: list[OrderAckLine] = []
