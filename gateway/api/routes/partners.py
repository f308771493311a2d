"""`/api/v1/partners`: the onboarding registry for operators (partners.registry over HTTP).

Who may do what:
- any operator token (admin, operator, read-only) reads: list, get, keys (never the secrets),
  audit history;
- admin and operator tokens change: create, update, status, identities, keys.

Errors: an unknown partner, identity or key is 404; a change that clashes with the registry
as it is (a name or ISA identity taken, a lifecycle step not allowed, an ERP target that does
not exist) is 409; a value that can never be right is 422 naming the field. Every change is
written to the partner's audit history with the token's prefix as the actor.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from gateway.api.deps import (
    ANY_OPERATOR,
    ChangingOperator,
    CurrentOperator,
    RuntimeDep,
    StrictQuery,
    requires,
)
from gateway.api.problems import ProblemError, problem_responses
from gateway.api.registry_schemas import (
    AuditEntryPublic,
    IdentityCreate,
    KeyCreate,
    PartnerCreate,
    PartnerKeyIssued,
    PartnerKeyPublic,
    PartnerPublic,
    PartnerUpdate,
    StatusChange,
)
from gateway.auth import Principal
from gateway.store.enums import OperatorRole, PartnerRole, PartnerStatus
from gateway.store.models import ApiKey
from partners import keys as partner_keys
from partners import registry
from partners.errors import ConflictError, InvalidError, NotFoundError, RegistryError

router = APIRouter(prefix="/partners", tags=["registry"])

READ = requires(*ANY_OPERATOR)
CHANGE = requires(*(f"operator:{r.value}" for r in (OperatorRole.ADMIN, OperatorRole.OPERATOR)))
CHANGE_NOTE = " Operator token: admin or operator."
READ_NOTE = " Operator token: any role."
# fields that null clears; any other null leaves the field as it is
CLEARABLE = ("erp", "test_erp", "notes")

T = TypeVar("T")
_STRING = {"type": "string"}


def _problem(exc: RegistryError) -> ProblemError:
    extra: dict[str, Any] = {"field": exc.field} if exc.field else {}
    if isinstance(exc, NotFoundError):
        return ProblemError(404, str(exc))
    if isinstance(exc, ConflictError):
        return ProblemError(409, str(exc), type="registry-conflict", title="Conflict", **extra)
    if isinstance(exc, InvalidError):
        return ProblemError(422, str(exc), type="validation", **extra)
    return ProblemError(422, str(exc), **extra)


def _run(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return func(*args, **kwargs)
    except RegistryError as exc:
        raise _problem(exc) from exc


def _actor(runtime: RuntimeDep, principal: Principal) -> str:
    """The audit log's actor: the token's public prefix (the token itself is never kept)."""
    with runtime.sessions() as session:
        prefix = session.execute(
            select(ApiKey.prefix).where(ApiKey.id == principal.key_id)
        ).scalar_one_or_none()
    return f"token:{prefix or principal.key_id}"


def _settings(body: PartnerCreate | PartnerUpdate, *, exclude: set[str]) -> dict[str, Any]:
    given = body.model_dump(mode="json", exclude_unset=True, exclude=exclude)
    return {k: v for k, v in given.items() if v is not None or k in CLEARABLE}


@router.get(
    "",
    response_model=list[PartnerPublic],
    summary="Partners, by name, with their last activity (operator)",
    description="Filter by `status` and `role`." + READ_NOTE,
    responses=problem_responses(401, 403, 422),
    openapi_extra=READ,
)
def list_partners(
    operator: CurrentOperator,
    _query: StrictQuery,
    runtime: RuntimeDep,
    status: Annotated[PartnerStatus | None, Query()] = None,
    role: Annotated[PartnerRole | None, Query()] = None,
) -> list[dict[str, Any]]:
    return _run(
        registry.list_partners,
        runtime.sessions,
        status=status.value if status else None,
        role=role.value if role else None,
    )


@router.post(
    "",
    status_code=201,
    response_model=PartnerPublic,
    summary="Register a partner (operator: admin or operator)",
    description="Its ISA identities must belong to no other partner; it starts in `testing` "
    "unless `status` says otherwise." + CHANGE_NOTE,
    responses={
        201: {
            "headers": {"Location": {"description": "The partner", "schema": {"type": "string"}}}
        },
        **problem_responses(400, 401, 403, 409, 422),
    },
    openapi_extra=CHANGE,
)
def create_partner(
    body: PartnerCreate, operator: ChangingOperator, runtime: RuntimeDep, response: Response
) -> dict[str, Any]:
    settings = _settings(
        body, exclude={"name", "isa", "gs_id", "role", "status", "erp", "test_erp"}
    )
    created = _run(
        registry.create_partner,
        runtime.sessions,
        name=body.name,
        isa=list(body.isa),
        gs_id=body.gs_id,
        role=body.role.value,
        status=body.status,
        erp=body.erp,
        test_erp=body.test_erp,
        actor=_actor(runtime, operator),
        **settings,
    )
    response.headers["Location"] = f"/api/v1/partners/{created['id']}"
    return created


@router.get(
    "/{partner_id}",
    response_model=PartnerPublic,
    summary="A partner's settings, identities and last activity (operator)",
    description=READ_NOTE.strip(),
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=READ,
)
def get_partner(
    partner_id: uuid.UUID, operator: CurrentOperator, runtime: RuntimeDep
) -> dict[str, Any]:
    return _run(registry.get_partner, runtime.sessions, partner_id)


@router.patch(
    "/{partner_id}",
    response_model=PartnerPublic,
    summary="Change a partner's settings (operator: admin or operator)",
    description="Only the fields sent change (null leaves a field as it is, except `erp`, "
    "`test_erp` and `notes`, which it clears); each change is audited. The status has its "
    "own route, so do identities." + CHANGE_NOTE,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
    openapi_extra=CHANGE,
)
def update_partner(
    partner_id: uuid.UUID, body: PartnerUpdate, operator: ChangingOperator, runtime: RuntimeDep
) -> dict[str, Any]:
    changes = _settings(body, exclude=set())
    return _run(
        registry.update_partner,
        runtime.sessions,
        partner_id,
        actor=_actor(runtime, operator),
        **changes,
    )


@router.post(
    "/{partner_id}/status",
    response_model=PartnerPublic,
    summary="Move a partner along its lifecycle (operator: admin or operator)",
    description="draft -> testing -> live; testing or live -> suspended; suspended -> testing "
    "or live (reinstated); live -> testing; testing -> draft. Any other step is 409 with the "
    "reason. Suspension is immediate: the partner's keys are refused (403) and anything it "
    "sends is stored and rejected." + CHANGE_NOTE,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
    openapi_extra=CHANGE,
)
def set_partner_status(
    partner_id: uuid.UUID, body: StatusChange, operator: ChangingOperator, runtime: RuntimeDep
) -> dict[str, Any]:
    return _run(
        registry.set_status,
        runtime.sessions,
        partner_id,
        body.status.value,
        reason=body.reason,
        actor=_actor(runtime, operator),
    )


@router.post(
    "/{partner_id}/identities",
    status_code=201,
    response_model=PartnerPublic,
    summary="Add an ISA identity a partner sends as (operator: admin or operator)",
    description="An ISA identity belongs to one partner only (409 otherwise)." + CHANGE_NOTE,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
    openapi_extra=CHANGE,
)
def add_partner_identity(
    partner_id: uuid.UUID, body: IdentityCreate, operator: ChangingOperator, runtime: RuntimeDep
) -> dict[str, Any]:
    return _run(
        registry.add_identity,
        runtime.sessions,
        partner_id,
        isa=body.isa,
        gs_id=body.gs_id,
        actor=_actor(runtime, operator),
    )


@router.delete(
    "/{partner_id}/identities/{identity_id}",
    response_model=PartnerPublic,
    summary="Remove one of a partner's ISA identities (operator: admin or operator)",
    description="A partner in testing or live keeps at least one (409)." + CHANGE_NOTE,
    responses=problem_responses(401, 403, 404, 409, 422),
    openapi_extra=CHANGE,
)
def remove_partner_identity(
    partner_id: uuid.UUID,
    identity_id: uuid.UUID,
    operator: ChangingOperator,
    runtime: RuntimeDep,
) -> dict[str, Any]:
    return _run(
        registry.remove_identity,
        runtime.sessions,
        partner_id,
        identity_id,
        actor=_actor(runtime, operator),
    )


@router.get(
    "/{partner_id}/keys",
    response_model=list[PartnerKeyPublic],
    summary="A partner's API keys, revoked ones too (operator)",
    description="Never the keys themselves: only their prefixes and dates." + READ_NOTE,
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=READ,
)
def list_partner_keys(
    partner_id: uuid.UUID, operator: CurrentOperator, runtime: RuntimeDep
) -> list[dict[str, Any]]:
    return _run(partner_keys.list_partner_keys, runtime.sessions, partner_id)


@router.post(
    "/{partner_id}/keys",
    status_code=201,
    response_model=PartnerKeyIssued,
    summary="Issue a partner API key, shown once (operator: admin or operator)",
    description="The answer is the only place the key appears; the gateway keeps its hash. "
    "The body (a `label`) is optional." + CHANGE_NOTE,
    responses=problem_responses(400, 401, 403, 404, 422),
    openapi_extra=CHANGE,
)
def issue_partner_key(
    partner_id: uuid.UUID,
    operator: ChangingOperator,
    runtime: RuntimeDep,
    body: KeyCreate | None = None,
) -> dict[str, Any]:
    return _run(
        partner_keys.issue_partner_key,
        runtime.sessions,
        partner_id,
        label=body.label if body else None,
        actor=_actor(runtime, operator),
    )


@router.post(
    "/{partner_id}/keys/{key_id}/rotate",
    status_code=201,
    response_model=PartnerKeyIssued,
    summary="Replace a partner key with a new one (operator: admin or operator)",
    description="Revokes the key and issues its successor in one step; `replaces` names the "
    "old key." + CHANGE_NOTE,
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=CHANGE,
)
def rotate_partner_key(
    partner_id: uuid.UUID, key_id: uuid.UUID, operator: ChangingOperator, runtime: RuntimeDep
) -> dict[str, Any]:
    return _run(
        partner_keys.rotate_partner_key,
        runtime.sessions,
        partner_id,
        key_id,
        actor=_actor(runtime, operator),
    )


@router.delete(
    "/{partner_id}/keys/{key_id}",
    response_model=PartnerKeyPublic,
    summary="Revoke a partner key; it stops working at once (operator: admin or operator)",
    description="Revoking a revoked key changes nothing." + CHANGE_NOTE,
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=CHANGE,
)
def revoke_partner_key(
    partner_id: uuid.UUID, key_id: uuid.UUID, operator: ChangingOperator, runtime: RuntimeDep
) -> dict[str, Any]:
    return _run(
        partner_keys.revoke_partner_key,
        runtime.sessions,
        partner_id,
        key_id,
        actor=_actor(runtime, operator),
    )


@router.get(
    "/{partner_id}/audit",
    response_model=list[AuditEntryPublic],
    summary="A partner's audit history, newest first (operator)",
    description="Who changed what, when: every change made through the API, the CLI or the UI."
    + READ_NOTE,
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=READ,
)
def get_partner_audit(
    partner_id: uuid.UUID,
    operator: CurrentOperator,
    _query: StrictQuery,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    return _run(registry.audit_history, runtime.sessions, partner_id, limit=limit)
