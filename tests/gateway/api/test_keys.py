"""Keys and tokens on SQLite and PostgreSQL: issued once and stored hashed, checked against the
database on every use, revoked by key, prefix or id, and never shown again."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gateway.auth import ApiKeyError, Principal, authenticate, issue_key, split_key
from gateway.commands.admin import CommandError, add_erp_target, add_partner
from gateway.commands.keys import (
    issue_erp_key,
    issue_operator_token,
    issue_partner_key,
    list_keys,
    revoke,
)
from gateway.store.enums import KeyKind, OperatorRole
from gateway.store.models import ApiKey
from gateway.store.types import utcnow
from tests.gateway.api.conftest import BOX


@pytest.fixture
def partner_id(sessions: sessionmaker[Session]) -> str:
    return str(add_partner(sessions, name="Northwind", isa="ZZ:NWHARDWARE")["id"])


def check(sessions: sessionmaker[Session], key: str) -> Principal | None:
    with sessions.begin() as session:
        return authenticate(session, key)


def test_a_key_is_returned_once_and_stored_as_a_hash(
    sessions: sessionmaker[Session], partner_id: str
) -> None:
    issued = issue_partner_key(sessions, partner_id, label="ops laptop")
    key = issued["key"]
    assert key.startswith("gwk_") and len(key) > 60
    prefix, secret = split_key(key) or ("", "")
    assert issued["prefix"] == prefix and issued["partner_id"] == partner_id
    with sessions() as session:
        row = session.execute(select(ApiKey)).scalar_one()
        assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert secret not in row.key_hash and row.label == "ops laptop"
    listed = list_keys(sessions)
    assert [k["prefix"] for k in listed] == [prefix]
    assert "key" not in listed[0] and "key_hash" not in listed[0]
    assert issue_partner_key(sessions, "Northwind")["key"] != key  # by name too; always new


def test_authenticate_checks_the_whole_key(
    sessions: sessionmaker[Session], partner_id: str
) -> None:
    key = issue_partner_key(sessions, partner_id)["key"]
    principal = check(sessions, key)
    assert principal is not None and principal.kind == KeyKind.PARTNER
    assert str(principal.partner_id) == partner_id and principal.role is None
    prefix = key.split("_")[1]
    for wrong in (
        key[:-1] + ("a" if key[-1] != "a" else "b"),  # right prefix, wrong secret
        f"gwk_{prefix}_",
        f"gwk_{prefix}",
        key.replace("gwk_", "gwx_"),
        "",
        "Bearer " + key,
    ):
        assert check(sessions, wrong) is None, wrong


def test_last_use_is_recorded_without_a_write_per_request(
    sessions: sessionmaker[Session], partner_id: str
) -> None:
    key = issue_partner_key(sessions, partner_id)["key"]
    check(sessions, key)
    with sessions() as session:
        first = session.execute(select(ApiKey.last_used_at)).scalar_one()
    assert first is not None
    check(sessions, key)
    with sessions() as session:
        assert session.execute(select(ApiKey.last_used_at)).scalar_one() == first
    with sessions.begin() as session:
        authenticate(session, key, now=utcnow() + timedelta(minutes=2))
    with sessions() as session:
        later = session.execute(select(ApiKey.last_used_at)).scalar_one()
    assert later is not None and later > first


def test_erp_keys_and_operator_tokens(sessions: sessionmaker[Session]) -> None:
    add_erp_target(sessions, BOX, name="sap", kind="demo", config={})
    erp = issue_erp_key(sessions, "sap")
    assert erp["erp"] == "sap" and erp["kind"] == "erp"
    principal = check(sessions, erp["key"])
    assert principal is not None and principal.erp_target_id is not None
    for role in OperatorRole:
        token = issue_operator_token(sessions, role.value)
        principal = check(sessions, token["key"])
        assert principal is not None and principal.role == role
    with pytest.raises(CommandError, match="admin, operator, read-only"):
        issue_operator_token(sessions, "root")
    with pytest.raises(CommandError, match="no ERP target named 'nope'"):
        issue_erp_key(sessions, "nope")
    with pytest.raises(CommandError, match="no partner"):
        issue_partner_key(sessions, str(uuid.uuid4()))


def test_revoke_by_key_prefix_or_id(sessions: sessionmaker[Session], partner_id: str) -> None:
    keys = [issue_partner_key(sessions, partner_id) for _ in range(4)]
    by_key = revoke(sessions, keys[0]["key"])
    by_prefix = revoke(sessions, keys[1]["prefix"])
    by_gwk_prefix = revoke(sessions, f"gwk_{keys[2]['prefix']}")
    by_id = revoke(sessions, keys[3]["id"])
    for issued, revoked in zip(keys, (by_key, by_prefix, by_gwk_prefix, by_id), strict=True):
        assert revoked["id"] == issued["id"] and not revoked["already_revoked"]
        assert check(sessions, issued["key"]) is None
    again = revoke(sessions, keys[0]["id"])
    assert again["already_revoked"] and again["revoked_at"] == by_key["revoked_at"]
    assert list_keys(sessions) == []
    assert len(list_keys(sessions, include_revoked=True)) == 4
    with pytest.raises(CommandError, match="no API key"):
        revoke(sessions, "gwk_doesnotexist")


def test_a_key_speaks_for_exactly_one_principal(
    sessions: sessionmaker[Session], partner_id: str
) -> None:
    with sessions.begin() as session, pytest.raises(ApiKeyError, match="needs exactly a role"):
        issue_key(session, kind=KeyKind.OPERATOR, partner_id=uuid.UUID(partner_id))
    # and the database holds the line too
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(
            ApiKey(
                kind=KeyKind.PARTNER,
                role=OperatorRole.ADMIN,
                prefix="abcdefghijkl",
                key_hash="0" * 64,
            )
        )
