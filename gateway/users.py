"""Web UI accounts: operators with a role, argon2id passwords, server-side sessions.

- `add_user` creates an account (`edi-gateway users add NAME --role ...`, password on stdin).
- `login` checks a username and password. Five wrong passwords in a row lock the account for
  fifteen minutes; a locked or disabled account is refused whatever the password, with the
  same message as a wrong password (no telling which usernames exist).
- `open_session` issues a random cookie token and a CSRF token; the table keeps the token's
  sha256, so the database alone logs nobody in. `load_session` finds a live session (idle
  timeout and absolute lifetime), `close_session` deletes it (logout).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gateway.store.enums import OperatorRole
from gateway.store.models import AuditEntry, User, UserSession
from gateway.store.types import utcnow
from translators.errors import GatewayError

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
SESSION_IDLE = timedelta(hours=1)
# last_seen_at is written at most this often (not on every page view)
TOUCH_EVERY = timedelta(minutes=1)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024

_hasher = PasswordHasher()  # argon2id, the library's current recommended parameters
# Verified when the username is unknown, so a missing account takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class UserError(GatewayError):
    """A user command that cannot be done as asked (the message says why)."""


@dataclass(frozen=True, slots=True)
class WebUser:
    """Who is logged in: what a page needs to know to authorise and to label the change."""

    id: uuid.UUID
    username: str
    role: OperatorRole
    csrf_token: str

    @property
    def actor(self) -> str:
        return f"user:{self.username}"

    @property
    def can_change(self) -> bool:
        return self.role in (OperatorRole.ADMIN, OperatorRole.OPERATOR)

    @property
    def is_admin(self) -> bool:
        return self.role == OperatorRole.ADMIN


def _role(value: str) -> OperatorRole:
    try:
        return OperatorRole(value)
    except ValueError:
        allowed = ", ".join(r.value for r in OperatorRole)
        raise UserError(f"unknown role {value!r}: use one of {allowed}") from None


def _username(value: str) -> str:
    name = value.strip()
    if not name or len(name) > 100 or any(c.isspace() or not c.isprintable() for c in name):
        raise UserError("a username is 1 to 100 printable characters without spaces")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password is too long (over {MAX_PASSWORD} characters)")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_view(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.username,
        "role": user.role.value,
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "disabled": user.disabled_at is not None,
    }


def add_user(
    sessions: sessionmaker[Session],
    username: str,
    password: str,
    *,
    role: str,
    actor: str = "cli",
) -> dict[str, Any]:
    name = _username(username)
    checked_role = _role(role)
    password_hash = hash_password(password)
    try:
        with sessions.begin() as session:
            if session.execute(select(User.id).where(User.username == name)).first():
                raise UserError(f"user {name!r} already exists")
            user = User(username=name, password_hash=password_hash, role=checked_role)
            session.add(user)
            session.flush()
            session.add(
                AuditEntry(
                    actor=actor,
                    action="user.created",
                    entity_type="user",
                    entity_id=user.id,
                    entity_name=name,
                    changes={"username": name, "role": checked_role.value},
                )
            )
            return user_view(user)
    except IntegrityError:
        raise UserError(f"user {name!r} already exists") from None


def list_users(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    with sessions() as session:
        users = session.execute(select(User).order_by(User.username)).scalars()
        return [user_view(u) for u in users]


def login(
    sessions: sessionmaker[Session], username: str, password: str, *, now: datetime | None = None
) -> User | None:
    """The user, if the password is right and the account usable; None otherwise (and the
    failure is counted). Never says which of the two was wrong."""
    now = now or utcnow()
    with sessions.begin() as session:
        user = session.execute(
            select(User).where(User.username == username.strip()).with_for_update()
        ).scalar_one_or_none()
        if user is None or len(password) > MAX_PASSWORD:
            _verify(_DUMMY_HASH, password[:MAX_PASSWORD])
            return None
        if user.disabled_at is not None or (user.locked_until and user.locked_until > now):
            _verify(_DUMMY_HASH, password)
            return None
        if not _verify(user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
                session.add(
                    AuditEntry(
                        actor="system",
                        action="user.locked",
                        entity_type="user",
                        entity_id=user.id,
                        entity_name=user.username,
                        changes={"failed_logins": MAX_FAILED_LOGINS},
                    )
                )
            return None
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        session.flush()
        session.expunge(user)
        return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def open_session(
    sessions: sessionmaker[Session], user_id: uuid.UUID, *, now: datetime | None = None
) -> tuple[str, str]:
    """A new session for the user: (cookie token, CSRF token)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with sessions.begin() as session:
        session.execute(delete(UserSession).where(UserSession.expires_at < now))
        session.add(
            UserSession(
                token_hash=_token_hash(token),
                user_id=user_id,
                csrf_token=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
    return token, csrf


def load_session(
    sessions: sessionmaker[Session], token: str, *, now: datetime | None = None
) -> WebUser | None:
    """The logged-in user of a cookie token, or None (unknown, expired, idle, disabled)."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    with sessions.begin() as session:
        row = session.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == _token_hash(token))
        ).first()
        if row is None:
            return None
        record, user = row
        if (
            record.expires_at <= now
            or record.last_seen_at + SESSION_IDLE <= now
            or user.disabled_at is not None
        ):
            session.delete(record)
            return None
        if now - record.last_seen_at >= TOUCH_EVERY:
            record.last_seen_at = now
        return WebUser(user.id, user.username, user.role, record.csrf_token)


def close_session(sessions: sessionmaker[Session], token: str) -> None:
    with sessions.begin() as session:
        session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
