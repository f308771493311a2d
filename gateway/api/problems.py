"""Errors as `application/problem+json` (RFC 9457), and only that.

    GatewayError
    └── ProblemError        an answer the API gives on purpose: status, type, detail, extensions

Every error leaves the API as a problem document: `ProblemError` as raised; HTTP errors of
routing (404, 405) and request validation (422) as the framework reports them, reworded;
a database that cannot be reached as 503; anything else as a 500 whose `correlation_id` is
also in the server log, next to the traceback the client never sees.

Problem types are URNs (`urn:edi-gateway:problem:<name>`), listed in docs/http-api.md.
"""

from __future__ import annotations

import logging
import uuid
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.api.schemas import ProblemPublic
from translators.errors import GatewayError

log = logging.getLogger("gateway.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:edi-gateway:problem:"

#: the problem type of each status when nothing more specific is said
DEFAULT_TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation",
    500: "internal",
    503: "unavailable",
}


class ProblemError(GatewayError):
    """An error answer: ``ProblemError(404, "no message 0190...", message_id=...)``.
    Keyword arguments other than the named ones become extension members of the problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type or DEFAULT_TYPES.get(status, "about:blank")
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers or {}
        self.extensions = extensions


def unauthorized(detail: str, *, invalid: bool = False) -> ProblemError:
    challenge = 'Bearer realm="edi-gateway"'
    if invalid:
        challenge += ', error="invalid_token"'
    return ProblemError(401, detail, headers={"WWW-Authenticate": challenge})


def problem_response(request: Request | None, problem: ProblemError) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem.type if ":" in problem.type else TYPE_PREFIX + problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path if request is not None else None,
    }
    body.update({k: v for k, v in problem.extensions.items() if k not in body})
    content = ProblemPublic.model_validate(body).model_dump(mode="json", exclude_none=True)
    return JSONResponse(
        content, status_code=problem.status, headers=problem.headers, media_type=PROBLEM_MEDIA_TYPE
    )


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc)


async def _on_gateway_error(request: Request, exc: Exception) -> JSONResponse:
    # A GatewayError that no route turned into a ProblemError: a bug or a misconfiguration.
    return _internal(request, exc)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == HTTPStatus(404).phrase:
        detail = f"there is no {request.url.path}: see /openapi.json for the routes"
    elif exc.status_code == 400 and detail == "There was an error parsing the body":
        detail = "the body cannot be read as JSON: send UTF-8 JSON as /openapi.json describes"
    elif exc.status_code == 405:
        allowed = headers.get("Allow") or headers.get("allow") or ""
        detail = f"{request.url.path} does not answer {request.method}; it answers {allowed}"
    return problem_response(request, ProblemError(exc.status_code, detail, headers=headers))


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "location": ".".join(str(part) for part in e.get("loc", ())),
            "message": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"location": "request", "message": "is not valid"}
    detail = f"{first['location']}: {first['message']}"
    if first.get("type") == "json_invalid":
        detail = f"the body is not valid JSON ({first['message']} at {first['location']})"
    elif len(errors) > 1:
        detail += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return problem_response(request, ProblemError(422, detail, errors=errors))


async def _on_database_down(request: Request, exc: Exception) -> JSONResponse:
    correlation_id = uuid.uuid4().hex
    log.error(
        "database unavailable [%s] on %s %s: %s",
        correlation_id,
        request.method,
        request.url.path,
        exc,
    )
    return problem_response(
        request,
        ProblemError(
            503,
            "the gateway's database is not available right now; try again shortly",
            headers={"Retry-After": "5"},
            correlation_id=correlation_id,
        ),
    )


def _internal(request: Request | None, exc: BaseException, path: str = "") -> JSONResponse:
    correlation_id = uuid.uuid4().hex
    where = f"{request.method} {request.url.path}" if request is not None else path
    log.error("unhandled error [%s] on %s", correlation_id, where, exc_info=exc)
    return problem_response(
        request,
        ProblemError(
            500,
            "the gateway failed to answer this request; the operators can find what happened "
            f"in the log under correlation id {correlation_id}",
            correlation_id=correlation_id,
        ),
    )


class UnhandledErrors:
    """The last line: any exception escaping a route becomes a 500 problem (logged with its
    correlation id) instead of a bare 'Internal Server Error'."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            if started:  # too late for a problem document: the server closes the connection
                raise
            request = Request(scope)
            response = _internal(request, exc)
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(GatewayError, _on_gateway_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(OperationalError, _on_database_down)
    app.add_middleware(UnhandledErrors)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route for the problems it may answer (documented in OpenAPI as
    application/problem+json; see `openapi.problem_media_types`)."""
    return {
        status: {"model": ProblemPublic, "description": _DESCRIPTIONS.get(status, "")}
        for status in statuses
    }


_DESCRIPTIONS = {
    400: "The request is not usable as sent.",
    401: "No key, or a key that is unknown or revoked (`Authorization: Bearer <key>`).",
    403: "The key is valid but does not allow this route.",
    404: "No such resource (or not one this key may see).",
    409: "A duplicate: the message was stored, and not processed again.",
    413: "The body is larger than the gateway accepts.",
    415: "The body's content type is not one this route takes.",
    422: "The request, or the message it carried, was rejected; the problem says why.",
    500: "The gateway failed; `correlation_id` finds the error in its log.",
    503: "The database is not reachable; try again shortly.",
}
