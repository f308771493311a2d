"""What lenient mode forgives inside a transaction set, and what it never does.

Real partners send sets that break the letter of the standard but whose meaning is clear: a
state name in a two-letter N402, an optional segment out of order or not in the set at all, a
malformed optional composite. Lenient mode (the default) reads such sets with each defect
reported as a warning and acknowledged as "accepted, errors noted" (AK5/IK5 `E`) - nothing is
silently dropped: the 997/999 still lists every AK3/AK4. Strict mode rejects them all.

Never forgiven, because the document could not be read faithfully:

* a mandatory segment missing, a mandatory element missing, a syntax note broken, a loop or
  segment repeated beyond its maximum, an invalid date or time;
* any error in a *key element*: the ones that identify the document or the group it
  acknowledges (BEG01/03, BAK01-03, BSN01, HL01/03, BIG01/02, AK101/102, AK501/IK501, AK901).

When a set is read with the spec of a different version (003040 read as 004010), the spec is an
approximation of what the sender followed, so its usage and syntax rules are forgiven as well;
only structure (unknown order, repeats) and the readers' own conversions can still reject.

Numbers and dates the readers map are converted by the readers, which reject values they cannot
read; so forgiving a spec rule never lets an unreadable quantity or price through.
"""

from __future__ import annotations

import re

from translators.errors import SegmentError
from translators.x12.validator import (
    EL_CONDITIONAL_MISSING,
    EL_EXCLUSION,
    EL_INVALID_CHAR,
    EL_INVALID_CODE,
    EL_MANDATORY_MISSING,
    EL_TOO_LONG,
    EL_TOO_MANY_COMPONENTS,
    EL_TOO_MANY_ELEMENTS,
    EL_TOO_MANY_REPETITIONS,
    EL_TOO_SHORT,
    SEG_NOT_IN_SET,
    SEG_OUT_OF_SEQUENCE,
    SEG_UNEXPECTED,
)

KEY_ELEMENTS: dict[str, dict[str, frozenset[int]]] = {
    "850": {"BEG": frozenset({1, 3})},
    "855": {"BAK": frozenset({1, 2, 3})},
    "856": {"BSN": frozenset({1}), "HL": frozenset({1, 3})},
    "810": {"BIG": frozenset({1, 2})},
    "997": {"AK1": frozenset({1, 2}), "AK5": frozenset({1}), "AK9": frozenset({1})},
    "999": {"AK1": frozenset({1, 2}), "IK5": frozenset({1}), "AK9": frozenset({1})},
}

_DATA_ERRORS = frozenset(
    {
        EL_TOO_SHORT,
        EL_TOO_LONG,
        EL_INVALID_CHAR,
        EL_INVALID_CODE,
        EL_TOO_MANY_ELEMENTS,
        EL_TOO_MANY_REPETITIONS,
        EL_TOO_MANY_COMPONENTS,
    }
)
_USAGE_ERRORS = frozenset({EL_MANDATORY_MISSING, EL_CONDITIONAL_MISSING, EL_EXCLUSION})
_PLACEMENT_ERRORS = frozenset({SEG_UNEXPECTED, SEG_NOT_IN_SET, SEG_OUT_OF_SEQUENCE})
_PAIRS_START = {"PO1": 6, "IT1": 6}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def forgivable(err: SegmentError, set_id: str, *, exact_spec: bool) -> bool:
    """Whether lenient mode reads past this error (with a warning)."""
    if err.element_position is None:
        # segment-level: only misplaced or foreign optional segments
        return err.segment_error_code in _PLACEMENT_ERRORS
    keys = KEY_ELEMENTS.get(set_id, {}).get(err.segment_id)
    is_key = keys is not None and err.element_position in keys
    code = err.element_error_code
    if code == EL_INVALID_CHAR and err.bad_value and _CONTROL.search(err.bad_value):
        return False  # control characters (NUL...) are corruption, not sloppiness
    if code in _DATA_ERRORS:
        return not is_key or not exact_spec
    if code == EL_MANDATORY_MISSING and err.component_position is not None:
        return True  # inside a malformed composite: the composite is data, not structure
    if code in _USAGE_ERRORS or code in ("8", "9"):
        return not exact_spec
    return False


def apply(errors: list[SegmentError], set_id: str, *, exact_spec: bool) -> list[str]:
    """Mark forgivable errors as forgiven; return their warnings."""
    warnings = []
    for err in errors:
        if forgivable(err, set_id, exact_spec=exact_spec):
            err.forgiven = True
            warnings.append(f"{err.location()}: {err.message}" + _value(err))
    return warnings


def _value(err: SegmentError) -> str:
    return f" (value {err.bad_value!r})" if err.bad_value is not None else ""


def realign_pairs(segments: list[list[str]], raws: list[str], separator: str) -> list[str]:
    """Qualifier/id pairs that start one element early (PO105 omitted, not left empty).

    ``PO1*1*10*EA*25.00*BP*SKU-A``: "SKU-A" cannot be a product id qualifier, "BP" is one, so
    the pairs began at PO105. The segment is read as ``PO1*1*10*EA*25.00**BP*SKU-A``.
    Returns warnings; changes ``segments`` and ``raws`` in place.
    """
    warnings = []
    for i, seg in enumerate(segments):
        start = _PAIRS_START.get(seg[0])
        if start is None or len(seg) <= start:
            continue
        before, first = seg[start - 1], seg[start]
        if len(first) > 2 and len(before) == 2 and before.isalnum() and before.isupper():
            seg.insert(start - 1, "")
            raws[i] = separator.join(seg)
            warnings.append(
                f"segment {i + 1} ({seg[0]}): qualifier/id pairs start at {seg[0]}{start - 1:02d}"
                f" ({seg[0]}{start - 1:02d} omitted); {before!r} read as {seg[0]}{start:02d}"
            )
    return warnings
