"""Running steps: claim, work, finish - or fail, wait, dead-letter - each by compare-and-set.

A step runs in two short transactions: the claim (which takes the lease and counts an attempt)
and the work (the handler's writes and the step's `done`, committed together). A worker killed
at any point leaves either an unclaimed step or a running step whose lease expires; the sweeper
dispatches it again and the handler, being idempotent, has one effect.

Steps a handler creates run right away in the same task while it still holds the worker
(`chain`), which saves a broker round trip per step; if the task dies, the sweeper finds them.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session, contains_eager

from gateway.cxml.outbound import post_cxml
from gateway.logs import log_context
from gateway.pipeline.deliver import (
    apply_delivery,
    apply_partner_delivery,
    call_erp,
    prepare_delivery,
    prepare_partner_delivery,
    render_outbound,
)
from gateway.pipeline.inbound import (
    StepFailed,
    StepWaits,
    send_acknowledgment,
    translate_message,
)
from gateway.pipeline.runtime import Runtime
from gateway.store import (
    bury_lost_steps,
    claim_step,
    defer_step,
    expired_steps,
    fail_step,
    finish_step,
    record_event,
    replay_step,
)
from gateway.store.enums import DocumentStatus, MessageStatus, StepKind, StepState
from gateway.store.models import Document, Message, Partner, Step
from gateway.store.steps import DISPATCH_GRACE
from gateway.store.types import utcnow

log = logging.getLogger("gateway.pipeline")

Handler = Callable[[Session, Step, Runtime], list[uuid.UUID]]

HANDLERS: dict[StepKind, Handler] = {
    StepKind.TRANSLATE: lambda s, step, rt: translate_message(s, step),
    StepKind.SEND_ACK: lambda s, step, rt: send_acknowledgment(s, step),
    StepKind.RENDER: render_outbound,
}


# A step that fans out (translate of an interchange of many sets) keeps this many of the steps
# it created to run itself and dispatches the rest, so every worker shares a big interchange
# instead of one delivering its documents one by one while the others idle.
CHAIN_LIMIT = 4


class LeaseLost(Exception):
    """Another worker took the step over (our lease expired): our work must not commit."""


def run_step(runtime: Runtime, step_id: uuid.UUID, *, chain: bool = True) -> StepState | None:
    """Run one step (and, with ``chain``, the first few steps it creates; the others are
    dispatched). Returns the step's new state, or None when it was not ours to run (already
    done, or running elsewhere)."""
    queue: list[tuple[uuid.UUID, Claimed | None]] = [(step_id, None)]
    first_state: StepState | None = None
    while queue:
        current, taken = queue.pop(0)
        with log_context(step_id=str(current)):
            state, created, ahead = _run_one(runtime, current, taken, chain=chain)
        if current == step_id:
            first_state = state
        if chain:
            chained = created[:CHAIN_LIMIT]
            created = created[CHAIN_LIMIT:]
            queue.extend(
                (s, ahead if ahead is not None and s == chained[0] else None) for s in chained
            )
        if created:
            runtime.dispatcher.dispatch(created)
    return first_state


# A step claimed ahead: its kind and the lease owner that holds it.
Claimed = tuple[StepKind, str]
# (new state, steps created, the first created step when it was claimed in the same
# transaction that finished this one - it then runs next without a claim of its own)
Outcome = tuple[StepState | None, list[uuid.UUID], Claimed | None]


def _run_one(
    runtime: Runtime, step_id: uuid.UUID, taken: Claimed | None, *, chain: bool
) -> Outcome:
    kind, owner = taken if taken is not None else (None, runtime.owner())
    if kind is None:
        with runtime.sessions.begin() as session:
            kind = claim_step(
                session, step_id=step_id, owner=owner, lease_seconds=runtime.lease_seconds
            )
        if kind is None:
            return None, [], None
    try:
        with log_context(step=kind.value):
            if kind == StepKind.DELIVER_ERP:
                return _deliver(runtime, step_id, owner, chain=chain)
            if kind == StepKind.DELIVER_PARTNER:
                return _deliver_partner(runtime, step_id, owner, chain=chain)
            return _handle(runtime, step_id, kind, owner, chain=chain)
    except LeaseLost:
        log.warning("lease lost on step %s; its work was rolled back", step_id)
        return None, [], None
    except StepWaits as wait:
        with runtime.sessions.begin() as session:
            defer_step(session, step_id=step_id, owner=owner, until=wait.until, reason=str(wait))
        return StepState.WAITING, [], None
    except StepFailed as failure:
        return _failed(runtime, step_id, owner, str(failure), failure.retryable), [], None
    except Exception as exc:  # an unexpected error is retried, and kept for the operator
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        log.exception("step %s failed unexpectedly", step_id)
        return _failed(runtime, step_id, owner, f"internal error: {detail}", True), [], None


def _finish(
    session: Session,
    runtime: Runtime,
    step_id: uuid.UUID,
    owner: str,
    created: list[uuid.UUID],
    *,
    chain: bool,
) -> Outcome:
    """Finish the step in the handler's transaction and, when chaining, claim the next one in
    the same commit: a step that runs right after its parent needs no transaction to claim it.
    Its attempt is counted and its lease taken as for any claim, so a worker that dies before
    running it leaves a step the sweeper retries once the lease runs out."""
    if not finish_step(session, step_id=step_id, owner=owner):
        raise LeaseLost(f"step {step_id} was taken over")
    ahead: Claimed | None = None
    if chain and created:
        next_owner = runtime.owner()
        kind = claim_step(
            session, step_id=created[0], owner=next_owner, lease_seconds=runtime.lease_seconds
        )
        ahead = (kind, next_owner) if kind is not None else None
    return StepState.DONE, created, ahead


def _step_query(*, with_payload: bool) -> Select[Step, Partner]:
    query: Select[Step, Partner] = (
        select(Step, Partner)
        .join(Step.message)
        .outerjoin(Step.document)
        .outerjoin(Partner, Partner.id == Message.partner_id)
        .where(Step.id == bindparam("step_id"))
    )
    if with_payload:  # see _PAYLOAD_KINDS
        query = query.outerjoin(Message.blob).options(
            contains_eager(Step.message).contains_eager(Message.blob)
        )
    else:
        query = query.options(contains_eager(Step.message))
    return query.options(contains_eager(Step.document))


_STEP_WITH_PAYLOAD = _step_query(with_payload=True)
_STEP = _step_query(with_payload=False)
# translate and acknowledge read the payload, and so does POSTing a cXML message to a partner
_PAYLOAD_KINDS = frozenset({StepKind.TRANSLATE, StepKind.SEND_ACK, StepKind.DELIVER_PARTNER})


def _load_step(session: Session, step_id: uuid.UUID, kind: StepKind) -> Step:
    """The step, with its message, its document, the message's partner and (for the steps
    that read it) its payload, in one query.

    Every handler reads those rows; loaded together they sit in the session's identity map,
    where `step.message`, `step.document` and `session.get(Partner, ...)` find them without a
    statement of their own (up to five round trips and ORM loads became one). The identity
    map holds objects weakly: the partner is kept in `session.info` while the session lives."""
    query = _STEP_WITH_PAYLOAD if kind in _PAYLOAD_KINDS else _STEP
    row = session.execute(query, {"step_id": step_id}).one_or_none()
    assert row is not None, f"step {step_id} vanished while claimed"
    step: Step = row[0]
    session.info["step_partner"] = row[1]
    return step


def _handle(
    runtime: Runtime, step_id: uuid.UUID, kind: StepKind, owner: str, *, chain: bool
) -> Outcome:
    with runtime.sessions.begin() as session:
        step = _load_step(session, step_id, kind)
        with log_context(message_id=str(step.message_id)):
            handler = HANDLERS.get(step.kind)
            if handler is None:
                raise StepFailed(f"no handler for step kind {step.kind}", retryable=False)
            created = handler(session, step, runtime)
            return _finish(session, runtime, step_id, owner, created, chain=chain)


def _deliver(runtime: Runtime, step_id: uuid.UUID, owner: str, *, chain: bool) -> Outcome:
    """Read, call the ERP with no transaction open, then record the outcome and finish."""
    with runtime.sessions.begin() as session:
        prepared = prepare_delivery(session, _load_step(session, step_id, StepKind.DELIVER_ERP))
        if prepared is None:
            return _finish(session, runtime, step_id, owner, [], chain=chain)
    outcome = call_erp(prepared, runtime)
    with runtime.sessions.begin() as session:
        # what the writes need was read before the call: no row is loaded again
        created = apply_delivery(session, prepared, outcome)
        return _finish(session, runtime, step_id, owner, created, chain=chain)


def _deliver_partner(runtime: Runtime, step_id: uuid.UUID, owner: str, *, chain: bool) -> Outcome:
    """POST an outbound cXML message to the partner with no transaction open, then record the
    partner's Response and finish (or fail: retried or dead-lettered by its code)."""
    with runtime.sessions.begin() as session:
        prepared = prepare_partner_delivery(
            session, _load_step(session, step_id, StepKind.DELIVER_PARTNER)
        )
        if prepared is None:
            return _finish(session, runtime, step_id, owner, [], chain=chain)
    result = post_cxml(prepared.url, prepared.body)
    with runtime.sessions.begin() as session:
        step = session.get(Step, step_id)
        assert step is not None
        apply_partner_delivery(session, step, result)
        return _finish(session, runtime, step_id, owner, [], chain=chain)


