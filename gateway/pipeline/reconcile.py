"""A partner's 997/999 closes what we sent it.

An inbound functional acknowledgment names the group it answers by functional id (AK101) and
group control number (AK102 = our GS06). The outbound message of that partner carrying that
group is acknowledged: an `Acknowledgment` row links the two, the documents in the group become
`acknowledged` (or `rejected`), and both timelines say so. An acknowledgment that matches
nothing we sent is kept (with no link) and noted on its own message's timeline for operators.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.store import record_event
from gateway.store.enums import AckKind, AckStatus, Direction, DocumentStatus
from gateway.store.models import (
    Acknowledgment,
    Document,
    FunctionalGroup,
    Interchange,
    Message,
    TransactionSet,
)

_AK9 = {
    "A": AckStatus.ACCEPTED,
    "E": AckStatus.ACCEPTED_WITH_ERRORS,
    "P": AckStatus.PARTIALLY_ACCEPTED,
}


def ack_status(code: str | None) -> AckStatus:
    return _AK9.get(code or "", AckStatus.REJECTED)


def reconcile_functional_acks(
    session: Session, message: Message, acks: list[dict[str, Any]]
) -> None:
    """Record each functional_ack document of inbound `message` against what it answers."""
    if message.partner_id is None:
        return
    for ack in acks:
        group_number = ack.get("acknowledged_group_control_number")
        functional_id = ack.get("acknowledged_functional_id")
        envelope = ack.get("envelope") or {}
        kind = AckKind.FA_999 if envelope.get("transaction_set") == "999" else AckKind.FA_997
        status = ack_status(ack.get("status_code"))
        found = None
        if group_number:
            query = (
                select(Message.id, FunctionalGroup.id)
                .join(Interchange, Interchange.message_id == Message.id)
                .join(FunctionalGroup, FunctionalGroup.interchange_id == Interchange.id)
                .where(
                    Message.partner_id == message.partner_id,
                    Message.direction == Direction.OUTBOUND,
                    FunctionalGroup.gs06 == str(group_number),
                )
                .order_by(Message.received_at.desc())
                .limit(1)
            )
            if functional_id:
                query = query.where(FunctionalGroup.gs01 == str(functional_id))
            found = session.execute(query).first()
        detail = {
            "kind": kind.value,
            "status": status.value,
            "functional_id": functional_id,
            "group_control_number": group_number,
            "counts": ack.get("counts"),
        }
        session.add(
            Acknowledgment(
                kind=kind,
                direction=Direction.INBOUND,
                message_id=message.id,
                acknowledges_message_id=found[0] if found else None,
                group_control_number=str(group_number)[:64] if group_number else None,
                status=status,
                detail={
                    **detail,
                    "transaction_sets": [
                        {k: s.get(k) for k in ("transaction_set", "control_number", "status")}
                        for s in ack.get("transaction_sets") or []
                        if isinstance(s, dict)
                    ],
                },
            )
        )
        if found is None:
            record_event(session, message_id=message.id, kind="ack_unmatched", detail=detail)
            continue
        target, group_id = found
        sets = select(TransactionSet.id).where(TransactionSet.group_id == group_id)
        accepted = status in (AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_ERRORS)
        session.execute(
            update(Document)
            .where(
                Document.transaction_set_id.in_(sets),
                Document.direction == Direction.OUTBOUND,
            )
            .values(status=DocumentStatus.ACKNOWLEDGED if accepted else DocumentStatus.REJECTED)
            .execution_options(synchronize_session=False)
        )
        record_event(
            session,
            message_id=target,
            kind="partner_acknowledged",
            detail={**detail, "ack_message_id": str(message.id)},
        )
        record_event(
            session,
            message_id=message.id,
            kind="acknowledges",
            detail={**detail, "outbound_message_id": str(target)},
        )
