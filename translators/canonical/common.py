"""Value types and building blocks shared by every canonical document.

The canonical JSON promises exact decimals as strings, ISO dates and ``HH:MM[:SS]`` times; the
annotated types here are where that promise is kept, so no document module repeats it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer


def _no_float(value: Any) -> Any:
    # A JSON float has already lost the precision the partner sent ("48.00" vs 48.0), so the
    # contract only takes decimals as strings (ints are exact and allowed too).
    if isinstance(value, float | bool):
        raise ValueError("decimals must be given as strings holding the exact value, e.g. '48.00'")
    return value


def _plain_decimal(value: Decimal) -> str:
    # Fixed-point keeps the scale as sent ("48.00") and never emits exponent notation
    # (Decimal("1E+3") -> "1000"), which many ERP parsers would misread.
    return format(value, "f")


#: An exact decimal: ``Decimal`` in Python, a JSON string such as ``"48.00"`` in JSON.
Amount = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(allow_inf_nan=False),
    PlainSerializer(_plain_decimal, return_type=str, when_used="json"),
]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: Any) -> Any:
    # pydantic's lax date parsing also takes Unix timestamps and datetimes; the contract allows
    # only YYYY-MM-DD (or a date object), so anything else is refused instead of guessed at.
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date, not a datetime")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return dt.date.fromisoformat(value)
    raise ValueError("dates must be ISO YYYY-MM-DD")


#: A calendar date, ``YYYY-MM-DD`` in JSON.
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]

#: A time of day as ``HH:MM`` or ``HH:MM:SS`` (X12 TM hundredths are not kept).
TimeOfDay = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")]

#: A count (packages, acknowledged sets); never negative.
Count = Annotated[int, Field(ge=0)]


class CanonicalModel(BaseModel):
    """Base of every canonical model: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Envelope(CanonicalModel):
    """Where a document came from: X12 ISA/GS/ST values as sent, or the cXML header."""

    # "ubl": a UBL 2.x document; "xml": a partner's own XML read through its XSLT mapping.
    standard: Literal["x12", "cxml", "ubl", "xml"]
    sender_id: str | None = None
    sender_qualifier: str | None = None
    receiver_id: str | None = None
    receiver_qualifier: str | None = None
    interchange_control_number: str | None = None
    group_control_number: str | None = None
    functional_id: str | None = None
    version: str | None = None
    transaction_set: str | None = None
    transaction_control_number: str | None = None
    # ISA15 "P" and cXML's default deploymentMode both mean production, so absent is False.
    test: bool = False
    payload_id: str | None = None
    timestamp: str | None = None


class Address(CanonicalModel):
    lines: list[str] = []
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


class Party(CanonicalModel):
    """An N1 loop (N1/N2/N3/N4) or a cXML ShipTo/BillTo/... element."""

    role: str | None = None
    role_code: str | None = None
    name: str | None = None
    id_qualifier: str | None = None
    id: str | None = None
    address: Address | None = None


class Reference(CanonicalModel):
    qualifier: str | None = None
    value: str | None = None
    description: str | None = None


class DateRef(CanonicalModel):
    qualifier: str | None = None
    date: IsoDate | None = None
    time: TimeOfDay | None = None


class ItemId(CanonicalModel):
    qualifier: str | None = None
    value: str | None = None


class Terms(CanonicalModel):
    """ITD terms of sale."""

    type_code: str | None = None
    basis_date_code: str | None = None
    discount_percent: Amount | None = None
    discount_days: Count | None = None
    net_days: Count | None = None
    description: str | None = None


class ItemFields(CanonicalModel):
    """Line number and item identification, which every line and shipped item carries.

    ``item_ids`` keeps every qualifier/id pair as sent; the named fields are conveniences
    derived from them (see ``codes.item_conveniences``) plus the line's description.
    """

    line_number: str | None = None
    item_ids: list[ItemId] = []
    buyer_part_number: str | None = None
    vendor_part_number: str | None = None
    upc: str | None = None
    gtin: str | None = None
    description: str | None = None


class Document(CanonicalModel):
    """Fields common to every canonical document; subclasses narrow ``document_type``."""

    # Declared here (and narrowed to a Literal in each document) so it is the first JSON key.
    document_type: str
    envelope: Envelope | None = None
    warnings: list[str] = []
    parties: list[Party] = []
    references: list[Reference] = []
    dates: list[DateRef] = []
    notes: list[str] = []