def _failed(
    runtime: Runtime, step_id: uuid.UUID, owner: str, error: str, retryable: bool
) -> StepState | None:
    with runtime.sessions.begin() as session:
        state = fail_step(
            session, step_id=step_id, owner=owner, error=error[:4000], retryable=retryable
        )
        step = session.get(Step, step_id)
        if step is not None and state is not None:
            record_event(
                session,
                message_id=step.message_id,
                document_id=step.document_id,
                kind="dead_lettered" if state == StepState.DEAD else "step_failed",
                detail={"step": step.kind.value, "attempt": step.attempts, "error": error[:500]},
            )
            if state == StepState.DEAD:
                _mark_failed(session, step)
    return state


def _mark_failed(session: Session, step: Step) -> None:
    session.execute(
        update(Message)
        .where(Message.id == step.message_id)
        .values(status=MessageStatus.FAILED, updated_at=utcnow())
    )
    if step.document_id is not None:
        session.execute(
            update(Document)
            .where(Document.id == step.document_id)
            .values(status=DocumentStatus.FAILED)
        )


def sweep(runtime: Runtime, *, limit: int = 500) -> list[uuid.UUID]:
    """Dead-letter poison steps and re-dispatch every step that is due or lost its worker.
    Run it from beat every few seconds; safe to run anywhere, any number of times."""
    with runtime.sessions.begin() as session:
        for buried in bury_lost_steps(session):
            step = session.get(Step, buried)
            if step is not None:
                _mark_failed(session, step)
                record_event(
                    session,
                    message_id=step.message_id,
                    document_id=step.document_id,
                    kind="dead_lettered",
                    detail={"step": step.kind.value, "error": step.last_error},
                )
        found = expired_steps(session, limit=limit)
        due = [s.id for s in found]
        # A pending step is claimable whenever its task arrives; its next_attempt_at only says
        # when to suspect the dispatch was lost. Moved on by the grace again, it is not sent
        # once more by every sweep while its task waits behind a backlog longer than the grace.
        pending = [s.id for s in found if s.state == StepState.PENDING]
        if pending:
            now = utcnow()
            session.execute(
                update(Step)
                .where(Step.id.in_(pending), Step.state == StepState.PENDING)
                .values(next_attempt_at=now + DISPATCH_GRACE)
                .execution_options(synchronize_session=False)
            )
    if due:
        runtime.dispatcher.dispatch(due)
    return due


def replay(runtime: Runtime, step_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """Give dead-lettered steps fresh attempts and dispatch them. Returns the replayed ids."""
    replayed: list[uuid.UUID] = []
    with runtime.sessions.begin() as session:
        for step_id in step_ids:
            if replay_step(session, step_id=step_id):
                step = session.get(Step, step_id)
                assert step is not None
                replayed.append(step_id)
                message = session.get(Message, step.message_id)
                if message is not None and message.status == MessageStatus.FAILED:
                    message.status = MessageStatus.PROCESSING
                if step.document_id is not None:
                    doc = session.get(Document, step.document_id)
                    if doc is not None and doc.status == DocumentStatus.FAILED:
                        doc.status = DocumentStatus.PENDING
                record_event(
                    session,
                    message_id=step.message_id,
                    document_id=step.document_id,
                    kind="replayed",
                    detail={"step": step.kind.value},
                )
    if replayed:
        runtime.dispatcher.dispatch(replayed)
    return replayed


def retry_later(seconds: float) -> timedelta:
    return timedelta(seconds=max(1.0, seconds))
