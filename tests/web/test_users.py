"""Web UI accounts: argon2id hashes, lockout, session lifetime and idle timeout, logout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.store.models import User, UserSession
from gateway.users import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    SESSION_IDLE,
    SESSION_LIFETIME,
    UserError,
    add_user,
    close_session,
    load_session,
    login,
    open_session,
)

PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_passwords_are_stored_as_argon2id_and_sessions_as_hashes(
    sessions: sessionmaker[Session],
) -> None:
    add_user(sessions, "alice", PASSWORD, role="operator")
    with sessions() as session:
        user = session.execute(select(User)).scalar_one()
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    logged = login(sessions, "alice", PASSWORD, now=T0)
    assert logged is not None
    token, csrf = open_session(sessions, logged.id, now=T0)
    with sessions() as session:
        stored = session.execute(select(UserSession)).scalar_one()
        assert token not in stored.token_hash and len(stored.token_hash) == 64
    user_of = load_session(sessions, token, now=T0 + timedelta(minutes=5))
    assert user_of is not None and user_of.username == "alice" and user_of.csrf_token == csrf
    assert user_of.can_change and not user_of.is_admin


@pytest.mark.parametrize(
    ("password", "role", "message"),
    [
        ("short", "operator", "too short"),
        (PASSWORD, "root", "unknown role"),
    ],
)
def test_bad_accounts_are_refused(
    sessions: sessionmaker[Session], password: str, role: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        add_user(sessions, "bob", password, role=role)


def test_a_username_is_taken_once(sessions: sessionmaker[Session]) -> None:
    add_user(sessions, "carol", PASSWORD, role="read-only")
    with pytest.raises(UserError, match="already exists"):
        add_user(sessions, "carol", PASSWORD, role="admin")


def test_lockout_after_repeated_failures_then_release(sessions: sessionmaker[Session]) -> None:
    add_user(sessions, "dave", PASSWORD, role="read-only")
    for _ in range(MAX_FAILED_LOGINS):
        assert login(sessions, "dave", "wrong password here", now=T0) is None
    assert login(sessions, "dave", PASSWORD, now=T0 + timedelta(minutes=1)) is None
    assert login(sessions, "dave", PASSWORD, now=T0 + LOCKOUT + timedelta(seconds=1)) is not None


def test_sessions_end_when_idle_too_long_at_their_lifetime_and_on_logout(
    sessions: sessionmaker[Session],
) -> None:
    add_user(sessions, "erin", PASSWORD, role="admin")
    user = login(sessions, "erin", PASSWORD, now=T0)
    assert user is not None
    idle, _ = open_session(sessions, user.id, now=T0)
    assert load_session(sessions, idle, now=T0 + SESSION_IDLE + timedelta(seconds=1)) is None
    busy, _ = open_session(sessions, user.id, now=T0)
    at = T0
    while at < T0 + SESSION_LIFETIME - SESSION_IDLE:
        at += SESSION_IDLE / 2
        assert load_session(sessions, busy, now=at) is not None
    assert load_session(sessions, busy, now=T0 + SESSION_LIFETIME) is None
    gone, _ = open_session(sessions, user.id, now=T0)
    close_session(sessions, gone)
    assert load_session(sessions, gone, now=T0) is None
    assert load_session(sessions, "made-up-token", now=T0) is None


def test_users_add_reads_the_password_from_stdin(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "edi-gateway"
    env = {**os.environ, "GATEWAY_DATA_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(command), *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
        )

    added = run("users", "add", "frank", "--role", "operator", "--json", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["role"] == "operator"
    assert PASSWORD not in added.stdout + added.stderr
    short = run("users", "add", "gina", "--role", "admin", stdin="short\n")
    assert short.returncode == 2 and "too short" in short.stderr and "Traceback" not in short.stderr
    listed = json.loads(run("users", "list", "--json").stdout)
    assert [u["username"] for u in listed] == ["frank"]
