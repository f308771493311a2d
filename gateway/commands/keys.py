"""Operator commands for API keys: issue partner and ERP keys and operator tokens, revoke, list.

Each function takes a session factory and returns plain data for the CLI to print (`keys issue
PARTNER_ID`, `keys issue --erp NAME`, `tokens issue --role ROLE`, `keys revoke KEY|PREFIX|ID`,
`keys list`). A key is in the result of its issue only; nothing can show it again.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.auth import issue_key, revoke_key, split_key
from gateway.commands.admin import CommandError
from gateway.store.enums import KeyKind, OperatorRole
from gateway.store.models import ApiKey, ErpTarget, Partner


def _issued(key: str, row: ApiKey, **owner: Any) -> dict[str, Any]:
    return {"key": key, "id": str(row.id), "prefix": row.prefix, "kind": row.kind.value, **owner}


def _row_for(session: Session, key: str) -> ApiKey:
    parts = split_key(key)
    assert parts is not None
    return session.execute(select(ApiKey).where(ApiKey.prefix == parts[0])).scalar_one()


def issue_partner_key(
    sessions: sessionmaker[Session], partner_id: str | uuid.UUID, *, label: str | None = None
) -> dict[str, Any]:
    """A new API key for a partner (`POST /api/v1/inbound`, messages, outbox), audited on the
    partner (partners/keys.py)."""
    from partners.keys import issue_partner_key as issue

    return issue(sessions, partner_id, label=label)


def issue_erp_key(
    sessions: sessionmaker[Session], erp_name: str, *, label: str | None = None
) -> dict[str, Any]:
    """A new API key for an ERP target (`POST /api/v1/outbound/{partner}`)."""
    with sessions.begin() as session:
        target = session.execute(
            select(ErpTarget).where(ErpTarget.name == erp_name)
        ).scalar_one_or_none()
        if target is None:
            raise CommandError(f"no ERP target named {erp_name!r}: add it with `erp add`")
        key = issue_key(session, kind=KeyKind.ERP, erp_target_id=target.id, label=label)
        return _issued(key, _row_for(session, key), erp=target.name)


def issue_operator_token(
    sessions: sessionmaker[Session], role: str, *, label: str | None = None
) -> dict[str, Any]:
    """A new operator token with a role: admin, operator or read-only."""
    try:
        role_value = OperatorRole(role)
    except ValueError:
        allowed = ", ".join(r.value for r in OperatorRole)
        raise CommandError(f"--role must be one of {allowed}, not {role!r}") from None
    with sessions.begin() as session:
        key = issue_key(session, kind=KeyKind.OPERATOR, role=role_value, label=label)
        return _issued(key, _row_for(session, key), role=role_value.value)


def key_view(row: ApiKey) -> dict[str, Any]:
    """A key as listings show it: never the key or its hash."""
    return {
        "id": str(row.id),
        "prefix": row.prefix,
        "kind": row.kind.value,
        "partner_id": str(row.partner_id) if row.partner_id else None,
        "erp_target_id": str(row.erp_target_id) if row.erp_target_id else None,
        "role": row.role.value if row.role else None,
        "label": row.label,
        "created_at": row.created_at.isoformat(),
        "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def revoke(sessions: sessionmaker[Session], key_or_prefix_or_id: str) -> dict[str, Any]:
    """Revoke a key named by the key itself, its prefix (with or without `gwk_`) or its id.
    It stops working at once; revoking it again changes nothing."""
    given = key_or_prefix_or_id.strip()
    key_id: uuid.UUID | None = None
    prefix: str | None = None
    parts = split_key(given)
    if parts is not None:
        prefix = parts[0]
    else:
        try:
            key_id = uuid.UUID(given)
        except ValueError:
            prefix = given.removeprefix("gwk_").rstrip("_")
    with sessions.begin() as session:
        row = session.get(ApiKey, key_id) if key_id else None
        if row is None and prefix:
            row = session.execute(
                select(ApiKey).where(ApiKey.prefix == prefix)
            ).scalar_one_or_none()
        if row is None:
            raise CommandError(f"no API key {given!r} (give the key, its prefix or its id)")
        already = row.revoked_at is not None
        revoke_key(session, key_id=row.id)
        partner = session.get(Partner, row.partner_id) if row.partner_id else None
        if partner is not None and not already:
            from partners import audit

            audit.record(
                session,
                actor="cli",
                action="partner.key_revoked",
                partner=partner,
                changes={"key": [row.prefix, None]},
            )
        return {**key_view(row), "already_revoked": already}


def list_keys(
    sessions: sessionmaker[Session], *, include_revoked: bool = False
) -> list[dict[str, Any]]:
    with sessions() as session:
        query = select(ApiKey).order_by(ApiKey.created_at)
        if not include_revoked:
            query = query.where(ApiKey.revoked_at.is_(None))
        return [key_view(row) for row in session.execute(query).scalars()]
