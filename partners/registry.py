"""The partner registry's service functions: create, read, list, update, lifecycle and X12
identities. The CLI, the HTTP API and the web UI all call these, so the registry changes the
same way (same checks, same errors, same audit entries) whoever changes it.

Each function takes a session factory and keyword arguments, runs one transaction, writes the
audit entry of its change in that transaction, and returns plain data (`partner_view`).
A partner is named by its id or its name (`ref`); `actor` says who changes it ("cli",
"token:<prefix>", "user:<name>").
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from gateway.store.enums import PartnerStatus
from gateway.store.models import ErpTarget, Message, Partner, PartnerIdentity
from gateway.store.types import utcnow
from partners import audit, fields
from partners.errors import ConflictError, InvalidError, NotFoundError
from partners.lifecycle import check_transition
from partners.routing import default_target

CLI_ACTOR = "cli"


# -- reading --------------------------------------------------------------------------------


def find_partner(session: Session, ref: str | uuid.UUID, *, lock: bool = False) -> Partner:
    """A partner by id, or by name (scripts find names easier to write). `lock` holds its row
    until the transaction ends (PostgreSQL), so two changes at once apply one after the other
    and the second checks its lifecycle step against the first's result."""
    found: Partner | None = None
    with contextlib.suppress(ValueError):
        found = session.get(Partner, uuid.UUID(str(ref)), with_for_update=lock or None)
    if found is None:
        query = select(Partner).where(Partner.name == str(ref).strip())
        found = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"no partner {ref!s}: `partners list` shows their ids and names")
    return found


def _target_name(session: Session, target_id: uuid.UUID | None) -> str | None:
    if target_id is None:
        return None
    target = session.get(ErpTarget, target_id)
    return target.name if target else None


