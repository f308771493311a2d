"""The dashboard's numbers and the lists behind them, on PostgreSQL, with a fixed clock: each
count is the set of documents or messages it claims to be, no more, no less."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from gateway.store.enums import AckKind, AckStatus, Channel, Direction, StepKind, StepState
from gateway.store.models import Acknowledgment, Blob, Document, Message, Step
from partners.registry import create_partner, update_partner
from web import services

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


class Store:
    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions
        with sessions.begin() as session:
            session.add(Blob(sha256="x" * 64, size=1, data=b"x"))
        self.partner = uuid.UUID(create_partner(sessions, name="Northwind", isa="ZZ:NW")["id"])
        update_partner(sessions, self.partner, ack_window_minutes=60)

    def message(
        self, ago: timedelta, direction: Direction = Direction.INBOUND, *, known: bool = True
    ) -> uuid.UUID:
        with self.sessions.begin() as session:
            m = Message(
                direction=direction,
                partner_id=self.partner if known else None,
                channel=Channel.API,
                channel_meta={},
                sha256="x" * 64,
                size=1,
                received_at=NOW - ago,
            )
            session.add(m)
            session.flush()
            return m.id

    def document(self, kind: str, po: str, ago: timedelta, **canonical: Any) -> uuid.UUID:
        direction = Direction.INBOUND if kind == "order" else Direction.OUTBOUND
        message_id = self.message(ago, direction)
        with self.sessions.begin() as session:
            session.add(
                Document(
                    message_id=message_id,
                    direction=direction,
                    document_type=kind,
                    canonical={"document_type": kind, **canonical},
                    po_number=po,
                    created_at=NOW - ago,
                )
            )
        return message_id

    def ack_for(self, message_id: uuid.UUID, ago: timedelta) -> None:
        with self.sessions.begin() as session:
            session.add(
                Acknowledgment(
                    kind=AckKind.FA_997,
                    direction=Direction.INBOUND,
                    acknowledges_message_id=message_id,
                    status=AckStatus.ACCEPTED,
                    created_at=NOW - ago,
                )
            )


def _lines(date: datetime) -> list[dict[str, str]]:
    return [{"scheduled_date": date.date().isoformat()}]


def test_the_numbers_count_what_they_say(sessions: sessionmaker[Session]) -> None:
    s = Store(sessions)
    day, hour = timedelta(days=1), timedelta(hours=1)
    late = s.document("order", "PO-A", 2 * day)  # no 855 after 2 days: late
    s.document("order", "PO-D", hour)  # no 855 yet, but within the 24 h window
    s.document("order", "PO-B", 2 * day)
    at_risk = s.document("order_ack", "PO-B", day, lines=_lines(NOW - day))  # promised yesterday
    no_asn = s.document("invoice", "PO-B", hour)
    s.document("order", "PO-C", 2 * day)
    s.document("order_ack", "PO-C", day, lines=_lines(NOW + day))  # promised tomorrow
    s.document("ship_notice", "PO-C", 2 * hour)
    s.document("invoice", "PO-C", hour)
    overdue = s.message(3 * hour, Direction.OUTBOUND)  # window 60 min, never acknowledged
    s.ack_for(s.message(3 * hour, Direction.OUTBOUND), 2 * hour)
    s.message(10 * timedelta(minutes=1), Direction.OUTBOUND)  # not due yet
    s.message(hour, known=False)  # unknown sender
    with sessions.begin() as session:
        session.add(
            Step(message_id=late, kind=StepKind.DELIVER_ERP, state=StepState.DEAD, last_error="x")
        )

    with sessions() as session:
        d = services.dashboard(session, now=NOW)
        assert d["late_confirmations"] == 1
        assert d["shipments_at_risk"] == 1 and not d["shipments_at_risk_capped"]
        assert d["invoices_without_asn"] == 1
        assert d["open_exceptions"] == 1
        assert d["unknown_senders"] == 1
        # since midnight: PO-D's 850, PO-C's 856 and both 810s
        assert d["total_today"] == 4
        (row,) = d["by_partner"]
        assert row["partner_id"] == s.partner
        assert row["counts"] == {"order": 1, "invoice": 2, "ship_notice": 1}
        assert [c["count"] for c in d["chart"]][-1] >= 1
        # each number's list holds exactly those messages
        for name, expected in (
            ("late-confirmations", {late}),
            ("shipments-at-risk", {at_risk}),
            ("invoices-without-asn", {no_asn}),
        ):
            rows = services.named_list(session, name, now=NOW)
            assert {r["id"] for r in rows} == expected, name
        d_overdue = {r["id"] for r in services.named_list(session, "overdue-acks", now=NOW)}
        assert overdue in d_overdue
        assert d["overdue_acks"] == len(d_overdue)


def test_trace_finds_by_file_name_and_business_keys(sessions: sessionmaker[Session]) -> None:
    s = Store(sessions)
    message_id = s.document("invoice", "PO-Z", timedelta(hours=1))
    with sessions.begin() as session:
        m = session.get(Message, message_id)
        assert m is not None
        m.channel_meta = {"file": "inv-0042.x12", "as2_message_id": "<abc@partner>"}
    with sessions() as session:
        assert services.find_messages(session, "PO-Z") == [message_id]
        assert services.find_messages(session, "inv-0042.x12") == [message_id]
        assert services.find_messages(session, "<abc@partner>") == [message_id]
        assert services.find_messages(session, "nothing-like-it") == []
