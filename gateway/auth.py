"""API keys and operator tokens: issue, check, revoke.

A key looks like ``gwk_<prefix>_<secret>``: ``prefix`` is 12 random base32 characters that find
the key's row (it is public: it shows in listings and logs), ``secret`` is 32 random bytes in
base32. The store keeps the prefix and the sha256 of the whole key, never the key; the key is
shown once, when it is issued.

Every request is checked against the database (no cache), so a revoked key stops working at
once, on every process. `last_used_at` is written at most once a minute per key, so checking a
key is a read, not a write.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.orm import Session

from gateway.store.enums import KeyKind, OperatorRole, PartnerStatus
from gateway.store.models import ApiKey, Partner
from gateway.store.types import new_id, utcnow
from translators.errors import GatewayError

KEY_SCHEME = "gwk"
PREFIX_CHARS = 12
SECRET_BYTES = 32
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyError(GatewayError):
    """A key cannot be issued or revoked as asked (the message says why)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request speaks for, as its key says."""

    kind: KeyKind
    key_id: uuid.UUID
    partner_id: uuid.UUID | None = None
    erp_target_id: uuid.UUID | None = None
    role: OperatorRole | None = None
    # a suspended partner's keys stay valid keys, but the API refuses them (403)
    partner_suspended: bool = False
    # the partner's registry settings turn its API channel off (`channels.api.enabled`)
    api_channel_off: bool = False


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    """``gwk_<prefix>_<secret>`` -> (prefix, secret), or None when it is not shaped like one."""
    scheme, sep, rest = key.partition("_")
    prefix, sep2, secret = rest.partition("_")
    if scheme != KEY_SCHEME or not sep or not sep2 or len(prefix) != PREFIX_CHARS or not secret:
        return None
    return prefix, secret


def issue_key(
    session: Session,
    *,
    kind: KeyKind,
    partner_id: uuid.UUID | None = None,
    erp_target_id: uuid.UUID | None = None,
    role: OperatorRole | None = None,
    label: str | None = None,
) -> str:
    """Store a new key for one principal and return it (the only time it is seen)."""
    owners = {
        KeyKind.PARTNER: partner_id is not None and erp_target_id is None and role is None,
        KeyKind.ERP: erp_target_id is not None and partner_id is None and role is None,
        KeyKind.OPERATOR: role is not None and partner_id is None and erp_target_id is None,
    }
    if not owners[kind]:
        raise ApiKeyError(
            f"a {kind.value} key needs exactly "
            + {"partner": "a partner_id", "erp": "an erp_target_id", "operator": "a role"}[
                kind.value
            ]
        )
    prefix = _b32(secrets.token_bytes(10))[:PREFIX_CHARS]
    key = f"{KEY_SCHEME}_{prefix}_{_b32(secrets.token_bytes(SECRET_BYTES))}"
    session.add(
        ApiKey(
            id=new_id(),
            kind=kind,
            partner_id=partner_id,
            erp_target_id=erp_target_id,
            role=role,
            prefix=prefix,
            key_hash=hash_key(key),
            label=label,
            created_at=utcnow(),
        )
    )
    session.flush()
    return key


def find_key(
    session: Session, *, key_id: uuid.UUID | None = None, prefix: str | None = None
) -> ApiKey | None:
    if (key_id is None) == (prefix is None):
        raise ApiKeyError("name the key by its id or by its prefix (one of them)")
    if key_id is not None:
        return session.get(ApiKey, key_id)
    return session.execute(select(ApiKey).where(ApiKey.prefix == prefix)).scalar_one_or_none()


def revoke_key(
    session: Session,
    *,
    key_id: uuid.UUID | None = None,
    prefix: str | None = None,
    now: datetime | None = None,
) -> ApiKey | None:
    """Revoke a key (from the caller's commit on, every request with it is refused).
    Revoking a revoked key keeps its first revocation time. None when there is no such key."""
    row = find_key(session, key_id=key_id, prefix=prefix)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.flush()
    return row


# The key check's statements, built once (Core, bound parameters): every request runs them, and
# building the ORM select anew cost more CPU than PostgreSQL spent answering it.
_KEYS = cast(Table, ApiKey.__table__).c
_PARTNERS = cast(Table, Partner.__table__).c
_KEY_ROW = (
    select(
        _KEYS.id,
        _KEYS.kind,
        _KEYS.partner_id,
        _KEYS.erp_target_id,
        _KEYS.role,
        _KEYS.key_hash,
        _KEYS.revoked_at,
        _KEYS.last_used_at,
        _PARTNERS.status.label("partner_status"),
        _PARTNERS.channels.label("partner_channels"),
    )
    .select_from(
        cast(Table, ApiKey.__table__).outerjoin(
            cast(Table, Partner.__table__), _PARTNERS.id == _KEYS.partner_id
        )
    )
    .where(_KEYS.prefix == bindparam("prefix"))
)
_TOUCH = (
    update(cast(Table, ApiKey.__table__))
    .where(
        _KEYS.id == bindparam("key_id"),
        or_(_KEYS.last_used_at.is_(None), _KEYS.last_used_at <= bindparam("since")),
    )
    .values(last_used_at=bindparam("now"))
)


def authenticate(session: Session, token: str, *, now: datetime | None = None) -> Principal | None:
    """The principal a presented key speaks for, or None (unknown, malformed or revoked)."""
    parts = split_key(token.strip())
    if parts is None:
        return None
    row = session.connection().execute(_KEY_ROW, {"prefix": parts[0]}).one_or_none()
    if row is None:
        return None
    if not hmac.compare_digest(row.key_hash, hash_key(token.strip())):
        return None
    if row.revoked_at is not None:
        return None
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        session.connection().execute(
            _TOUCH, {"key_id": row.id, "now": now, "since": now - LAST_USED_RESOLUTION}
        )
    return Principal(
        kind=row.kind,
        key_id=row.id,
        partner_id=row.partner_id,
        erp_target_id=row.erp_target_id,
        role=row.role,
        partner_suspended=row.partner_status == PartnerStatus.SUSPENDED,
        api_channel_off=_api_channel_off(row.partner_channels),
    )


def _api_channel_off(channels: object) -> bool:
    api = channels.get("api") if isinstance(channels, dict) else None
    return isinstance(api, dict) and api.get("enabled") is False