def _last_activity(session: Session, partner_ids: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """The last message each partner sent (inbound) or was sent (outbound)."""
    if not partner_ids:
        return {}
    rows = session.execute(
        select(Message.partner_id, func.max(Message.received_at))
        .where(Message.partner_id.in_(partner_ids))
        .group_by(Message.partner_id)
    ).all()
    return {pid: at for pid, at in rows if pid is not None and at is not None}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def partner_view(
    partner: Partner,
    erp: str | None = None,
    *,
    test_erp: str | None = None,
    last_activity_at: datetime | None = None,
) -> dict[str, Any]:
    """A partner as the CLI and the API show it (the first eight keys are the ones
    `partners add` has always printed)."""
    return {
        "id": str(partner.id),
        "name": partner.name,
        "role": partner.role.value,
        "status": partner.status.value,
        "isa": [f"{i.isa_qualifier}:{i.isa_id}" for i in partner.identities],
        "erp": erp,
        "ack": partner.ack_kind.value,
        "duplicate_policy": partner.duplicate_policy.value,
        "test_erp": test_erp,
        "identities": [
            {
                "id": str(i.id),
                "isa_qualifier": i.isa_qualifier,
                "isa_id": i.isa_id,
                "gs_id": i.gs_id,
            }
            for i in partner.identities
        ],
        "x12_version": partner.x12_version,
        "delimiters": dict(partner.delimiters or {}),
        "documents_in": list(partner.documents_in or []),
        "documents_out": list(partner.documents_out or []),
        "ta1_policy": partner.ta1_policy,
        "ack_window_minutes": partner.ack_window_minutes,
        "channels": dict(partner.channels or {}),
        "contacts": list(partner.contacts or []),
        "notes": partner.notes,
        "created_at": _iso(partner.created_at),
        "updated_at": _iso(partner.updated_at),
        "last_activity_at": _iso(last_activity_at),
    }


def _view(session: Session, partner: Partner) -> dict[str, Any]:
    session.flush()
    return partner_view(
        partner,
        _target_name(session, partner.erp_target_id),
        test_erp=_target_name(session, partner.test_erp_target_id),
        last_activity_at=_last_activity(session, [partner.id]).get(partner.id),
    )


def get_partner(sessions: sessionmaker[Session], ref: str | uuid.UUID) -> dict[str, Any]:
    with sessions() as session:
        return _view(session, find_partner(session, ref))


def list_partners(
    sessions: sessionmaker[Session],
    *,
    status: str | None = None,
    role: str | None = None,
) -> list[dict[str, Any]]:
    """Every partner by name, with its last activity; filtered by status and role if given."""
    with sessions() as session:
        query = select(Partner).options(selectinload(Partner.identities)).order_by(Partner.name)
        if status is not None:
            query = query.where(Partner.status == fields.status(status))
        if role is not None:
            query = query.where(Partner.role == fields.role(role))
        partners = list(session.execute(query).scalars())
        targets = {
            tid: tname for tid, tname in session.execute(select(ErpTarget.id, ErpTarget.name))
        }
        activity = _last_activity(session, [p.id for p in partners])
        return [
            partner_view(
                p,
                targets.get(p.erp_target_id) if p.erp_target_id else None,
                test_erp=targets.get(p.test_erp_target_id) if p.test_erp_target_id else None,
                last_activity_at=activity.get(p.id),
            )
            for p in partners
        ]


def audit_history(
    sessions: sessionmaker[Session], ref: str | uuid.UUID, *, limit: int = 500
) -> list[dict[str, Any]]:
    """A partner's audit entries, newest first."""
    with sessions() as session:
        return audit.history(session, find_partner(session, ref).id, limit=limit)


# -- changing -------------------------------------------------------------------------------


def _erp_target_id(session: Session, field: str, target: str | None) -> uuid.UUID | None:
    if target is None or not str(target).strip():
        return None
    found = session.execute(
        select(ErpTarget).where(ErpTarget.name == str(target).strip())
    ).scalar_one_or_none()
    if found is None:
        raise ConflictError(
            f"{field}: no ERP target named {target!r} (add it with `edi-gateway erp add`)",
            field=field,
        )
    return found.id


def _claim_isa(session: Session, qualifier: str, isa_id: str) -> None:
    owner = session.execute(
        select(Partner)
        .join(PartnerIdentity)
        .where(PartnerIdentity.isa_qualifier == qualifier, PartnerIdentity.isa_id == isa_id)
    ).scalar_one_or_none()
    if owner is not None:
        raise ConflictError(
            f"ISA identity {qualifier}:{isa_id} already belongs to partner {owner.name}",
            field="isa",
        )


def _name_free(session: Session, name: str, partner_id: uuid.UUID | None = None) -> None:
    other = session.execute(select(Partner.id).where(Partner.name == name)).scalar_one_or_none()
    if other is not None and other != partner_id:
        raise ConflictError(f"a partner named {name!r} already exists", field="name")


def _plain(value: Any) -> Any:
    """A value as the audit log keeps it (JSON)."""
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


# field name -> model attribute, where they differ
_COLUMNS = {"ack": "ack_kind"}


def _apply(partner: Partner, checked: dict[str, Any]) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for field, value in checked.items():
        column = _COLUMNS.get(field, field)
        old = getattr(partner, column)
        if _plain(old) != _plain(value):
            changes[field] = [_plain(old), _plain(value)]
            setattr(partner, column, value)
    return changes


def _commit_errors(exc: IntegrityError, what: str) -> ConflictError:
    return ConflictError(f"{what} conflicts with a change made at the same time; try again")


def create_partner(
    sessions: sessionmaker[Session],
    *,
    name: str,
    isa: str | list[str],
    role: str = "customer",
    status: str = "testing",
    erp: str | None = None,
    test_erp: str | None = None,
    gs_id: str | None = None,
    actor: str = CLI_ACTOR,
    **settings: Any,
) -> dict[str, Any]:
    """Register a partner with one or more ISA identities (each `QUALIFIER:ID`, owned by no
    other partner). `settings` are the other fields of `fields.CHECKS`."""
    unknown = sorted(set(settings) - set(fields.CHECKS))
    if unknown:
        raise InvalidError(f"unknown partner setting {', '.join(unknown)}", field=unknown[0])
    checked = {
        "name": fields.name(name),
        "role": fields.role(role),
        **{k: fields.CHECKS[k](v) for k, v in settings.items() if v is not None},
    }
    status_value = fields.initial_status(status)
    identities = [fields.parse_isa(i) for i in ([isa] if isinstance(isa, str) else isa)]
    if not identities:
        raise InvalidError("a partner needs at least one ISA identity (--isa)", field="isa")
    if len(set(identities)) != len(identities):
        raise InvalidError("the same ISA identity is given twice", field="isa")
    gs = fields.gs_id(gs_id)
    try:
        with sessions.begin() as session:
            _name_free(session, checked["name"])
            for qualifier, isa_id in identities:
                _claim_isa(session, qualifier, isa_id)
            erp_id = _erp_target_id(session, "erp", erp)
            test_erp_id = _erp_target_id(session, "test_erp", test_erp)
            if test_erp is None and status_value != PartnerStatus.LIVE:
                # A partner onboarded in testing with one route (`partners add --erp NAME`, or
                # the `default` target) sends its test documents there, flagged as test; the
                # record shows it, and `--test-erp` (or clearing it) says otherwise.
                default = default_target(session)
                test_erp_id = erp_id or (default.id if default else None)
            partner = Partner(
                status=status_value,
                erp_target_id=erp_id,
                test_erp_target_id=test_erp_id,
            )
            for column, value in checked.items():
                setattr(partner, _COLUMNS.get(column, column), value)
            for qualifier, isa_id in identities:
                partner.identities.append(
                    PartnerIdentity(isa_qualifier=qualifier, isa_id=isa_id, gs_id=gs)
                )
            session.add(partner)
            session.flush()
            view = _view(session, partner)
            created = {
                k: v
                for k, v in view.items()
                if k not in ("id", "identities", "created_at", "updated_at", "last_activity_at")
            }
            audit.record(
                session, actor=actor, action="partner.created", partner=partner, changes=created
            )
            return view
    except IntegrityError as exc:
        raise _commit_errors(exc, f"partner {name!r}") from exc


def update_partner(
    sessions: sessionmaker[Session],
    ref: str | uuid.UUID,
    *,
    actor: str = CLI_ACTOR,
    **changes: Any,
) -> dict[str, Any]:
    """Change some of a partner's settings (`fields.CHECKS`, plus `erp` and `test_erp` by
    target name, None or "" to clear). Only what really changes is written and audited."""
    unknown = sorted(set(changes) - set(fields.CHECKS) - {"erp", "test_erp"})
    if unknown:
        raise InvalidError(
            f"unknown partner setting {', '.join(unknown)} (status has its own command, "
            "identities theirs)",
            field=unknown[0],
        )
    checked = {k: fields.CHECKS[k](v) for k, v in changes.items() if k in fields.CHECKS}
    try:
        with sessions.begin() as session:
            partner = find_partner(session, ref, lock=True)
            if "name" in checked:
                _name_free(session, checked["name"], partner.id)
            diff = _apply(partner, checked)
            for field, column in (("erp", "erp_target_id"), ("test_erp", "test_erp_target_id")):
                if field not in changes:
                    continue
                new_id = _erp_target_id(session, field, changes[field])
                old_id = getattr(partner, column)
                if new_id != old_id:
                    diff[field] = [_target_name(session, old_id), _target_name(session, new_id)]
                    setattr(partner, column, new_id)
            if diff:
                partner.updated_at = utcnow()
                audit.record(
                    session, actor=actor, action="partner.updated", partner=partner, changes=diff
                )
            return _view(session, partner)
    except IntegrityError as exc:
        raise _commit_errors(exc, f"partner {ref!s}") from exc


def set_status(
    sessions: sessionmaker[Session],
    ref: str | uuid.UUID,
    status: str,
    *,
    reason: str | None = None,
    actor: str = CLI_ACTOR,
) -> dict[str, Any]:
    """Move a partner along its lifecycle (`partners.lifecycle`); the reason goes in the audit
    entry. Suspension takes effect at once: its keys are refused from the next request on."""
    new = fields.status(status)
    why = fields.notes(reason)
    with sessions.begin() as session:
        partner = find_partner(session, ref, lock=True)
        old = partner.status
        check_transition(partner.name, old, new)
        if new in (PartnerStatus.TESTING, PartnerStatus.LIVE) and not partner.identities:
            raise ConflictError(
                f"partner {partner.name} has no ISA identity: add one before it goes "
                f"{new.value} (it could not be recognised)",
                field="status",
            )
        partner.status = new
        partner.updated_at = utcnow()
        changes: dict[str, Any] = {"status": [old.value, new.value]}
        if why:
            changes["reason"] = why
        audit.record(
            session, actor=actor, action="partner.status", partner=partner, changes=changes
        )
        return _view(session, partner)


def add_identity(
    sessions: sessionmaker[Session],
    ref: str | uuid.UUID,
    *,
    isa: str,
    gs_id: str | None = None,
    actor: str = CLI_ACTOR,
) -> dict[str, Any]:
    """Another ISA identity (and GS id) a partner sends as; one partner per ISA identity."""
    qualifier, isa_id = fields.parse_isa(isa)
    gs = fields.gs_id(gs_id)
    try:
        with sessions.begin() as session:
            partner = find_partner(session, ref, lock=True)
            _claim_isa(session, qualifier, isa_id)
            row = PartnerIdentity(isa_qualifier=qualifier, isa_id=isa_id, gs_id=gs)
            partner.identities.append(row)
            partner.updated_at = utcnow()
            session.flush()
            audit.record(
                session,
                actor=actor,
                action="partner.identity_added",
                partner=partner,
                changes={"isa": [None, f"{qualifier}:{isa_id}"], "gs_id": [None, gs]},
            )
            return _view(session, partner)
    except IntegrityError as exc:
        raise ConflictError(
            f"ISA identity {qualifier}:{isa_id} was registered by someone else meanwhile",
            field="isa",
        ) from exc


def remove_identity(
    sessions: sessionmaker[Session],
    ref: str | uuid.UUID,
    identity: str | uuid.UUID,
    *,
    actor: str = CLI_ACTOR,
) -> dict[str, Any]:
    """Remove one of a partner's ISA identities, named by its id or as `QUALIFIER:ID`. A
    partner in testing or live keeps at least one (it could not be recognised otherwise)."""
    with sessions.begin() as session:
        partner = find_partner(session, ref, lock=True)
        wanted = str(identity).strip()
        row = next(
            (
                i
                for i in partner.identities
                if str(i.id) == wanted or f"{i.isa_qualifier}:{i.isa_id}".upper() == wanted.upper()
            ),
            None,
        )
        if row is None:
            raise NotFoundError(f"partner {partner.name} has no identity {wanted}")
        if len(partner.identities) == 1 and partner.status in (
            PartnerStatus.TESTING,
            PartnerStatus.LIVE,
        ):
            raise ConflictError(
                f"{row.isa_qualifier}:{row.isa_id} is the only identity of partner "
                f"{partner.name}, which is {partner.status.value}: add another first",
                field="isa",
            )
        partner.identities.remove(row)
        partner.updated_at = utcnow()
        audit.record(
            session,
            actor=actor,
            action="partner.identity_removed",
            partner=partner,
            changes={
                "isa": [f"{row.isa_qualifier}:{row.isa_id}", None],
                "gs_id": [row.gs_id, None],
            },
        )
        return _view(session, partner)
