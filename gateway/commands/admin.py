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

from gateway.secretbox import SecretBox
from gateway.store.enums import PartnerRole, PartnerStatus, StepState
from gateway.store.models import ErpTarget, OurIdentity, Partner, PartnerIdentity, Step
from translators.errors import GatewayError


class CommandError(GatewayError):
    """An operator command cannot be carried out as asked (the message says why)."""


def parse_isa(value: str) -> tuple[str, str]:
    """``"ZZ:ACME"`` -> ("ZZ", "ACME"); the qualifier is 2 characters, the id 1 to 15."""
    qualifier, sep, isa_id = value.partition(":")
    qualifier, isa_id = qualifier.strip().upper(), isa_id.strip()
    if not sep or len(qualifier) != 2 or not qualifier.isalnum() or not 1 <= len(isa_id) <= 15:
        raise CommandError(
            f"--isa {value!r}: expected QUALIFIER:ID, e.g. ZZ:ACMEDIST (qualifier 2 characters, "
            "id 1 to 15)"
        )
    return qualifier, isa_id


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
) -> dict[str, Any]:
    qualifier, isa_id = parse_isa(isa)
    try:
        role_value = PartnerRole(role)
        status_value = PartnerStatus(status)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    try:
        with sessions.begin() as session:
            owner = session.execute(
                select(Partner)
                .join(PartnerIdentity)
                .where(PartnerIdentity.isa_qualifier == qualifier, PartnerIdentity.isa_id == isa_id)
            ).scalar_one_or_none()
            if owner is not None:
                raise CommandError(
                    f"ISA identity {qualifier}:{isa_id} already belongs to partner {owner.name}"
                )
            target_id = None
            if erp is not None:
                target = session.execute(
                    select(ErpTarget).where(ErpTarget.name == erp)
                ).scalar_one_or_none()
                if target is None:
                    raise CommandError(f"no ERP target named {erp!r}: add it with `erp add`")
                target_id = target.id
            partner = Partner(
                name=name, role=role_value, status=status_value, erp_target_id=target_id
            )
            partner.identities.append(PartnerIdentity(isa_qualifier=qualifier, isa_id=isa_id))
            session.add(partner)
            session.flush()
            return partner_view(partner, erp)
    except IntegrityError as exc:
        raise CommandError(f"a partner named {name!r} already exists") from exc


def partner_view(partner: Partner, erp: str | None = None) -> dict[str, Any]:
    return {
        "id": str(partner.id),
        "name": partner.name,
        "role": partner.role.value,
        "status": partner.status.value,
        "isa": [f"{i.isa_qualifier}:{i.isa_id}" for i in partner.identities],
        "erp": erp,
        "ack": partner.ack_kind.value,
        "duplicate_policy": partner.duplicate_policy.value,
    }


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
