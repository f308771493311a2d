"""TA1s for interchanges refused at intake, when the partner who sent them is known.

CONTRACT.md: an interchange from a partner posing as another sender, or addressed to a receiver
that is none of our identities, is stored, rejected with the reason and answered with a TA1 -
note code 006 (invalid interchange sender id) or 008 (invalid interchange receiver id) - in
the partner's mailbox. A partner whose `ta1_policy` is `never` gets none. An unknown sender
gets none either: there is no one to send it to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.store import next_control_number, record_event
from gateway.store.enums import (
    AckKind,
    AckStatus,
    Channel,
    ControlNumberKind,
    Direction,
    MessageStatus,
)
from gateway.store.messages import create_message
from gateway.store.models import Acknowledgment, OurIdentity, Partner
from gateway.store.types import utcnow

INVALID_SENDER = "006"
INVALID_RECEIVER = "008"


@dataclass(frozen=True, slots=True)
class RefusedInterchange:
    sender: tuple[str, str]
    receiver: tuple[str, str]
    isa09: str
    isa10: str
    isa12: str
    isa13: str
    test: bool


def send_ta1(
    session: Session,
    *,
    partner_id: uuid.UUID,
    message_id: uuid.UUID,
    interchange: RefusedInterchange,
    note_code: str,
) -> uuid.UUID | None:
    """Put a rejecting TA1 for `interchange` in the partner's mailbox (the caller's
    transaction); the id of its message, or None when the partner wants no TA1s."""
    partner = session.get(Partner, partner_id)
    if partner is None or partner.ta1_policy == "never":
        return None
    ours = session.execute(
        select(OurIdentity.isa_qualifier, OurIdentity.isa_id)
        .order_by(OurIdentity.created_at, OurIdentity.id)
        .limit(1)
    ).first()
    sender = (ours[0], ours[1]) if ours else interchange.receiver
    # to the identity it sent as, if that is its own; else (it posed as another) to its own
    own = [(i.isa_qualifier, i.isa_id) for i in partner.identities]
    to = interchange.sender if interchange.sender in own or not own else own[0]
    number = next_control_number(session, partner_id=partner.id, kind=ControlNumberKind.ISA)
    now = utcnow()
    version = "00501" if interchange.isa12 >= "00501" else "00401"
    isa = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        sender[0],
        f"{sender[1]:<15}",
        to[0],
        f"{to[1]:<15}",
        now.strftime("%y%m%d"),
        now.strftime("%H%M"),
        "^" if version == "00501" else "U",
        version,
        f"{number:09d}",
        "0",
        "T" if interchange.test else "P",
        ">",
    ]
    ta1 = ["TA1", interchange.isa13, interchange.isa09, interchange.isa10, "R", note_code]
    iea = ["IEA", "0", f"{number:09d}"]
    text = "".join("*".join(segment) + "~" for segment in (isa, ta1, iea))
    message = create_message(
        session,
        direction=Direction.OUTBOUND,
        channel=Channel.API,
        payload=text.encode("ascii", errors="replace"),
        partner_id=partner.id,
        channel_meta={"kind": "TA1", "acknowledges": str(message_id)},
        status=MessageStatus.PROCESSING,  # in the partner's mailbox until picked up
        is_test=interchange.test,
    )
    session.add(
        Acknowledgment(
            kind=AckKind.TA1,
            direction=Direction.OUTBOUND,
            message_id=message.id,
            acknowledges_message_id=message_id,
            interchange_control_number=interchange.isa13[:64],
            status=AckStatus.REJECTED,
            detail={"note_code": note_code},
        )
    )
    record_event(
        session,
        message_id=message_id,
        kind="acknowledged",
        detail={"kind": "TA1", "note_code": note_code, "ack_message_id": str(message.id)},
    )
    return message.id
