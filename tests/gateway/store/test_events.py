"""The timeline is append-only: events are inserted, never changed."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from gateway.store import AppendOnlyError, record_event, session_scope, timeline
from gateway.store.models import Event
from tests.gateway.store import factories


def test_timeline_is_in_order(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        m = factories.message(session)
        for kind in ("received", "translated", "delivered"):
            record_event(session, message_id=m.id, kind=kind, detail={"step": kind})
    with session_scope(sessions) as session:
        events = timeline(session, message_id=m.id)
        assert [e.kind for e in events] == ["received", "translated", "delivered"]
        assert events[0].detail == {"step": "received"}
        assert all(e.at.tzinfo is UTC for e in events)


def test_orm_refuses_to_change_an_event(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        m = factories.message(session)
        event = record_event(session, message_id=m.id, kind="received")
    with pytest.raises(AppendOnlyError), session_scope(sessions) as session:
        loaded = session.get(Event, event.id)
        assert loaded is not None
        loaded.kind = "rewritten"


def test_database_refuses_update(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        m = factories.message(session)
        record_event(session, message_id=m.id, kind="received")
    with pytest.raises(DBAPIError, match="append-only"), session_scope(sessions) as session:
        session.execute(update(Event).values(kind="x").execution_options(synchronize_session=False))
    with pytest.raises(DBAPIError, match="append-only"), session_scope(sessions) as session:
        session.execute(text("UPDATE events SET detail = NULL"))
    with session_scope(sessions) as session:
        assert [e.kind for e in timeline(session, message_id=m.id)] == ["received"]
