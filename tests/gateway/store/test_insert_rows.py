"""`insert_rows`: many rows in one statement (COPY on PostgreSQL), with the model's defaults
and the columns' conversions an INSERT would apply."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from gateway.store import session_scope
from gateway.store.enums import AckKind, AckStatus, Direction
from gateway.store.models import Acknowledgment, Blob, Event
from gateway.store.sql import insert_rows
from gateway.store.types import new_id, utcnow
from tests.gateway.store import factories


def test_rows_go_in_with_defaults_json_and_enum_values(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        message = factories.message(session)
        rows = [
            {
                "id": new_id(),
                "message_id": message.id,
                "document_id": None,
                "at": utcnow(),
                "kind": "translated",
                "detail": {"documents": n, "problems": ["a 'quoted'\ttab\\n"], 7: "int key"},
            }
            for n in range(3)
        ]
        insert_rows(session, Event, rows)
        insert_rows(session, Event, [])
        # `detail` and `created_at` left out: their defaults
        insert_rows(
            session,
            Acknowledgment,
            [
                {
                    "kind": AckKind.FA_997,
                    "direction": Direction.OUTBOUND,
                    "message_id": message.id,
                    "acknowledges_message_id": None,
                    "group_control_number": "1207",
                    "status": AckStatus.ACCEPTED,
                }
            ],
        )
    with sessions() as session:
        events = session.execute(select(Event).order_by(Event.id)).scalars().all()
        assert [e.detail["documents"] for e in events] == [0, 1, 2]
        assert events[0].detail["problems"] == ["a 'quoted'\ttab\\n"]
        assert events[0].detail["7"] == "int key"
        assert all(e.at.tzinfo is not None for e in events)
        (ack,) = session.execute(select(Acknowledgment)).scalars()
        assert ack.kind == AckKind.FA_997 and ack.status == AckStatus.ACCEPTED
        assert ack.detail == {} and ack.id is not None and ack.created_at is not None


def test_naive_datetimes_and_bytes_are_refused(sessions: sessionmaker[Session]) -> None:
    # refused as an INSERT refuses them (SQLAlchemy wraps the error on SQLite)
    with (
        pytest.raises((ValueError, StatementError), match="naive datetime"),
        session_scope(sessions) as session,
    ):
        message = factories.message(session)
        row = {"id": new_id(), "message_id": message.id, "document_id": None, "kind": "x"}
        insert_rows(session, Event, [row | {"at": datetime(2024, 1, 1), "detail": {}}])
    if sessions.kw["bind"].dialect.name == "postgresql":  # SQLite takes them as INSERTs do
        with pytest.raises(TypeError, match="binary"), session_scope(sessions) as session:
            insert_rows(session, Blob, [{"sha256": "0" * 64, "size": 1, "data": b"x"}])
