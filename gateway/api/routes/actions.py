"""`/api/v1/messages/{id}/reprocess|resend`: the operator actions on one message."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import ChangingOperator, RuntimeDep, requires
from gateway.api.problems import ProblemError, problem_responses
from gateway.pipeline.actions import ActionRefused, MessageNotFound, reprocess, resend
from gateway.store.enums import MessageStatus, OperatorRole

router = APIRouter(prefix="/messages", tags=["operators"])

CHANGERS = requires(*(f"operator:{r.value}" for r in (OperatorRole.ADMIN, OperatorRole.OPERATOR)))


class ReprocessPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "original_id": "01a21ad0-4cd8-7328-82b7-2a28debc8d9e",
                    "message_id": "01a21ad0-5020-7171-8845-80f8b70f9767",
                    "status": "received",
                    "reason": None,
                }
            ]
        }
    )

    original_id: uuid.UUID = Field(description="The message reprocessed; it stays as it was.")
    message_id: uuid.UUID = Field(description="The new message carrying the same bytes.")
    status: MessageStatus = Field(description="The new message's status after intake.")
    reason: str | None = Field(description="Why intake turned it away again, if it did.")


class ResendPublic(BaseModel):
    message_id: uuid.UUID
    status: MessageStatus


def _refused(exc: Exception) -> ProblemError:
    if isinstance(exc, MessageNotFound):
        return ProblemError(404, str(exc))
    return ProblemError(409, str(exc))


@router.post(
    "/{message_id}/reprocess",
    response_model=ReprocessPublic,
    status_code=201,
    summary="Take a rejected or held-duplicate inbound message through intake again (operator)",
    description="The stored bytes become a new message linked to the original (which keeps "
    "its history); refused (409) for outbound messages, for messages that were processed, and "
    "for any whose documents the ERP already has.",
    responses=problem_responses(401, 403, 404, 409, 422),
    openapi_extra=CHANGERS,
)
async def reprocess_message(
    message_id: uuid.UUID, operator: ChangingOperator, runtime: RuntimeDep
) -> ReprocessPublic:
    try:
        done = await run_in_threadpool(
            reprocess, runtime, message_id, actor=f"token:{operator.key_id}"
        )
    except (ActionRefused, MessageNotFound) as exc:
        raise _refused(exc) from exc
    return ReprocessPublic(
        original_id=done.original_id,
        message_id=done.message_id,
        status=done.status,
        reason=done.reason,
    )


@router.post(
    "/{message_id}/resend",
    response_model=ResendPublic,
    summary="Put a picked-up outbound message back in the partner's mailbox (operator)",
    description="The same bytes, control numbers included. Refused (409) for inbound "
    "messages and for messages still waiting to be picked up.",
    responses=problem_responses(401, 403, 404, 409, 422),
    openapi_extra=CHANGERS,
)
async def resend_message(
    message_id: uuid.UUID, operator: ChangingOperator, runtime: RuntimeDep
) -> ResendPublic:
    try:
        await run_in_threadpool(resend, runtime, message_id, actor=f"token:{operator.key_id}")
    except (ActionRefused, MessageNotFound) as exc:
        raise _refused(exc) from exc
    return ResendPublic(message_id=message_id, status=MessageStatus.PROCESSING)
