"""Operator commands on the store: ERP targets, partners, our identities, replay, submit.

Each function takes keyword arguments and a session factory and returns plain data; the CLI
prints it as a table or JSON. The same functions back the HTTP API later, so scripts and the UI
change the registry the same way.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gateway.commands.errors import CommandError
from gateway.secretbox import SecretBox
from gateway.store.enums import StepState
from gateway.store.models import ErpTarget, OurIdentity, Step
from partners.errors import InvalidError
from partners.fields import parse_isa as _parse_isa
from partners.registry import create_partner, partner_view

__all__ = [
    "CommandError",
    "add_erp_target",
    "add_identity",
    "add_partner",
    "dead_steps",
    "parse_ids",
    "parse_isa",
    "partner_view",
    "read_payload",
]


def parse_isa(value: str) -> tuple[str, str]:
    """``"ZZ:ACME"`` -> ("ZZ", "ACME"); the qualifier is 2 characters, the id 1 to 15."""
    try:
        return _parse_isa(value)
    except InvalidError as exc:
        raise CommandError(str(exc)) from exc


def add_erp_target(
    sessions: sessionmaker[Session],
    box: SecretBox,
    *,
    name: str,
    kind: str,
    config: dict[str, Any],
    secret: str | None = None,
) -> dict[str, Any]:
    with sessions.begin() as session:
        existing = session.execute(
            select(ErpTarget).where(ErpTarget.name == name)
        ).scalar_one_or_none()
        target = existing or ErpTarget(name=name)
        target.kind = kind
        target.config = config
        target.secret_encrypted = box.seal(secret) if secret else None
        session.add(target)
        session.flush()
        return {
            "id": str(target.id),
            "name": name,
            "kind": kind,
            "config": config,
            "secret": "set" if secret else None,
            "updated": existing is not None,
        }


def ensure_default_demo_target(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        found = session.execute(
            select(ErpTarget).where(ErpTarget.name == "default")
        ).scalar_one_or_none()
        if found is None:
            session.add(ErpTarget(name="default", kind="demo", config={}))


def add_identity(
    sessions: sessionmaker[Session], *, isa: str, as2_id: str | None = None
) -> dict[str, Any]:
    qualifier, isa_id = parse_isa(isa)
    try:
        with sessions.begin() as session:
            row = OurIdentity(isa_qualifier=qualifier, isa_id=isa_id, as2_id=as2_id)
            session.add(row)
            session.flush()
            return {"id": str(row.id), "isa": f"{qualifier}:{isa_id}", "as2_id": as2_id}
    except IntegrityError as exc:
        raise CommandError(f"identity {qualifier}:{isa_id} is already registered") from exc


def add_partner(
    sessions: sessionmaker[Session],
    *,
    name: str,
    isa: str,
    role: str = "customer",
    status: str = "testing",
    erp: str | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """`partners add` as the CONTRACT names it (see `partners.registry.create_partner`)."""
    return create_partner(
        sessions, name=name, isa=isa, role=role, status=status, erp=erp, **settings
    )


def dead_steps(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    with sessions() as session:
        rows = session.execute(
            select(Step).where(Step.state == StepState.DEAD).order_by(Step.updated_at)
        ).scalars()
        return [
            {
                "step_id": str(s.id),
                "message_id": str(s.message_id),
                "document_id": str(s.document_id) if s.document_id else None,
                "kind": s.kind.value,
                "attempts": s.attempts,
                "error": s.last_error,
            }
            for s in rows
        ]


def parse_ids(values: list[str]) -> list[uuid.UUID]:
    ids = []
    for v in values:
        try:
            ids.append(uuid.UUID(v))
        except ValueError as exc:
            raise CommandError(f"{v!r} is not a step id") from exc
    return ids


def read_payload(path: Path) -> bytes:
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    return path.read_bytes()
