"""How we address what we send a partner: which of its identities, which X12 version, which
delimiters - from its registry settings.

A reply goes back to the identity the partner sent from, in the version it sent; anything else
(an ERP-originated document) goes to its first identity in its default version. Its delimiters
apply either way (none set: the writer's defaults).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gateway.store.models import Partner, PartnerIdentity
from translators.x12.tokenizer import Delimiters

Version = Literal["004010", "005010"]


@dataclass(frozen=True, slots=True)
class OutboundEnvelope:
    receiver_qualifier: str
    receiver_id: str
    gs_id: str | None  # GS03, when the partner has one
    version: Version
    delimiters: Delimiters | None


def outbound_envelope(
    partner: Partner,
    *,
    reply_to: tuple[str, str] | None = None,
    reply_version: str | None = None,
) -> OutboundEnvelope | None:
    """The envelope settings for `partner` (None: it has no ISA identity to send to).
    `reply_to` is the (qualifier, id) it sent from; `reply_version` that interchange's ISA12."""
    identities = list(partner.identities)
    if not identities:
        return None
    theirs: PartnerIdentity = next(
        (i for i in identities if reply_to and (i.isa_qualifier, i.isa_id) == reply_to),
        identities[0],
    )
    version: Version
    if reply_version is not None:
        version = "005010" if reply_version >= "00501" else "004010"
    else:
        version = "005010" if partner.x12_version == "005010" else "004010"
    chosen = partner.delimiters or {}
    delimiters = None
    if chosen:
        delimiters = Delimiters(
            element=chosen.get("element", "*"),
            component=chosen.get("component", ":"),
            segment=chosen.get("segment", "~"),
            repetition=chosen.get("repetition"),
        )
    return OutboundEnvelope(theirs.isa_qualifier, theirs.isa_id, theirs.gs_id, version, delimiters)
