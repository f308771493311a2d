"""What every X12 reader shares: element access, value conversion and the generic loops.

Readers walk ``TransactionSet.segments`` once, top to bottom. Each segment is
``[segment id, element 1, element 2, ...]``; trailing elements may be missing, so elements are
read with `el` (``None`` when absent or empty) and converted with the ``el_*`` helpers, which
raise `SegmentError` (segment id and position, element position, AK403 code, bad value) when
an element holds something that is not what its type promises. The pure converters
(`decimal`, `implied`, `iso_date`, `iso_time`) raise ``ValueError`` and know nothing of segments.

`Block` reads the segments every loop level may carry (N1 party loops, REF, DTM, NTE/MSG, PID)
so a reader only handles the segments that are specific to its transaction set.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from translators.canonical.codes import party_role
from translators.errors import SegmentError

Segment = list[str]
Json = dict[str, Any]

# AK403 / IK403 element error codes the readers raise.
TOO_LONG = "5"
INVALID_CHARACTER = "6"
INVALID_DATE = "8"
INVALID_TIME = "9"

# Whole numbers the readers emit must fit a JSON integer (64-bit); X12 counts have 1-9 digits.
MAX_WHOLE_DIGITS = 18

# Segments of an N1 loop (besides N1..N4) that belong to the party, not to the enclosing level.
_PARTY_LOOP = frozenset(("REF", "PER", "NX2", "SI", "FOB", "DMG"))
_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# A decimal already written as the canonical model writes it (no sign, no leading zeros).
_CANONICAL_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
# Exponents beyond this are not amounts; refusing them keeps "1E999999999" from expanding.
_MAX_EXPONENT = 40


# -- pure conversions --------------------------------------------------------------------------


def decimal(value: str) -> str:
    """An X12 ``R`` value as an exact decimal string, keeping the scale sent.

    ``"48"`` -> ``"48"``, ``"48.00"`` -> ``"48.00"``, ``".39"`` -> ``"0.39"``, ``"-.5"`` ->
    ``"-0.5"``; leading zeros go (``"0008"`` -> ``"8"``), exponents are expanded.
    """
    if value.isdigit() and value.isascii():  # the common cases first: a whole number,
        return value.lstrip("0") or "0"
    if _CANONICAL_DECIMAL.fullmatch(value) is not None:  # or a decimal written canonically
        return value
    neg = value[:1] == "-"
    body = value[1:] if neg else value
    whole, _, frac = body.partition(".")
    if (
        body.isascii()
        and (whole.isdigit() or not whole)
        and (frac.isdigit() or not frac)
        and (whole or frac)
    ):
        whole = whole.lstrip("0") or "0"
        text = f"{whole}.{frac}" if frac else whole
        return "-" + text if neg else text
    if body.isascii() and ("E" in body or "e" in body):
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if number.is_finite() and abs(number.adjusted()) <= _MAX_EXPONENT:
            return format(number, "f")
    raise ValueError(f"{value!r} is not a decimal number")


def implied(value: str, scale: int) -> str:
    """An X12 ``Nn`` value (implied decimal places) as a decimal string of that scale.

    ``implied("62300", 2)`` -> ``"623.00"``; ``implied("-5", 2)`` -> ``"-0.05"``. A value sent
    with an explicit decimal point is read as ``R`` (a common partner error, meaning is clear).
    """
    if "." in value:
        return decimal(value)
    neg = value[:1] == "-"
    digits = value[1:] if neg else value
    if not (digits.isdigit() and digits.isascii()):
        raise ValueError(f"{value!r} is not a number")
    if scale > 0:
        digits = digits.rjust(scale + 1, "0")
        text = f"{digits[:-scale].lstrip('0') or '0'}.{digits[-scale:]}"
    else:
        text = digits.lstrip("0") or "0"
    return "-" + text if neg else text


def iso_date(value: str) -> str:
    """``CCYYMMDD`` or ``YYMMDD`` as ``YYYY-MM-DD``; two-digit years 00-49 are 20xx, 50-99 19xx."""
    if not (value.isdigit() and value.isascii()):
        raise ValueError(f"{value!r} is not a date")
    if len(value) == 8:
        year, month, day = value[:4], value[4:6], value[6:]
    elif len(value) == 6:
        yy = value[:2]
        year = ("20" if yy < "50" else "19") + yy
        month, day = value[2:4], value[4:]
    else:
        raise ValueError(f"{value!r} is not a date (CCYYMMDD or YYMMDD)")
    m, d, y = int(month), int(day), int(year)
    if not (y and 1 <= m <= 12 and 1 <= d <= _MONTH_DAYS[m]) or (
        m == 2 and d == 29 and (y % 4 or (y % 100 == 0 and y % 400))
    ):
        raise ValueError(f"{value!r} is not a calendar date")
    return f"{year}-{month}-{day}"


def iso_time(value: str) -> str:
    """``HHMM`` -> ``HH:MM``; ``HHMMSS`` and longer (decimal seconds) -> ``HH:MM:SS``."""
    n = len(value)
    if n not in (4, 6, 7, 8) or not (value.isdigit() and value.isascii()):
        raise ValueError(f"{value!r} is not a time (HHMM[SS[dd]])")
    hh, mm = value[:2], value[2:4]
    if hh > "23" or mm > "59":
        raise ValueError(f"{value!r} is not a time of day")
    if n == 4:
        return f"{hh}:{mm}"
    ss = value[4:6]
    if ss > "59":
        raise ValueError(f"{value!r} is not a time of day")
    return f"{hh}:{mm}:{ss}"


def components(value: str, separator: str) -> list[str]:
    """The components of a composite element, trimmed (``"2:1"`` -> ``["2", "1"]``)."""
    return [c.strip() for c in value.split(separator)]


# -- element access ----------------------------------------------------------------------------


def el(seg: Segment, i: int) -> str | None:
    """Element ``i`` (1-based) trimmed of padding; ``None`` when absent or empty."""
    if i < len(seg):
        return seg[i].strip() or None
    return None


def element_error(seg: Segment, pos: int, i: int, value: str, code: str, what: str) -> SegmentError:
    sid = seg[0]
    return SegmentError(
        f"{sid}{i:02d} {what}",
        segment_id=sid,
        segment_position=pos,
        element_position=i,
        element_error_code=code,
        bad_value=value,
    )


def el_decimal(seg: Segment, pos: int, i: int) -> str | None:
    """Element ``i`` as an ``R`` decimal string."""
    value = el(seg, i)
    if value is None:
        return None
    try:
        return decimal(value)
    except ValueError:
        raise element_error(
            seg, pos, i, value, INVALID_CHARACTER, "is not a decimal number"
        ) from None


def el_implied(seg: Segment, pos: int, i: int, scale: int) -> str | None:
    """Element ``i`` as an ``Nn`` number with ``scale`` implied decimal places."""
    value = el(seg, i)
    if value is None:
        return None
    try:
        return implied(value, scale)
    except ValueError:
        raise element_error(seg, pos, i, value, INVALID_CHARACTER, "is not a number") from None


def el_int(seg: Segment, pos: int, i: int) -> int | None:
    """Element ``i`` as a whole number (``N0`` counts, days, positions)."""
    value = el(seg, i)
    if value is None:
        return None
    if value.isdigit() and value.isascii():
        if len(value.lstrip("0")) > MAX_WHOLE_DIGITS:
            raise element_error(seg, pos, i, value, TOO_LONG, "is too large a number")
        return int(value)
    raise element_error(seg, pos, i, value, INVALID_CHARACTER, "is not a whole number")


def el_date(seg: Segment, pos: int, i: int) -> str | None:
    """Element ``i`` as an ISO date."""
    value = el(seg, i)
    if value is None:
        return None
    try:
        return iso_date(value)
    except ValueError:
        raise element_error(seg, pos, i, value, INVALID_DATE, "is not a valid date") from None


def el_time(seg: Segment, pos: int, i: int) -> str | None:
    """Element ``i`` as ``HH:MM[:SS]``."""
    value = el(seg, i)
    if value is None:
        return None
    try:
        return iso_time(value)
    except ValueError:
        raise element_error(seg, pos, i, value, INVALID_TIME, "is not a valid time") from None


# -- common segments ---------------------------------------------------------------------------


def party(seg: Segment) -> Json:
    """A party from its N1 segment; `add_to_party` completes it from N2/N3/N4."""
    code = el(seg, 1)
    return {
        "role": party_role(code),
        "role_code": code,
        "name": el(seg, 2),
        "id_qualifier": el(seg, 3),
        "id": el(seg, 4),
        "address": {"lines": [], "city": None, "state": None, "postal_code": None, "country": None},
    }


def add_to_party(p: Json, sid: str, seg: Segment) -> None:
    """N2 continues the name, N3 adds address lines in order, N4 fills city to country."""
    if sid == "N3":
        lines = p["address"]["lines"]
        for i in (1, 2):
            value = el(seg, i)
            if value is not None:
                lines.append(value)
    elif sid == "N4":
        address = p["address"]
        for key, i in (("city", 1), ("state", 2), ("postal_code", 3), ("country", 4)):
            if address[key] is None:
                address[key] = el(seg, i)
    elif sid == "N2":
        names = [p["name"], el(seg, 1), el(seg, 2)]
        p["name"] = " ".join(n for n in names if n is not None) or None


def reference(seg: Segment) -> Json:
    """REF: ``{qualifier, value, description}``."""
    return {"qualifier": el(seg, 1), "value": el(seg, 2), "description": el(seg, 3)}


def date_ref(seg: Segment, pos: int) -> Json:
    """DTM: ``{qualifier, date, time}``; a ``D8`` date in DTM05/DTM06 stands in for DTM02."""
    date = el_date(seg, pos, 2)
    if date is None and el(seg, 5) == "D8":
        date = el_date(seg, pos, 6)
    return {"qualifier": el(seg, 1), "date": date, "time": el_time(seg, pos, 3)}


def first_date(dates: list[Json], qualifier: str) -> str | None:
    """The date of the first DTM with ``qualifier`` that carries one."""
    for d in dates:
        if d["qualifier"] == qualifier and d["date"] is not None:
            value: str = d["date"]
            return value
    return None


def terms(seg: Segment, pos: int) -> Json:
    """ITD: terms of sale."""
    return {
        "type_code": el(seg, 1),
        "basis_date_code": el(seg, 2),
        "discount_percent": el_decimal(seg, pos, 3),
        "discount_days": el_int(seg, pos, 5),
        "net_days": el_int(seg, pos, 7),
        "description": el(seg, 12),
    }


def item_ids(seg: Segment, first: int) -> list[Json]:
    """Every qualifier/id pair from element ``first`` on (PO106/107..., LIN02/03..., IT106/107...,
    SLN09/10...), as sent; pairs with neither part are skipped."""
    ids: list[Json] = _item_part(seg, first)["item_ids"]
    return ids


def item_part(seg: Segment, first: int) -> Json:
    """``item_fields(item_ids(seg, first))`` in one pass over the pairs (one per order line)."""
    return _item_part(seg, first)


def _item_part(seg: Segment, first: int) -> Json:
    ids = []
    firsts: dict[str | None, str] = {}
    n = len(seg)
    for i in range(first, n, 2):
        qualifier = seg[i].strip() or None
        value = (seg[i + 1].strip() or None) if i + 1 < n else None
        if value is not None:
            if qualifier not in firsts:
                firsts[qualifier] = value
        elif qualifier is None:
            continue
        ids.append({"qualifier": qualifier, "value": value})
    return _with_conveniences(ids, firsts)


def _with_conveniences(ids: list[Json], firsts: dict[str | None, str]) -> Json:
    """The line's item fields from its pairs and the first value sent for each qualifier."""
    get = firsts.get
    return {
        "item_ids": ids,
        "buyer_part_number": get("BP") or get("IN"),
        "vendor_part_number": get("VP") or get("VN"),
        "upc": get("UP"),
        "gtin": get("UK") or get("EN"),
        "description": None,
    }


