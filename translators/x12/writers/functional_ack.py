"""Canonical `functional_ack` -> 997 or 999 segments (ST..SE).

AK1, then per acknowledged set an AK2 loop: AK2, the errors, AK5 (999: IK5); AK9 closes. Each
entry of ``errors[]`` is one AK4/IK4 under its AK3/IK3 context; consecutive entries with the
same context share one AK3/IK3, and an entry without element data is an AK3/IK3 alone.

A 999 is written for 005010 and a 997 for 004010 unless ``set_id`` asks otherwise (a 997 in
005010 is fine; a 999 in 004010 does not exist). The 999's AK103 names the version rendered:
the canonical document does not keep the acknowledged group's GS08. Missing AK9 counts are
derived from ``transaction_sets`` (sets accepted = status A or E).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from translators.errors import RenderError
from translators.x12.writers.common import Segment, Source, Value, code_for

#: AK501/IK501/AK901 sent for a status given without its code.
STATUS_CODES: Final[Mapping[str, str]] = {
    "accepted": "A",
    "accepted_with_errors": "E",
    "partially_accepted": "P",
    "rejected": "R",
}
_ACCEPTED: Final = frozenset({"A", "E"})
_CONTEXT: Final = ("segment_id", "segment_position", "loop_id", "segment_error_code")
_ELEMENT: Final = ("element_position", "component_position", "element_reference")
_ELEMENT_FIELDS: Final = (*_ELEMENT, "element_error_code", "bad_value")


def write(document: Mapping[str, Any], version: str, *, set_id: str | None = None) -> list[Segment]:
    kind = set_id or ("999" if version == "005010" else "997")
    if kind == "999" and version != "005010":
        raise RenderError("a 999 can only be sent in 005010", field="profile.functional_ack_set")
    ik = kind == "999"
    doc = Source(document)
    ak1: Segment = ["AK1", doc.text("acknowledged_functional_id")]
    ak1.append(doc.text("acknowledged_group_control_number"))
    if ik:
        ak1.append(version)
    segments: list[Segment] = [["ST", kind], ak1]
    sets = doc.children("transaction_sets")
    for acked in sets:
        segments += _set_loop(acked, ik)
    segments.append(_ak9(doc, sets))
    segments.append(["SE"])
    return segments


def _set_loop(acked: Source, ik: bool) -> list[Segment]:
    segments: list[Segment] = [["AK2", acked.text("transaction_set"), acked.text("control_number")]]
    previous: tuple[object, ...] | None = None
    for error in acked.children("errors"):
        context = tuple(error.get(k) for k in _CONTEXT)
        has_element = any(error.has(k) for k in _ELEMENT_FIELDS)
        if context != previous or not has_element:
            segments.append(["IK3" if ik else "AK3", *(error.text(k) for k in _CONTEXT)])
        previous = context if has_element else None
        if has_element:
            segments.append(_element_error(error, ik))
    status = code_for(acked, "status_code", "status", STATUS_CODES)
    codes = acked.texts("codes")
    if len(codes) > 5:
        raise RenderError(
            f"{acked.at('codes')} has {len(codes)} codes, AK502-AK506 hold 5",
            field=acked.at("codes"),
        )
    segments.append(["IK5" if ik else "AK5", status, *codes])
    return segments


def _element_error(error: Source, ik: bool) -> Segment:
    position = (error.text("element_position"), error.text("component_position"))
    return [
        "IK4" if ik else "AK4",
        position,
        error.text("element_reference"),
        error.text("element_error_code"),
        error.text("bad_value"),
    ]


def _ak9(doc: Source, sets: list[Source]) -> Segment:
    status = code_for(doc, "status_code", "status", STATUS_CODES)
    counts = doc.child("counts")
    accepted = sum(
        1
        for s in sets
        if (s.get("status_code") or STATUS_CODES.get(str(s.get("status")))) in _ACCEPTED
    )
    derived = {"included": len(sets), "received": len(sets), "accepted": accepted}
    values = [
        counts.text(k) if counts.has(k) else Value(str(n), counts.at(k)) for k, n in derived.items()
    ]
    return ["AK9", status, *values]
