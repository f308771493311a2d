"""`/api/v1/dead-letters`: steps that ran out of attempts, and replaying them (operators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import (
    ANY_OPERATOR,
    ChangingOperator,
    CurrentOperator,
    RuntimeDep,
    SessionDep,
    StrictQuery,
    requires,
)
from gateway.api.problems import problem_responses
from gateway.api.schemas import DeadLetterPublic, ReplayCreate, ReplayPublic
from gateway.pipeline import replay
from gateway.store.enums import OperatorRole, StepState
from gateway.store.models import Message, Step

router = APIRouter(prefix="/dead-letters", tags=["operators"])


@router.get(
    "",
    response_model=list[DeadLetterPublic],
    summary="Dead-lettered steps, oldest first (operator)",
    responses=problem_responses(401, 403, 422),
    openapi_extra=requires(*ANY_OPERATOR),
)
def list_dead_letters(
    operator: CurrentOperator,
    _query: StrictQuery,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeadLetterPublic]:
    rows = session.execute(
        select(Step, Message.partner_id)
        .join(Message, Message.id == Step.message_id)
        .where(Step.state == StepState.DEAD)
        .order_by(Step.updated_at, Step.id)
        .limit(limit)
    ).all()
    return [
        DeadLetterPublic(
            step_id=step.id,
            message_id=step.message_id,
            document_id=step.document_id,
            partner_id=partner_id,
            kind=step.kind,
            attempts=step.attempts,
            error=step.last_error,
            updated_at=step.updated_at,
        )
        for step, partner_id in rows
    ]


@router.post(
    "/replay",
    response_model=ReplayPublic,
    summary="Replay dead-lettered steps (operator token: admin or operator)",
    description="Gives each step fresh attempts and dispatches it. Ids that are not "
    "dead-lettered are listed in `not_replayed` and left alone.",
    responses=problem_responses(400, 401, 403, 422),
    openapi_extra=requires(
        *(f"operator:{r.value}" for r in (OperatorRole.ADMIN, OperatorRole.OPERATOR))
    ),
)
async def replay_dead_letters(
    body: ReplayCreate, operator: ChangingOperator, runtime: RuntimeDep
) -> ReplayPublic:
    wanted = list(dict.fromkeys(body.step_ids))
    done = await run_in_threadpool(replay, runtime, wanted)
    return ReplayPublic(replayed=done, not_replayed=[i for i in wanted if i not in done])
