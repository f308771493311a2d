"""`GET /health`: is the process up and its database reachable? The one route without a key."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway.api.deps import RuntimeDep
from gateway.api.problems import ProblemError, problem_responses
from gateway.api.schemas import HealthPublic

log = logging.getLogger("gateway.api")
router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthPublic,
    summary="Health check (no key needed)",
    responses=problem_responses(503),
)
def health(runtime: RuntimeDep) -> HealthPublic:
    try:
        with runtime.sessions() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.error("health check: database unreachable: %s", exc)
        raise ProblemError(503, "the database is not reachable") from exc
    return HealthPublic(status="ok", database="ok")