def item_fields(ids: list[Json]) -> Json:
    """``item_ids`` and the conveniences derived from them; ``description`` is filled later.

    The rules are `codes.item_conveniences` (BP else IN, VP else VN, UP, UK else EN; the first
    pair of a qualifier wins; pairs without a value do not count), inlined: that function
    takes models too and costs several times this per line, which shows on 100 MB files.
    """
    first: dict[str | None, str] = {}
    for pair in ids:
        value = pair["value"]
        if value is not None:
            first.setdefault(pair["qualifier"], value)
    return _with_conveniences(ids, first)


def description(texts: list[str]) -> str | None:
    return " ".join(texts) or None


class Block:
    """The generic segments of one loop level (the header, a line, an HL level).

    `feed` takes N1/N2/N3/N4 party loops (with the REF/PER... inside them, which belong to the
    party and are not kept), REF, DTM, NTE/MSG and PID, and returns False for anything else,
    which the reader handles. Blocks of the same document share its ``notes``; a block may
    also write into another's lists (e.g. the 856 shipment level into the document's).
    """

    __slots__ = ("dates", "descriptions", "notes", "open_party", "parties", "references")

    def __init__(
        self,
        notes: list[str],
        parties: list[Json] | None = None,
        references: list[Json] | None = None,
        dates: list[Json] | None = None,
    ) -> None:
        self.notes = notes
        self.parties: list[Json] = [] if parties is None else parties
        self.references: list[Json] = [] if references is None else references
        self.dates: list[Json] = [] if dates is None else dates
        self.descriptions: list[str] = []  # PID05 texts
        self.open_party: Json | None = None  # the N1 loop being read

    def feed(self, sid: str, seg: Segment, pos: int) -> bool:
        current = self.open_party
        if current is not None:
            if sid in ("N2", "N3", "N4"):
                add_to_party(current, sid, seg)
                return True
            if sid in _PARTY_LOOP:
                return True
            self.open_party = None
        if sid == "N1":
            self.open_party = party(seg)
            self.parties.append(self.open_party)
        elif sid == "REF":
            self.references.append(reference(seg))
        elif sid == "DTM":
            self.dates.append(date_ref(seg, pos))
        elif sid == "PID":
            text = el(seg, 5)
            if text is not None:
                self.descriptions.append(text)
        elif sid == "NTE":
            text = el(seg, 2)
            if text is not None:
                self.notes.append(text)
        elif sid == "MSG":
            text = el(seg, 1)
            if text is not None:
                self.notes.append(text)
        elif sid not in ("N2", "N3", "N4"):  # N2-N4 without an N1 have no party to go to
            return False
        return True

    def shared(self) -> Block:
        """A new block writing into this one's parties, references and dates (same notes)."""
        return Block(self.notes, self.parties, self.references, self.dates)
