"""What the transaction set writers share: element values, conversions and common segments.

A writer reads a canonical document (a JSON-ready dict) through a `Source`, which hands out
element values as `Value` strings that remember the canonical field they came from
(``lines[2].description``). The envelope writer checks every element for delimiters and
validates every set against its spec, and can then name the document field, not only the X12
position, when it refuses a document.

Segments are ``[segment_id, element1, element2, ...]``; an element is a string, or a tuple of
component strings for a composite element (AK401, IK401).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from translators.canonical.codes import PARTY_ROLE, PURPOSE, item_conveniences
from translators.errors import RenderError

Composite = tuple[str, ...]
Element = str | Composite
Segment = list[Element]

_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME: Final = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?")

# Meaning -> code, for documents that carry only the meaning of a code. Several codes share a
# meaning in the contract's tables; these are the ones a writer sends.
PURPOSE_CODES: Final[Mapping[str, str]] = {meaning: code for code, meaning in PURPOSE.items()}
PARTY_ROLE_CODES: Final[Mapping[str, str]] = {
    **{role: code for code, role in PARTY_ROLE.items()},
    "remit_to": "RI",
}

#: Convenience fields and the qualifier a writer sends for them when `item_ids` lacks them.
CONVENIENCE_QUALIFIERS: Final[Mapping[str, str]] = {
    "buyer_part_number": "BP",
    "vendor_part_number": "VP",
    "upc": "UP",
    "gtin": "UK",
}

PID_TEXT_MAX: Final = 80  # PID05
_MAX_EXPONENT: Final = 40  # no amount has more digits; "1E999999999" must not expand


class Value(str):
    """An element value that remembers the canonical field it was taken from."""

    field: str

    def __new__(cls, text: str, field: str) -> Value:
        value = super().__new__(cls, text)
        value.field = field
        return value


class Raw(Value):
    """An element kept as sent (856 ``hierarchy`` segments): it may hold composites and
    repetitions, so only the element separator and segment terminator are refused in it."""


def field_of(element: Element) -> str | None:
    """The canonical field an element (or its first component with one) came from."""
    parts = element if isinstance(element, tuple) else (element,)
    return next((p.field for p in parts if isinstance(p, Value)), None)


# -- conversions ---------------------------------------------------------------------------------


def x12_date(value: Any, field: str) -> str:
    """An ISO date (``YYYY-MM-DD`` or a `date`) as CCYYMMDD."""
    parsed: dt.date | None = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise RenderError(f"{field} {value!r} is not an ISO date (YYYY-MM-DD)", field=field)
    return Value(f"{parsed.year:04d}{parsed.month:02d}{parsed.day:02d}", field)


def x12_time(value: Any, field: str) -> str:
    """``HH:MM[:SS]`` as HHMM[SS]."""
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise RenderError(f"{field} {value!r} is not a time (HH:MM or HH:MM:SS)", field=field)
    return Value("".join(g for g in match.groups() if g), field)


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, bool | float):
        raise RenderError(f"{field} must be an exact decimal string, not {value!r}", field=field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number.adjusted()) > _MAX_EXPONENT:
        raise RenderError(f"{field} {value!r} is not a decimal number", field=field)
    return number


def x12_decimal(value: Any, field: str) -> str:
    """An R (real) element: the decimal as given, in fixed-point notation ("0.39", "48.00")."""
    return Value(format(_decimal(value, field), "f"), field)


def x12_implied(value: Any, field: str, scale: int) -> str:
    """An Nn (implied decimal) element: ``"623.00"`` with scale 2 -> ``"62300"``."""
    scaled = _decimal(value, field).scaleb(scale)
    if scaled != scaled.to_integral_value():
        raise RenderError(
            f"{field} {value!r} has more than {scale} decimal places, which N{scale} cannot hold",
            field=field,
            value=str(value),
        )
    return Value(str(int(scaled)), field)


def code_for(src: Source, code_key: str, meaning_key: str, codes: Mapping[str, str]) -> str:
    """The raw code, else the standard code for the meaning next to it (``purpose``)."""
    code = src.text(code_key)
    if code:
        return code
    if not src.has(meaning_key):
        raise RenderError(
            f"{src.at(code_key)} (or {meaning_key}) is required", field=src.at(code_key)
        )
    meaning = str(src.get(meaning_key))
    if meaning not in codes:
        raise RenderError(
            f"{src.at(meaning_key)} {meaning!r} has no X12 code; set {code_key}",
            field=src.at(meaning_key),
            value=meaning,
        )
    return Value(codes[meaning], src.at(meaning_key))


# -- reading a canonical document ----------------------------------------------------------------


class Source:
    """A canonical (sub)document and its path, giving element values that know their field."""

    def __init__(self, data: Mapping[str, Any] | None, path: str = ""):
        self.data: Mapping[str, Any] = data or {}
        self.path = path

    def at(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def has(self, key: str) -> bool:
        return self.data.get(key) not in (None, "", [])

    def text(self, key: str) -> str:
        value = self.data.get(key)
        return Value("" if value is None else str(value), self.at(key))

    def date(self, key: str) -> str:
        return x12_date(self.data[key], self.at(key)) if self.has(key) else self.text(key)

    def time(self, key: str) -> str:
        return x12_time(self.data[key], self.at(key)) if self.has(key) else self.text(key)

    def decimal(self, key: str) -> str:
        return x12_decimal(self.data[key], self.at(key)) if self.has(key) else self.text(key)

    def implied(self, key: str, scale: int = 2) -> str:
        if not self.has(key):
            return self.text(key)
        return x12_implied(self.data[key], self.at(key), scale)

    def child(self, key: str) -> Source:
        value = self.data.get(key)
        return Source(value if isinstance(value, Mapping) else None, self.at(key))

    def children(self, key: str) -> list[Source]:
        items = self.data.get(key) or []
        return [Source(item, f"{self.at(key)}[{i}]") for i, item in enumerate(items)]

    def texts(self, key: str) -> list[str]:
        items = self.data.get(key) or []
        return [Value(str(item), f"{self.at(key)}[{i}]") for i, item in enumerate(items)]

    def is_empty(self) -> bool:
        return all(v in (None, "", [], {}) for v in self.data.values())


# -- segments shared by several sets -------------------------------------------------------------


X12_CODE: Final = re.compile(r"[A-Z0-9]{1,3}")  # the shape of an N101 / N103 code


def party_loop(party: Source) -> list[Segment]:
    """N1 (role, name, id), N2 (name continuation), N3 (two address lines each), N4."""
    role = party.text("role_code")
    if role and not X12_CODE.fullmatch(str(role)):
        role = ""  # a cXML role ("shipTo"): the N101 comes from the canonical role
    if not role and party.has("role"):
        name = str(party.get("role"))
        role = Value(PARTY_ROLE_CODES.get(name, name.upper()), party.at("role"))
    if not role:
        raise RenderError(f"{party.at('role_code')} (or role) is required", field=party.at("role"))
    name, more = split_name(party.text("name"))
    qualifier, party_id = party.text("id_qualifier"), party.text("id")
    if party_id and qualifier and not X12_CODE.fullmatch(str(qualifier)):
        # a cXML addressIDDomain ("buyerLocationID"): an id the buyer assigned (N103 92)
        qualifier = Value("92", party.at("id_qualifier"))
    segments: list[Segment] = [["N1", role, name, qualifier, party_id]]
    segments += [["N2", *more[i : i + 2]] for i in range(0, len(more), 2)]
    address = party.child("address")
    lines = address.texts("lines")
    segments += [["N3", *lines[i : i + 2]] for i in range(0, len(lines), 2)]
    n4 = [address.text(k) for k in ("city", "state", "postal_code", "country")]
    if any(n4):
        segments.append(["N4", *n4])
    return segments


NAME_MAX: Final = 60  # N102, N201, N202


def split_name(name: str) -> tuple[str, list[str]]:
    """A name too long for N102 split at spaces into N102 and N2 parts (one space dropped each)."""
    parts = split_text(name, NAME_MAX)
    return (parts[0] if parts else name), parts[1:]


def split_text(text: str, width: int) -> list[str]:
    """Pieces of at most ``width`` characters that join back with one space into ``text``.

    Breaks at the last space that fits; a word longer than ``width`` is cut (and then no longer
    joins back exactly, which the standard leaves no way to avoid).
    """
    if not text:
        return []
    field = text.field if isinstance(text, Value) else None
    pieces: list[str] = []
    while len(text) > width:
        cut = text.rfind(" ", 1, width + 1)
        if cut <= 0:
            pieces.append(text[:width])
            text = text[width:]
        else:
            pieces.append(text[:cut])
            text = text[cut + 1 :]
    pieces.append(text)
    return [Value(p, field) for p in pieces] if field else pieces


def parties(src: Source, key: str = "parties") -> list[Segment]:
    return [seg for party in src.children(key) for seg in party_loop(party)]


def references(src: Source, key: str = "references") -> list[Segment]:
    return [
        ["REF", r.text("qualifier"), r.text("value"), r.text("description")]
        for r in src.children(key)
    ]


def dates(src: Source, key: str = "dates") -> list[Segment]:
    return [["DTM", d.text("qualifier"), d.date("date"), d.time("time")] for d in src.children(key)]


def has_date(src: Source, qualifier: str) -> bool:
    return any(d.get("qualifier") == qualifier for d in src.children("dates"))


def derived_date(src: Source, key: str, qualifier: str, time_key: str = "") -> list[Segment]:
    """DTM for a date field the reader derives from ``dates[]``, unless ``dates[]`` has it."""
    if not src.has(key) or has_date(src, qualifier):
        return []
    time = src.time(time_key) if time_key else ""
    return [["DTM", Value(qualifier, src.at(key)), src.date(key), time]]


def terms(src: Source) -> list[Segment]:
    """ITD: type, basis date, discount percent and days, net days, description."""
    t = src.child("terms")
    if t.is_empty():
        return []
    return [
        [
            "ITD",
            t.text("type_code"),
            t.text("basis_date_code"),
            t.decimal("discount_percent"),
            "",
            t.text("discount_days"),
            "",
            t.text("net_days"),
            "",
            "",
            "",
            "",
            t.text("description"),
        ]
    ]


def item_id_pairs(item: Source, max_pairs: int) -> list[str]:
    """Every ``item_ids`` pair in order, then a pair for each convenience they don't supply.

    A convenience field (``buyer_part_number``, ...) is derived from ``item_ids`` on reading; a
    document built without ``item_ids`` still gets its conveniences sent, as BP, VP, UP and UK.
    """
    pairs: list[tuple[str, str]] = [
        (i.text("qualifier"), i.text("value")) for i in item.children("item_ids")
    ]
    derived = item_conveniences([{"qualifier": q, "value": v} for q, v in pairs])
    for name, qualifier in CONVENIENCE_QUALIFIERS.items():
        if item.has(name) and derived[name] != item.get(name):
            pairs.append((Value(qualifier, item.at(name)), item.text(name)))
    if len(pairs) > max_pairs:
        raise RenderError(
            f"{item.at('item_ids')} has {len(pairs)} item ids, the segment holds {max_pairs}",
            field=item.at("item_ids"),
        )
    return [element for pair in pairs for element in pair]


def descriptions(item: Source) -> list[Segment]:
    """One ``PID*F****text`` per 80 characters of the description, split at spaces."""
    text = item.text("description")
    return [["PID", "F", "", "", "", piece] for piece in split_text(text, PID_TEXT_MAX)]


def notes_n9(src: Source) -> list[Segment]:
    """Notes as MSG segments in one N9*L1 loop (850 and 855 have no header NTE)."""
    notes = src.texts("notes")
    if not notes:
        return []
    segments: list[Segment] = [["N9", "L1", "NOTES"]]
    return segments + [["MSG", note] for note in notes]


def notes_nte(src: Source) -> list[Segment]:
    return [["NTE", "GEN", note] for note in src.texts("notes")]


def currency(src: Source, entity: str) -> list[Segment]:
    return [["CUR", entity, src.text("currency")]] if src.has("currency") else []
