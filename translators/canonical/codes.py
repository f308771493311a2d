"""The closed code tables of the canonical contract, and the item-id convenience rules.

Canonical documents keep every code raw next to its meaning (``purpose_code`` and ``purpose``).
The meanings come only from these tables: a code outside a table means ``"other"``, so a
consumer can switch on a small, fixed set of words whatever a partner sends. An absent code
(``None``) has no meaning either, and stays ``None`` rather than becoming an invented "other".

Readers (X12 and cXML) and writers share these tables, so both directions agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, Protocol, overload

OTHER: Final = "other"

#: BEG01 (850) and BSN01 (856): transaction set purpose.
PURPOSE: Final[Mapping[str, str]] = {
    "00": "original",
    "01": "cancel",
    "04": "change",
    "05": "replace",
    "06": "confirmation",
    "07": "duplicate",
}

#: cXML OrderRequestHeader ``type`` and ShipNoticeHeader ``operation``.
CXML_PURPOSE: Final[Mapping[str, str]] = {
    "new": "original",
    "update": "replace",
    "delete": "cancel",
}

#: BAK02 (855): acknowledgment type, the order-level status.
ORDER_ACK_STATUS: Final[Mapping[str, str]] = {
    "AC": "accepted_with_changes",
    "AD": "accepted",
    "AE": "accepted_with_changes",
    "AH": "on_hold",
    "AK": "accepted",
    "AP": "accepted",
    "AT": "accepted",
    "NA": "no_ack_needed",
    "RD": "rejected",
    "RF": "rejected",
    "RJ": "rejected",
    "RO": "rejected",
}

#: ACK01 (855 line): line item status.
LINE_ACK_STATUS: Final[Mapping[str, str]] = {
    **dict.fromkeys(("IA", "AC", "AR", "IE", "SP"), "accepted"),
    **dict.fromkeys(("IB", "BP"), "backordered"),
    "IC": "changed",
    "DR": "rescheduled",
    "ID": "deleted",
    **dict.fromkeys(("IH", "IF", "IW"), "on_hold"),
    "IP": "price_changed",
    "IQ": "quantity_changed",
    "IS": "substituted",
    **dict.fromkeys(("IR", *(f"R{n}" for n in range(1, 9))), "rejected"),
}

# cXML confirmations use words, not X12 codes; the contract maps them onto the same meanings.
# "detail"/"allDetail"/"except" confirm with modifications, the cXML analogue of AC/IC.

#: cXML ConfirmationHeader ``type``: the order-level status of a ConfirmationRequest.
CXML_ORDER_ACK_STATUS: Final[Mapping[str, str]] = {
    "accept": "accepted",
    "allDetail": "accepted_with_changes",
    "detail": "accepted_with_changes",
    "except": "accepted_with_changes",
    "reject": "rejected",
}

#: cXML ConfirmationStatus ``type``: the status of one confirmed line.
CXML_LINE_ACK_STATUS: Final[Mapping[str, str]] = {
    "accept": "accepted",
    "allDetail": "changed",
    "detail": "changed",
    "except": "changed",
    "backordered": "backordered",
    "reject": "rejected",
}

#: AK901/IK901 (group) and AK501/IK501 (set): functional acknowledgment status.
FUNCTIONAL_ACK_STATUS: Final[Mapping[str, str]] = {
    "A": "accepted",
    "E": "accepted_with_errors",
    "P": "partially_accepted",
    "R": "rejected",
    "M": "rejected",
    "W": "rejected",
    "X": "rejected",
}

#: N101: entity identifier code. Codes outside this table keep their own name, lowercased.
PARTY_ROLE: Final[Mapping[str, str]] = {
    "ST": "ship_to",
    "BT": "bill_to",
    "BY": "buyer",
    "SE": "seller",
    "SF": "ship_from",
    "RE": "remit_to",
    "RI": "remit_to",
    "VN": "vendor",
    "SU": "supplier",
    "OB": "ordered_by",
    "LW": "customer_location",
}

#: ACK04 qualifiers whose ACK05 date is a line's ``scheduled_date``: delivery and ship dates
#: (067 current schedule delivery, 068 current schedule ship, 017 estimated delivery, 002
#: delivery requested, 010 requested ship).
SCHEDULED_DATE_QUALIFIERS: Final = frozenset({"067", "068", "017", "002", "010"})


@overload
def _meaning(table: Mapping[str, str], code: str) -> str: ...
@overload
def _meaning(table: Mapping[str, str], code: None) -> None: ...
def _meaning(table: Mapping[str, str], code: str | None) -> str | None:
    if code is None:
        return None
    return table.get(code, OTHER)


@overload
def purpose(code: str) -> str: ...
@overload
def purpose(code: None) -> None: ...
def purpose(code: str | None) -> str | None:
    """BEG01/BSN01 code to its meaning."""
    return _meaning(PURPOSE, code)


@overload
def cxml_purpose(code: str) -> str: ...
@overload
def cxml_purpose(code: None) -> None: ...
def cxml_purpose(code: str | None) -> str | None:
    """cXML ``type``/``operation`` (new, update, delete) to its meaning."""
    return _meaning(CXML_PURPOSE, code)


@overload
def order_ack_status(code: str) -> str: ...
@overload
def order_ack_status(code: None) -> None: ...
def order_ack_status(code: str | None) -> str | None:
    """BAK02 code to the order acknowledgment status."""
    return _meaning(ORDER_ACK_STATUS, code)


@overload
def cxml_order_ack_status(code: str) -> str: ...
@overload
def cxml_order_ack_status(code: None) -> None: ...
def cxml_order_ack_status(code: str | None) -> str | None:
    """cXML ConfirmationHeader ``type`` to the order acknowledgment status."""
    return _meaning(CXML_ORDER_ACK_STATUS, code)


@overload
def line_ack_status(code: str) -> str: ...
@overload
def line_ack_status(code: None) -> None: ...
def line_ack_status(code: str | None) -> str | None:
    """ACK01 code to the line status."""
    return _meaning(LINE_ACK_STATUS, code)


@overload
def cxml_line_ack_status(code: str) -> str: ...
@overload
def cxml_line_ack_status(code: None) -> None: ...
def cxml_line_ack_status(code: str | None) -> str | None:
    """cXML ConfirmationStatus ``type`` to the line status."""
    return _meaning(CXML_LINE_ACK_STATUS, code)


@overload
def functional_ack_status(code: str) -> str: ...
@overload
def functional_ack_status(code: None) -> None: ...
def functional_ack_status(code: str | None) -> str | None:
    """AK901/AK501/IK501 code to the acknowledgment status."""
    return _meaning(FUNCTIONAL_ACK_STATUS, code)


@overload
def party_role(code: str) -> str: ...
@overload
def party_role(code: None) -> None: ...
def party_role(code: str | None) -> str | None:
    """N101 code to the party role; a code outside the table is its own role, lowercased."""
    if code is None:
        return None
    return PARTY_ROLE.get(code, code.lower())


class _QualifiedId(Protocol):
    """An item id as a model (``ItemId``) rather than a dict."""

    @property
    def qualifier(self) -> str | None: ...
    @property
    def value(self) -> str | None: ...


# Each convenience field and the qualifiers that fill it, most preferred first.
_CONVENIENCES: Final[Mapping[str, tuple[str, ...]]] = {
    "buyer_part_number": ("BP", "IN"),
    "vendor_part_number": ("VP", "VN"),
    "upc": ("UP",),
    "gtin": ("UK", "EN"),
}


def item_conveniences(
    item_ids: Iterable[Mapping[str, str | None] | _QualifiedId],
) -> dict[str, str | None]:
    """The convenience fields of a line, derived from its ``item_ids`` in the order sent.

    Each field takes its preferred qualifier if present anywhere on the line, else the fallback
    (BP else IN, VP else VN, UP, UK else EN); among pairs with the same qualifier the first wins.
    Pairs without a value are skipped. Fields with no matching pair are ``None``.
    """
    first: dict[str, str] = {}
    for item_id in item_ids:
        if isinstance(item_id, Mapping):
            qualifier, value = item_id.get("qualifier"), item_id.get("value")
        else:
            qualifier, value = item_id.qualifier, item_id.value
        if qualifier is not None and value and qualifier not in first:
            first[qualifier] = value
    return {
        field: next((first[q] for q in qualifiers if q in first), None)
        for field, qualifiers in _CONVENIENCES.items()
    }
