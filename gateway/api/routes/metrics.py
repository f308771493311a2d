"""`GET /metrics`: Prometheus exposition, read from the database (operator token).

Scrapers send the token like any client: `authorization: {credentials: <token>}` in a
Prometheus scrape config.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import ANY_OPERATOR, CurrentOperator, RuntimeDep, StrictQuery, requires
from gateway.api.problems import problem_responses
from gateway.metrics import registry_for

router = APIRouter(tags=["operators"])


@router.get(
    "/metrics",
    summary="Prometheus metrics for the whole gateway (operator)",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"},
        **problem_responses(401, 403, 422),
    },
    openapi_extra=requires(*ANY_OPERATOR),
)
async def metrics(operator: CurrentOperator, _query: StrictQuery, runtime: RuntimeDep) -> Response:
    body = await run_in_threadpool(generate_latest, registry_for(runtime.sessions))
    return Response(content=body, media_type=CONTENT_TYPE_LATEST)
