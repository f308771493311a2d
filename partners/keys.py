"""A partner's API keys: issue, rotate, revoke, list - each audited on the partner.

Keys are made and checked by `gateway.auth` (stored as a sha256, shown once); these functions
add the partner's side: a key named through its partner (another partner's key id is "no such
key"), rotation as one transaction (the new key exists exactly when the old one is revoked),
and the audit entry with the key's public prefix (never the key).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.auth import issue_key, revoke_key
from gateway.commands.keys import key_view
from gateway.store.enums import KeyKind
from gateway.store.models import ApiKey, Partner
from partners import audit
from partners.errors import NotFoundError
from partners.registry import CLI_ACTOR, find_partner


def _issue(session: Session, partner: Partner, label: str | None) -> dict[str, Any]:
    key = issue_key(session, kind=KeyKind.PARTNER, partner_id=partner.id, label=label)
    row = session.execute(select(ApiKey).where(ApiKey.prefix == key.split("_")[1])).scalar_one()
    return {"key": key, **key_view(row), "partner": partner.name}


def _partner_key(session: Session, partner: Partner, key_id: str | uuid.UUID) -> ApiKey:
    wanted = str(key_id).strip()
    row: ApiKey | None = None
    try:
        row = session.get(ApiKey, uuid.UUID(wanted))
    except ValueError:
        prefix = wanted.removeprefix("gwk_").split("_")[0]
        row = session.execute(select(ApiKey).where(ApiKey.prefix == prefix)).scalar_one_or_none()
    if row is None or row.partner_id != partner.id:
        raise NotFoundError(f"partner {partner.name} has no key {wanted}")
    return row


def issue_partner_key(
    sessions: sessionmaker[Session],
    ref: str | uuid.UUID,
    *,
    label: str | None = None,
    actor: str = CLI_ACTOR,
) -> dict[str, Any]:
    """A new key for the partner: `key` is in this result only."""
    with sessions.begin() as session:
        partner = find_partner(session, ref, lock=True)
        issued = _issue(session, partner, label)
        audit.record(
            session,
            actor=actor,
            action="partner.key_issued",
            partner=partner,
            changes={"key": [None, issued["prefix"]], "label": label},
        )
        return issued


def rotate_partner_key(
    sessions: sessionmaker[Session],
    ref: str | uuid.UUID,
    key_id: str | uuid.UUID,
    *,
    actor: str = CLI_ACTOR,
) -> dict[str, Any]:
    """Revoke a key and issue its successor (same label) in one transaction. `replaces`
    names the old key's id."""
    with sessions.begin() as session:
        partner = find_partner(session, ref, lock=True)
        old = _partner_key(session, partner, key_id)
        revoke_key(session, key_id=old.id)
        issued = _issue(session, partner, old.label)
        audit.record(
            session,
            actor=actor,
            action="partner.key_rotated",
            partner=partner,
            changes={"key": [old.prefix, issued["prefix"]]},
        )
        return {**issued, "replaces": str(old.id)}


def revoke_partner_key(
    sessions: sessionmaker[Session],
    ref: str | uuid.UUID,
    key_id: str | uuid.UUID,
    *,
    actor: str = CLI_ACTOR,
) -> dict[str, Any]:
    """Revoke one of the partner's keys; it stops working at once. Again: no change."""
    with sessions.begin() as session:
        partner = find_partner(session, ref, lock=True)
        row = _partner_key(session, partner, key_id)
        already = row.revoked_at is not None
        revoke_key(session, key_id=row.id)
        if not already:
            audit.record(
                session,
                actor=actor,
                action="partner.key_revoked",
                partner=partner,
                changes={"key": [row.prefix, None]},
            )
        return {**key_view(row), "already_revoked": already}


def list_partner_keys(
    sessions: sessionmaker[Session], ref: str | uuid.UUID, *, include_revoked: bool = True
) -> list[dict[str, Any]]:
    """The partner's keys, oldest first (never the key or its hash)."""
    with sessions() as session:
        partner = find_partner(session, ref)
        query = select(ApiKey).where(ApiKey.partner_id == partner.id).order_by(ApiKey.created_at)
        if not include_revoked:
            query = query.where(ApiKey.revoked_at.is_(None))
        return [key_view(row) for row in session.execute(query).scalars()]
