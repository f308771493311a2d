"""Canonical documents -> X12: one writer per transaction set, and the envelope around them.

    text = render(documents, EnvelopeProfile(sender_id="ME", receiver_id="YOU"))

``translate(render(docs))`` gives ``docs`` back, envelope aside, for documents valid under the
specs. Where the canonical model holds a field twice (a convenience derived from other fields)
the writer sends the source and adds the derived field only when the source lacks it:

- item conveniences (``buyer_part_number``, ``vendor_part_number``, ``upc``, ``gtin``) come from
  ``item_ids``; one that ``item_ids`` does not supply is sent as an extra BP, VP, UP or UK pair;
- a date with its own field is sent as a DTM unless ``dates[]`` already has that qualifier:
  ``requested_delivery_date`` as DTM*002; an 856 ``ship_date`` goes in BSN03/BSN04, plus a
  DTM*011 when it has no ``ship_time`` (BSN04 is mandatory, the DTM keeps the time null);
- an 855 line's ``status_code``/``status``/``scheduled_date`` come from its first ACK; a line
  with no ``acks`` gets one ACK built from them;
- an 856's ``bill_of_lading`` and ``tracking_numbers`` go out as REF*BM/REF*CN unless
  ``references`` holds them; with ``hierarchy`` given, the HL tree is sent as it is.

Codes are sent raw (``purpose_code``); a document with only the meaning (``purpose``) gets the
standard code for it. A value that holds a delimiter is refused (X12 has no escape), and so is
a document whose set would not pass its own spec: `RenderError` names the canonical field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from translators.x12.writers.envelope import (
    FUNCTIONAL_IDS,
    SET_IDS,
    WRITERS,
    EnvelopeProfile,
    render_interchange,
    render_segments,
)


def render(documents: Iterable[Mapping[str, Any]], profile: EnvelopeProfile) -> str:
    """One X12 interchange holding the documents, grouped by functional id."""
    return render_interchange(documents, profile)


__all__ = [
    "FUNCTIONAL_IDS",
    "SET_IDS",
    "WRITERS",
    "EnvelopeProfile",
    "render",
    "render_interchange",
    "render_segments",
]
