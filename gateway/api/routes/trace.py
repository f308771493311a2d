"""`GET /api/v1/trace`: find messages by control number or business key, with the business
chain of the purchase orders involved (operators, any role)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gateway.api.deps import ANY_OPERATOR, CurrentOperator, SessionDep, StrictQuery, requires
from gateway.api.problems import ProblemError, problem_responses
from gateway.api.schemas import TracePublic
from gateway.tracing import trace as find

router = APIRouter(tags=["operators"])

# Control characters are never part of a control number or business key (and PostgreSQL
# refuses NUL in text outright).
Key = Annotated[str | None, Query(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]


@router.get(
    "/trace",
    response_model=TracePublic,
    summary="Trace messages by control number, PO, invoice or shipment number (operator)",
    description="`control_number` matches ISA13 (also written without its leading zeros), GS06 "
    "and ST02. Give one or more keys; a message matching any of them is listed, with the "
    "acknowledgments of it and what was sent back from it.",
    responses=problem_responses(400, 401, 403, 422),
    openapi_extra=requires(*ANY_OPERATOR),
)
def trace(
    operator: CurrentOperator,
    _query: StrictQuery,
    session: SessionDep,
    control_number: Key = None,
    po_number: Key = None,
    invoice_number: Key = None,
    shipment_id: Key = None,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many messages.")] = 100,
) -> dict[str, Any]:
    if not any((control_number, po_number, invoice_number, shipment_id)):
        raise ProblemError(
            400, "give control_number, po_number, invoice_number or shipment_id to trace"
        )
    return find(
        session,
        control_number=control_number,
        po_number=po_number,
        invoice_number=invoice_number,
        shipment_id=shipment_id,
        limit=limit,
    )
