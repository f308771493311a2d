"""Raw payloads are stored once; messages refer to them and to real partners."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gateway.store import load_blob, session_scope, store_blob
from gateway.store.enums import Channel, MessageStatus
from gateway.store.models import Blob, Message
from tests.gateway.store import factories


def test_blob_is_stored_once(sessions: sessionmaker[Session]) -> None:
    data = b"ISA*00*          *00*          *ZZ*A*ZZ*B~"
    with session_scope(sessions) as session:
        first = store_blob(session, data=data)
    with session_scope(sessions) as session:
        second = store_blob(session, data=data)
        other = store_blob(session, data=data + b"\n")
    assert first == second == hashlib.sha256(data).hexdigest()
    assert other != first
    with session_scope(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Blob)) == 2
        assert load_blob(session, sha256=first) == data
        assert load_blob(session, sha256="0" * 64) is None


def test_messages_with_the_same_payload_share_one_blob(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        p = factories.partner(session)
        a = factories.message(session, payload=b"same", partner_id=p.id)
        b = factories.message(
            session,
            payload=b"same",
            partner_id=p.id,
            channel=Channel.SFTP,
            channel_meta={"path": "/in/po.x12"},
        )
    with session_scope(sessions) as session:
        rows = session.scalars(select(Message).order_by(Message.id)).all()
        assert [m.id for m in rows] == [a.id, b.id]  # ids are time-ordered
        assert rows[0].sha256 == rows[1].sha256
        assert rows[1].channel_meta == {"path": "/in/po.x12"}
        assert rows[0].status is MessageStatus.RECEIVED
        assert rows[0].size == 4
        assert rows[0].received_at.tzinfo is not None
        assert session.scalar(select(func.count()).select_from(Blob)) == 1


def test_unknown_sender_is_stored(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        m = factories.message(session, partner_id=None)
    with session_scope(sessions) as session:
        assert session.get(Message, m.id) is not None


def test_foreign_keys_are_enforced(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), session_scope(sessions) as session:
        factories.message(session, partner_id=uuid.uuid4())
