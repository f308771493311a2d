"""Dependencies: the runtime, sessions, and who is calling.

Auth is one rule applied everywhere: a route declares the principal it needs with one of the
aliases below, and the alias both checks it and documents it (OpenAPI `bearer` security on
the route, plus `x-gateway-auth` naming the principals it admits).

- no or unknown or revoked key: 401 (with `WWW-Authenticate: Bearer`);
- a valid key of the wrong kind or role: 403;
- a key of a suspended partner: 403 (`partner-suspended`), on every route;
- a partner asking for something that is not its own: 404, as if it did not exist (routes
  check ownership themselves, after this).

The key is checked in a short transaction of its own, so no database transaction stays open
while a request body streams in.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from gateway.api.problems import ProblemError, unauthorized
from gateway.auth import Principal, authenticate, split_key
from gateway.pipeline import Runtime
from gateway.settings import Settings
from gateway.store.enums import KeyKind, OperatorRole

bearer = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="gwk_<prefix>_<secret>",
    description="A partner API key, an ERP key or an operator token "
    "(`edi-gateway keys issue`, `edi-gateway tokens issue`), as `Authorization: Bearer <key>`.",
    auto_error=False,
)


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in the
# thread pool, a hop (queue, thread wake-up, GIL hand-over) that cost more than the function.


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.sessions() as session:
        yield session


# Closed when the route returns, before the response is sent: no transaction outlives a route.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def bearer_token(credentials: BearerDep) -> str:
    """The presented key, checked for its shape only (401 when there is none, or when it
    cannot be a key: no database needed to say so)."""
    return presented_key(credentials)


def presented_key(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None:
        raise unauthorized("send your key as `Authorization: Bearer <key>`")
    if split_key(credentials.credentials.strip()) is None:
        raise unauthorized("the key is not valid (unknown, mistyped or revoked)", invalid=True)
    return credentials.credentials


def check_principal(principal: Principal | None) -> Principal:
    """401/403 for a key that is not valid, or whose partner is suspended."""
    if principal is None:
        raise unauthorized("the key is not valid (unknown, mistyped or revoked)", invalid=True)
    if principal.partner_suspended:
        raise ProblemError(
            403,
            "partner suspended: this partner's keys are refused until an operator reinstates it",
            type="partner-suspended",
        )
    return principal


def get_principal(runtime: RuntimeDep, credentials: BearerDep) -> Principal:
    token = presented_key(credentials)
    with runtime.sessions.begin() as session:
        return check_principal(authenticate(session, token))


def check_partner_key(session: Session, token: str) -> Principal:
    """`partner_principal` inside a caller's transaction (the intake of `POST /inbound`)."""
    return _partner_only(check_principal(authenticate(session, token)))


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def partner_principal(principal: PrincipalDep) -> Principal:
    return _partner_only(principal)


def _partner_only(principal: Principal) -> Principal:
    if principal.kind != KeyKind.PARTNER:
        raise ProblemError(403, f"this route takes a partner API key, not {_describe(principal)}")
    if principal.api_channel_off:
        raise ProblemError(
            403,
            "the API channel is turned off for this partner (its registry settings: "
            "channels.api.enabled is false); ask an operator to turn it on",
            type="channel-disabled",
        )
    return principal


async def erp_principal(principal: PrincipalDep) -> Principal:
    if principal.kind != KeyKind.ERP:
        raise ProblemError(403, f"this route takes an ERP key, not {_describe(principal)}")
    return principal


def require_operator(*roles: OperatorRole) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting operator tokens with one of `roles` (any role when none given)."""
    allowed = frozenset(roles or OperatorRole)
    names = " or ".join(sorted(r.value for r in allowed))

    async def operator_principal(principal: PrincipalDep) -> Principal:
        if principal.kind != KeyKind.OPERATOR:
            raise ProblemError(
                403, f"this route takes an operator token, not {_describe(principal)}"
            )
        if principal.role not in allowed:
            raise ProblemError(
                403,
                f"this route needs an operator token with the role {names}; "
                f"this one is {principal.role.value if principal.role else 'without a role'}",
            )
        return principal

    return operator_principal


async def partner_or_operator(principal: PrincipalDep) -> Principal:
    if principal.kind == KeyKind.ERP:
        raise ProblemError(
            403, "this route takes a partner API key or an operator token, not an ERP key"
        )
    return principal


def _describe(principal: Principal) -> str:
    if principal.kind == KeyKind.OPERATOR:
        return "an operator token"
    return "an ERP key" if principal.kind == KeyKind.ERP else "a partner API key"


CurrentPartner = Annotated[Principal, Depends(partner_principal)]
CurrentErp = Annotated[Principal, Depends(erp_principal)]
CurrentOperator = Annotated[Principal, Depends(require_operator())]
ChangingOperator = Annotated[
    Principal, Depends(require_operator(OperatorRole.ADMIN, OperatorRole.OPERATOR))
]
AdminOperator = Annotated[Principal, Depends(require_operator(OperatorRole.ADMIN))]
PartnerOrOperator = Annotated[Principal, Depends(partner_or_operator)]


async def strict_query(request: Request) -> None:
    """Query parameters the route does not take, or take once but were given twice, are
    refused: a typo (`?limt=5`) should not be silently ignored, and with a repeated parameter
    which value counts would be anyone's guess."""
    route = request.scope.get("route")
    known = _query_names(route.dependant) if isinstance(route, APIRoute) else set()
    given = request.query_params
    unknown = sorted(set(given) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise ProblemError(
            422, f"unknown query parameter {', '.join(unknown)} (this route takes {takes})"
        )
    repeated = sorted(name for name in set(given) if len(given.getlist(name)) > 1)
    if repeated:
        raise ProblemError(422, f"give each query parameter once: {', '.join(repeated)}")


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


# After the principal in a route's parameters, so the key is checked first.
StrictQuery = Annotated[None, Depends(strict_query)]


def requires(*principals: str) -> dict[str, Any]:
    """The route's `openapi_extra`: which principals it admits, machine-readable
    (`partner`, `erp`, `operator:admin`, `operator:operator`, `operator:read-only`)."""
    return {"x-gateway-auth": list(principals)}


_ID_MARK = "00000000-0000-0000-0000-000000000000"


def message_url(request: Request, message_id: uuid.UUID, name: str = "get_message") -> str:
    """`request.url_for(name, message_id=...)` for a route whose only parameter is the
    message id, with the route's path looked up once per app (kept in its state) instead of
    searched for among every route on each call."""
    state = request.app.state
    paths: dict[str, tuple[str, str]] | None = getattr(state, "message_paths", None)
    if paths is None:
        paths = state.message_paths = {}
    if name not in paths:
        path = str(request.scope["router"].url_path_for(name, message_id=_ID_MARK))
        head, _, tail = path.partition(_ID_MARK)
        paths[name] = (head, tail)
    head, tail = paths[name]
    base = request.base_url
    return f"{base.scheme}://{base.netloc}{base.path.rstrip('/')}{head}{message_id}{tail}"


ANY_OPERATOR = tuple(f"operator:{r.value}" for r in OperatorRole)
