"""The HTTP API's application factory.

    app = create_app(runtime=build_runtime(dispatcher=...), settings=get_settings())

The app holds no globals: the runtime (sessions, dispatcher, ERP gateway) and the settings are
passed in, so tests, `edi-gateway serve` and `edi-gateway web` each build theirs.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from gateway.api import problems
from gateway.api.routes import (
    actions,
    cxml,
    dead_letters,
    health,
    inbound,
    messages,
    metrics,
    outbound,
    outbox,
    partners,
    trace,
)
from gateway.pipeline import Runtime
from gateway.settings import Settings

API_PREFIX = "/api/v1"

DESCRIPTION = """\
The gateway's HTTP surface (see ../shared/CONTRACT.md).

**Keys.** Every route except `/health` needs `Authorization: Bearer <key>`: a partner API key
(`edi-gateway keys issue PARTNER_ID`), an ERP key (`edi-gateway keys issue --erp NAME`) or an
operator token with a role (`edi-gateway tokens issue --role admin|operator|read-only`). Each
route says which it takes (and `x-gateway-auth` lists them). No key, or an unknown or revoked
one: 401. A key of the wrong kind or role: 403. A partner asking for another partner's message:
404, as if it did not exist.

**Errors** are `application/problem+json` (RFC 9457) with a `detail` saying what to do;
problems about a stored message carry its `message_id`.
"""

TAGS = [
    {"name": "partners", "description": "Partner API keys: send X12, fetch what is waiting."},
    {"name": "messages", "description": "Status of a message (partners: their own)."},
    {
        "name": "erp",
        "description": "ERP keys: send partners canonical documents, follow them to the "
        "partner's acknowledgment.",
    },
    {"name": "operators", "description": "Operator tokens: tracing and dead letters."},
    {
        "name": "registry",
        "description": "Operator tokens: partners, their identities, lifecycle, keys and audit "
        "history (any role reads; admin and operator change).",
    },
    {"name": "health", "description": "No key needed."},
]


def _version() -> str:
    try:
        return importlib.metadata.version("edi-gateway")
    except importlib.metadata.PackageNotFoundError:
        return "0.1.0"


class GatewayApi(FastAPI):
    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            schema = get_openapi(
                title=self.title,
                version=self.version,
                description=self.description,
                routes=self.routes,
                tags=self.openapi_tags,
            )
            self.openapi_schema = problem_media_types(schema)
        return self.openapi_schema


def problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Error responses are documented as application/problem+json, which is what they are
    (FastAPI files every response model under application/json)."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[:1] in "45" and "application/json" in content:
                    content[problems.PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return schema


def create_app(*, runtime: Runtime, settings: Settings, web_ui: bool = True) -> FastAPI:
    app = GatewayApi(
        title="EDI Gateway",
        version=_version(),
        description=DESCRIPTION,
        openapi_tags=TAGS,
        # The docs pages would fetch their scripts from a CDN; /openapi.json is the reference.
        docs_url=None,
        redoc_url=None,
        # operation ids are the route functions' names: get_message, post_inbound, ...
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    problems.install(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    # any route may fail unexpectedly (500, with a correlation id) or lose its database (503)
    api = APIRouter(prefix=API_PREFIX, responses=problems.problem_responses(500, 503))
    for module in (inbound, messages, actions, outbox, outbound, trace, dead_letters, partners):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(cxml.router)  # cXML answers in cXML, outside /api/v1 and its problems
    if web_ui:
        import web

        web.mount(app)
    return app
