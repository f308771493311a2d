"""997 and 999 functional acknowledgments -> canonical ``functional_ack``.

AK1 names the acknowledged group, each AK2 loop one acknowledged set with its AK5/IK5
verdict, AK9 the group verdict and counts. ``errors`` has one entry per AK4/IK4, carrying the
AK3/IK3 it sits under, and one entry (element fields null) for an AK3/IK3 without any.
CTX (999 context) has no place in the contract and is passed over.

Positions that are not whole numbers are left null with a warning rather than refusing the
acknowledgment: it reports on our own data, and losing it would hide the verdict it carries.
"""

from __future__ import annotations

from translators.canonical.codes import functional_ack_status
from translators.x12.interchange import TransactionSet
from translators.x12.readers.common import MAX_WHOLE_DIGITS, Json, Segment, components, el

_SEGMENT_FIELDS = ("segment_id", "segment_position", "loop_id", "segment_error_code")


def _int(value: str | None, name: str, warnings: list[str]) -> int | None:
    if value is None:
        return None
    if value.isdigit() and value.isascii():
        if len(value.lstrip("0")) <= MAX_WHOLE_DIGITS:
            return int(value)
        warnings.append(f"{name} {value[:40]!r} is too large a number; left null")
        return None
    warnings.append(f"{name} {value[:40]!r} is not a whole number; left null")
    return None


def _segment_context(seg: Segment, warnings: list[str]) -> Json:
    sid = seg[0]
    return {
        "segment_id": el(seg, 1),
        "segment_position": _int(el(seg, 2), f"{sid}02", warnings),
        "loop_id": el(seg, 3),
        "segment_error_code": el(seg, 4),
    }


def _element_fields(seg: Segment, separator: str, warnings: list[str]) -> Json:
    sid = seg[0]
    position = el(seg, 1)
    parts = components(position, separator) if position is not None else []
    element = _int(parts[0] or None, f"{sid}01", warnings) if parts else None
    component = _int(parts[1] or None, f"{sid}01-2", warnings) if len(parts) > 1 else None
    return {
        "element_position": element,
        "component_position": component,
        "element_reference": el(seg, 2),
        "element_error_code": el(seg, 3),
        "bad_value": el(seg, 4),
    }


def read_functional_ack(ts: TransactionSet) -> Json:
    warnings = list(ts.warnings)
    separator = ts.delimiters.component
    sets: list[Json] = []
    errors: list[Json] | None = None  # the current AK2 loop's
    context: Json | None = None  # the current AK3/IK3 entry
    context_used = False  # whether an AK4/IK4 has filled it already
    head: Json = {"acknowledged_functional_id": None, "acknowledged_group_control_number": None}
    status_code: str | None = None
    counts: Json | None = None
    for seg in ts.segments:
        sid = seg[0]
        if sid in ("AK4", "IK4"):
            if errors is None:
                continue
            element = _element_fields(seg, separator, warnings)
            if context is None:
                entry = dict.fromkeys(_SEGMENT_FIELDS)
                entry.update(element)
                errors.append(entry)
            elif context_used:
                errors.append({**context, **element})
            else:
                context.update(element)
                context_used = True
        elif sid in ("AK3", "IK3"):
            if errors is None:
                continue
            context = _segment_context(seg, warnings)
            context.update(
                element_position=None,
                component_position=None,
                element_reference=None,
                element_error_code=None,
                bad_value=None,
            )
            errors.append(context)
            context_used = False
        elif sid == "AK2":
            errors = []
            context = None
            sets.append(
                {
                    "transaction_set": el(seg, 1),
                    "control_number": el(seg, 2),
                    "status_code": None,
                    "status": None,
                    "codes": [],
                    "errors": errors,
                }
            )
        elif sid in ("AK5", "IK5"):
            context = None
            if errors is not None and sets[-1]["status_code"] is None:
                code = el(seg, 1)
                current = sets[-1]
                current["status_code"] = code
                current["status"] = functional_ack_status(code)
                current["codes"] = [c for c in (el(seg, i) for i in range(2, 7)) if c is not None]
        elif sid == "AK1":
            head = {
                "acknowledged_functional_id": el(seg, 1),
                "acknowledged_group_control_number": el(seg, 2),
            }
        elif sid == "AK9":
            errors = context = None
            status_code = el(seg, 1)
            counts = {
                "included": _int(el(seg, 2), "AK902", warnings),
                "received": _int(el(seg, 3), "AK903", warnings),
                "accepted": _int(el(seg, 4), "AK904", warnings),
            }
    doc: Json = {
        "document_type": "functional_ack",
        "envelope": ts.envelope,
        "warnings": warnings,
        "parties": [],
        "references": [],
        "dates": [],
        "notes": [],
    }
    doc.update(head)
    doc["status_code"] = status_code
    doc["status"] = functional_ack_status(status_code)
    doc["counts"] = counts
    doc["transaction_sets"] = sets
    return doc
