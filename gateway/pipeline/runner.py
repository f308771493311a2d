"""Running steps: claim, work, finish - or fail, wait, dead-letter - each by compare-and-set.

A step runs in two short transactions: the claim (which takes the lease and counts an attempt)
and the work (the handler's writes and the step's `done`, committed together). A worker killed
at any point leaves either an unclaimed step or a running step whose lease expires; the sweeper
dispatches it again and the handler, being idempotent, has one effect.

Steps run by the batch. A task claims the step it was sent for and up to `BATCH_SIZE` - 1
other pending steps of the same kind in one statement (translate, ERP delivery and the 997;
the other kinds run one by one), and runs them together: one transaction for their work and
their `done`, the ERP called for several documents at once, each with its own idempotency
key. A batch that fails as a whole (a handler raised, a lease was lost) is rolled back and run
again one step at a time, so one bad step fails alone. A task whose own step another worker
already took is a cheap no-op - or does whatever of its kind is still pending.

Steps a handler creates run right away in the same task while it still holds the worker
(`chain`): claimed in the commit that finishes their parent, which saves a broker round trip
and a claim per step. A fan-out larger than `CHAIN_LIMIT` (a big interchange's deliveries)
dispatches the rest, one task per `BATCH_SIZE` of them: each task claims a batch, and a task
whose batch was full claims again until the backlog of its kind is gone, so every step is
taken without a task of its own. If a task dies, the sweeper finds its steps.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import cache

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session, contains_eager

from gateway.cxml.outbound import post_cxml
from gateway.logs import log_context
from gateway.pipeline.deliver import (
    PreparedDelivery,
    apply_deliveries,
    apply_partner_delivery,
    call_erp,
    prepare_delivery,
    prepare_partner_delivery,
    render_outbound,
)
from gateway.pipeline.inbound import (
    CHUNK_COMMIT,
    StepFailed,
    StepWaits,
    batched_sets,
    send_acknowledgments,
    translate_message,
)
from gateway.pipeline.runtime import DeliveryOutcome, Runtime
from gateway.store import (
    bury_lost_steps,
    claim_batch,
    claim_steps,
    claimable_steps,
    defer_step,
    expired_steps,
    fail_step,
    finish_steps,
    record_event,
    renew_lease,
    replay_step,
)
from gateway.store.enums import DocumentStatus, MessageStatus, StepKind, StepState
from gateway.store.events import deferred_events, write_deferred_events
from gateway.store.models import Document, Message, Partner, Step
from gateway.store.steps import DISPATCH_GRACE
from gateway.store.types import utcnow

log = logging.getLogger("gateway.pipeline")

Handler = Callable[[Session, Step, Runtime], list[uuid.UUID]]

HANDLERS: dict[StepKind, Handler] = {
    StepKind.TRANSLATE: lambda s, step, rt: translate_message(s, step),
    StepKind.RENDER: render_outbound,
}
# Kinds whose handler takes the whole batch at once.
BatchHandler = Callable[[Session, list[Step], Runtime], list[uuid.UUID]]
BATCH_HANDLERS: dict[StepKind, BatchHandler] = {
    StepKind.SEND_ACK: lambda s, steps, rt: send_acknowledgments(s, steps),
}

# How many steps of one kind a task claims and runs together.
BATCH_SIZE = 16
# The kinds that run by the batch (the others are rare and run one by one).
BATCH_KINDS = (StepKind.TRANSLATE, StepKind.DELIVER_ERP, StepKind.SEND_ACK)
# A batch keeps this many of the steps it created to run itself and dispatches the rest, so
# every worker shares a big interchange instead of one delivering it while the others idle.
CHAIN_LIMIT = 2 * BATCH_SIZE
# A translate step whose message is larger than this runs alone, not in a batch: it may then
# commit its work in parts (see `translate_message`).
LARGE_MESSAGE = 256 * 1024
# How many ERP calls of a batch are in flight at once.
ERP_CONCURRENCY = 8
# A task that keeps finding full batches stops after this many and leaves the rest to the
# tasks dispatched for them (so one task does not hold its broker message for ever).
MAX_BATCHES_PER_TASK = 64


class LeaseLost(Exception):
    """Another worker took the step over (our lease expired): our work must not commit."""


# A batch: the steps of one kind claimed together, and the lease owner that holds them.
Batch = tuple[StepKind, list[uuid.UUID], str]
# What running a batch left: each step's new state (absent: not ours after all), the steps
# created and claimed to run next (by kind, with their owner), and the created steps left to
# dispatch.
Result = tuple[dict[uuid.UUID, StepState | None], list[Batch], list[uuid.UUID]]


def run_step(runtime: Runtime, step_id: uuid.UUID, *, chain: bool = True) -> StepState | None:
    """Run one step with whatever pending steps of its kind it can take along (and, with
    ``chain``, the steps they create, up to `CHAIN_LIMIT`; the others are dispatched). Returns
    the step's new state, or None when it was not ours to run (already done, or running
    elsewhere)."""
    owner = runtime.owner()
    with runtime.sessions.begin() as session:
        claimed = claim_batch(
            session,
            step_id=step_id,
            owner=owner,
            lease_seconds=runtime.lease_seconds,
            limit=BATCH_SIZE,
            kinds=BATCH_KINDS,
        )
    first_state: StepState | None = None
    queue = _batches(claimed, owner)
    # a full batch of pending steps says there may be more: claim again when done
    backlog = claimed[-1][1] if len(claimed) >= BATCH_SIZE else None
    rounds = 1
    while queue:
        kind, ids, batch_owner = queue.pop(0)
        with log_context(step=kind.value):
            states, chained, rest = _run_batch(runtime, kind, ids, batch_owner, chain=chain)
        if step_id in states:
            first_state = states[step_id]
        queue.extend(chained)
        if rest:
            _dispatch_rest(runtime, rest)
        if not queue and backlog is not None and rounds < MAX_BATCHES_PER_TASK:
            owner = runtime.owner()
            with runtime.sessions.begin() as session:
                claimed = claim_batch(
                    session,
                    step_id=None,
                    kind=backlog,
                    owner=owner,
                    lease_seconds=runtime.lease_seconds,
                    limit=BATCH_SIZE,
                    kinds=BATCH_KINDS,
                )
            rounds += 1
            queue = _batches(claimed, owner)
            backlog = backlog if len(claimed) >= BATCH_SIZE else None
    return first_state


def run_steps(runtime: Runtime, step_ids: Sequence[uuid.UUID]) -> int:
    """Run steps sent together (the web tier's `BatchingDispatcher`): the first as `run_step`
    runs one, which takes the pending steps of its kind along; then, of the others, only those
    still free - read in one statement - instead of a claim transaction for each that the
    first batch already took. One that fails unexpectedly does not keep the others from
    running; it is left to the sweeper, as when `run_step` fails on its own. Returns how many
    of them this call ran."""
    ran = 0
    left = list(step_ids)
    while left:
        step_id, *left = left
        try:
            if run_step(runtime, step_id) is not None:
                ran += 1
        except Exception:
            log.exception("step %s failed unexpectedly; the sweeper will retry it", step_id)
        if left:
            try:
                with runtime.sessions() as session:
                    left = claimable_steps(session, step_ids=left)
            except Exception:  # the database is away: the sweeper dispatches them later
                log.exception("could not read which of %d steps are free", len(left))
                return ran
    return ran


def _batches(claimed: Sequence[tuple[uuid.UUID, StepKind]], owner: str) -> list[Batch]:
    by_kind: dict[StepKind, list[uuid.UUID]] = {}
    for step_id, kind in claimed:
        by_kind.setdefault(kind, []).append(step_id)
    return [(kind, ids, owner) for kind, ids in by_kind.items()]


def _dispatch_rest(runtime: Runtime, rest: list[uuid.UUID]) -> None:
    """Dispatch created steps this task does not run: one task per `BATCH_SIZE` of each kind
    (each claims a batch of its kind, and claims again while it finds full ones)."""
    with runtime.sessions() as session:
        rows = session.execute(select(Step.id, Step.kind).where(Step.id.in_(rest)))
        kinds: dict[uuid.UUID, StepKind] = {row[0]: row[1] for row in rows}
    by_kind: dict[StepKind, list[uuid.UUID]] = {}
    for step_id in rest:  # in the order they were created
        by_kind.setdefault(kinds.get(step_id, StepKind.RENDER), []).append(step_id)
    # a kind that does not run by the batch needs a task per step (as does one not found)
    runtime.dispatcher.dispatch(
        [
            step_id
            for kind, ids in by_kind.items()
            for step_id in (ids[::BATCH_SIZE] if kind in BATCH_KINDS else ids)
        ]
    )


def _run_batch(
    runtime: Runtime, kind: StepKind, ids: list[uuid.UUID], owner: str, *, chain: bool
) -> Result:
    if len(ids) > 1 and kind == StepKind.DELIVER_ERP:
        return _deliver_batch(runtime, ids, owner, chain=chain)
    if len(ids) > 1 and kind in (StepKind.TRANSLATE, StepKind.SEND_ACK):
        try:
            return _handle_batch(runtime, kind, ids, owner, chain=chain)
        except Exception as exc:  # one at a time, so what failed fails alone
            log.info(
                "a batch of %d %s steps failed (%s); running them one by one",
                len(ids),
                kind.value,
                exc,
            )
    return _one_by_one(runtime, kind, ids, owner, chain=chain)


def _one_by_one(
    runtime: Runtime, kind: StepKind, ids: list[uuid.UUID], owner: str, *, chain: bool
) -> Result:
    states: dict[uuid.UUID, StepState | None] = {}
    chained: list[Batch] = []
    rest: list[uuid.UUID] = []
    for step_id in ids:
        with log_context(step_id=str(step_id)):
            state, more, left = _run_one(runtime, step_id, kind, owner, chain=chain)
        states[step_id] = state
        chained += more
        rest += left
    return states, chained, rest


def _run_one(
    runtime: Runtime, step_id: uuid.UUID, kind: StepKind, owner: str, *, chain: bool
) -> tuple[StepState | None, list[Batch], list[uuid.UUID]]:
    """Run one claimed step; its failure is recorded on it alone."""
    try:
        if kind == StepKind.DELIVER_ERP:
            return _deliver(runtime, step_id, owner, chain=chain)
        if kind == StepKind.DELIVER_PARTNER:
            return _deliver_partner(runtime, step_id, owner, chain=chain)
        return _handle(runtime, step_id, kind, owner, chain=chain)
    except Exception as exc:
        return _settle(runtime, step_id, owner, exc), [], []


def _settle(
    runtime: Runtime, step_id: uuid.UUID, owner: str, exc: BaseException
) -> StepState | None:
    """Record how a step ended that did not finish: lease lost, waiting, failed."""
    if isinstance(exc, LeaseLost):
        log.warning("lease lost on step %s; its work was rolled back", step_id)
        return None
    if isinstance(exc, StepWaits):
        with runtime.sessions.begin() as session:
            defer_step(session, step_id=step_id, owner=owner, until=exc.until, reason=str(exc))
        return StepState.WAITING
    if isinstance(exc, StepFailed):
        return _failed(runtime, step_id, owner, str(exc), exc.retryable)
    # an unexpected error is retried, and kept for the operator
    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    log.error("step %s failed unexpectedly", step_id, exc_info=exc)
    return _failed(runtime, step_id, owner, f"internal error: {detail}", True)


def _finish(
    session: Session,
    runtime: Runtime,
    step_ids: list[uuid.UUID],
    owner: str,
    created: list[uuid.UUID],
    *,
    chain: bool,
) -> Result:
    """Finish the steps in the handler's transaction and, when chaining, claim the first
    `CHAIN_LIMIT` steps they created in the same commit: a step that runs right after its
    parent needs no transaction to claim it. Its attempt is counted and its lease taken as for
    any claim, so a worker that dies before running it leaves a step the sweeper retries once
    the lease runs out."""
    done = finish_steps(session, step_ids=step_ids, owner=owner)
    if len(done) != len(step_ids):
        lost = [str(s) for s in step_ids if s not in done]
        raise LeaseLost(f"step(s) {', '.join(lost)} were taken over")
    chained: list[Batch] = []
    rest = created
    if chain and created:
        next_owner = runtime.owner()
        claimed = claim_steps(
            session,
            step_ids=created[:CHAIN_LIMIT],
            owner=next_owner,
            lease_seconds=runtime.lease_seconds,
        )
        chained = _batches(claimed, next_owner)
        rest = created[CHAIN_LIMIT:]
    return dict.fromkeys(step_ids, StepState.DONE), chained, rest


def _step_query(*, with_payload: bool) -> Select[Step]:
    query: Select[Step] = (
        select(Step)
        .join(Step.message)
        .outerjoin(Step.document)
        .where(Step.id.in_(bindparam("step_ids", expanding=True)))
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
_PARTNERS = select(Partner).where(Partner.id.in_(bindparam("partner_ids", expanding=True)))
# translate reads the payload, and so does POSTing a cXML message to a partner (the 997 step
# mostly finds the translation's reading, and loads the payload itself when it does not)
_PAYLOAD_KINDS = frozenset({StepKind.TRANSLATE, StepKind.DELIVER_PARTNER})


def _load_steps(session: Session, step_ids: list[uuid.UUID], kind: StepKind) -> list[Step]:
    """The steps, each with its message, its document and (for the steps that read it) its
    payload, in one query, in the order of `step_ids`; and their messages' partners in a
    second (each partner once, where joined it came back - JSON columns and all - on every
    row).

    Every handler reads those rows; loaded together they sit in the session's identity map,
    where `step.message`, `step.document` and `session.get(Partner, ...)` find them without a
    statement of their own (up to five round trips and ORM loads became two for a whole
    batch). The identity map holds objects weakly: the partners are kept in `session.info`
    while the session lives."""
    query = _STEP_WITH_PAYLOAD if kind in _PAYLOAD_KINDS else _STEP
    steps = session.execute(query, {"step_ids": step_ids}).scalars().all()
    # the partners once each, not once a step row (a batch is mostly one or two partners')
    partner_ids = {step.message.partner_id for step in steps} - {None}
    session.info["step_partners"] = (
        session.execute(_PARTNERS, {"partner_ids": list(partner_ids)}).scalars().all()
        if partner_ids
        else []
    )
    found = {step.id: step for step in steps}
    missing = [s for s in step_ids if s not in found]
    assert not missing, f"step(s) {missing} vanished while claimed"
    return [found[s] for s in step_ids]


def _handle(
    runtime: Runtime, step_id: uuid.UUID, kind: StepKind, owner: str, *, chain: bool
) -> tuple[StepState | None, list[Batch], list[uuid.UUID]]:
    states, chained, rest = _handle_batch(runtime, kind, [step_id], owner, chain=chain)
    return states[step_id], chained, rest


def _handle_batch(
    runtime: Runtime, kind: StepKind, ids: list[uuid.UUID], owner: str, *, chain: bool
) -> Result:
    """Run the steps' handlers and finish them in one transaction (all or nothing) - except a
    translate step run alone, which may commit a large message in parts (`CHUNK_COMMIT`). A
    batch of translate steps leaves its large messages out and runs each of them alone after."""
    handler = HANDLERS.get(kind)
    batch_handler = BATCH_HANDLERS.get(kind)
    if handler is None and batch_handler is None:
        raise StepFailed(f"no handler for step kind {kind}", retryable=False)
    alone: list[uuid.UUID] = []
    with runtime.sessions() as session:  # committed below, rolled back if anything raises
        created: list[uuid.UUID] = []
        steps = _load_steps(session, ids, kind)
        if kind == StepKind.TRANSLATE and len(steps) == 1:
            session.info[CHUNK_COMMIT] = _chunk_commit(session, runtime, ids[0], owner)
        elif kind == StepKind.TRANSLATE:
            alone = [s.id for s in steps if s.message.size > LARGE_MESSAGE]
            if alone:
                steps = [s for s in steps if s.id not in alone]
                ids = [s.id for s in steps]
        with deferred_events(session), batched_sets(session) as writer:
            if batch_handler is not None:
                created += batch_handler(session, steps, runtime)
            else:
                assert handler is not None
                for step in steps:
                    with log_context(step_id=str(step.id), message_id=str(step.message_id)):
                        created += handler(session, step, runtime)
        created = writer.resolve(created)
        result = _finish(session, runtime, ids, owner, created, chain=chain)
        session.commit()
    if alone:  # their lease is ours: run each in a transaction (or parts) of its own
        states, chained, rest = result
        more_states, more_chained, more_rest = _one_by_one(runtime, kind, alone, owner, chain=chain)
        result = states | more_states, chained + more_chained, rest + more_rest
    return result


def _chunk_commit(
    session: Session, runtime: Runtime, step_id: uuid.UUID, owner: str
) -> Callable[[list[uuid.UUID]], None]:
    """Commit a translate step's work so far - only while the step's lease is ours, checked by
    compare-and-set on the step row in the same transaction (which also extends the lease) -
    then dispatch the steps it created: one task per `BATCH_SIZE` of them, as `_dispatch_rest`
    does (each claims a batch, and claims again while it finds full ones)."""

    def commit(created: list[uuid.UUID]) -> None:
        write_deferred_events(session)
        if not renew_lease(
            session, step_id=step_id, owner=owner, lease_seconds=runtime.lease_seconds
        ):
            raise LeaseLost(f"step {step_id} was taken over")
        session.commit()
        log.info("committed a part of step %s: %d steps created", step_id, len(created))
        if created:
            runtime.dispatcher.dispatch(created[::BATCH_SIZE])

    return commit


def _deliver(
    runtime: Runtime, step_id: uuid.UUID, owner: str, *, chain: bool
) -> tuple[StepState | None, list[Batch], list[uuid.UUID]]:
    """Read, call the ERP with no transaction open, then record the outcome and finish."""
    with runtime.sessions.begin() as session:
        (step,) = _load_steps(session, [step_id], StepKind.DELIVER_ERP)
        prepared = prepare_delivery(session, step)
        if prepared is None:
            states, chained, rest = _finish(session, runtime, [step_id], owner, [], chain=chain)
            return states[step_id], chained, rest
    outcome = call_erp(prepared, runtime)
    return _apply_one(runtime, step_id, owner, prepared, outcome, chain=chain)


def _apply_one(
    runtime: Runtime,
    step_id: uuid.UUID,
    owner: str,
    prepared: PreparedDelivery,
    outcome: DeliveryOutcome,
    *,
    chain: bool,
) -> tuple[StepState | None, list[Batch], list[uuid.UUID]]:
    with runtime.sessions.begin() as session:
        # what the writes need was read before the call: no row is loaded again
        created = apply_deliveries(session, [(prepared, outcome)])
        states, chained, rest = _finish(session, runtime, [step_id], owner, created, chain=chain)
        return states[step_id], chained, rest


@cache
def _erp_calls() -> ThreadPoolExecutor:
    """The threads a worker process calls ERPs on (made on first use, after the fork)."""
    return ThreadPoolExecutor(max_workers=ERP_CONCURRENCY, thread_name_prefix="erp-call")


def _deliver_batch(runtime: Runtime, ids: list[uuid.UUID], owner: str, *, chain: bool) -> Result:
    """Deliver a batch: read every document in one transaction, call the ERP for them all at
    once (each call with its own idempotency key, no transaction open), then record the
    deliveries and finish the steps in one transaction. A step whose call failed is failed or
    deferred alone; if recording the batch fails, each delivery is recorded on its own."""
    prepared: dict[uuid.UUID, PreparedDelivery] = {}
    settled: dict[uuid.UUID, BaseException] = {}
    nothing_to_do: list[uuid.UUID] = []
    try:
        with runtime.sessions.begin() as session:
            for step in _load_steps(session, ids, StepKind.DELIVER_ERP):
                try:
                    ready = prepare_delivery(session, step)
                except StepFailed as exc:
                    settled[step.id] = exc
                    continue
                if ready is None:
                    nothing_to_do.append(step.id)
                else:
                    prepared[step.id] = ready
    except Exception as exc:
        log.info("reading a batch of %d deliveries failed (%s); one by one", len(ids), exc)
        return _one_by_one(runtime, StepKind.DELIVER_ERP, ids, owner, chain=chain)

    def call(step_id: uuid.UUID) -> DeliveryOutcome | BaseException:
        with log_context(step_id=str(step_id)):
            try:
                return call_erp(prepared[step_id], runtime)
            except Exception as exc:
                return exc

    outcomes = dict(zip(prepared, _erp_calls().map(call, prepared), strict=True))
    delivered = [
        (step_id, prepared[step_id], o)
        for step_id, o in outcomes.items()
        if isinstance(o, DeliveryOutcome)
    ]
    settled.update((s, o) for s, o in outcomes.items() if not isinstance(o, DeliveryOutcome))

    states: dict[uuid.UUID, StepState | None] = {}
    chained: list[Batch] = []
    rest: list[uuid.UUID] = []
    finishing = [s for s, _, _ in delivered] + nothing_to_do
    if finishing:
        try:
            with runtime.sessions.begin() as session:
                created = apply_deliveries(session, [(p, o) for _, p, o in delivered])
                states, chained, rest = _finish(
                    session, runtime, finishing, owner, created, chain=chain
                )
        except Exception as exc:  # record each on its own: the ERP is not called again
            log.info("recording %d deliveries failed (%s); one by one", len(finishing), exc)
            for step_id, p, o in delivered:
                try:
                    state, more, left = _apply_one(runtime, step_id, owner, p, o, chain=chain)
                except Exception as one:
                    state, more, left = _settle(runtime, step_id, owner, one), [], []
                states[step_id] = state
                chained += more
                rest += left
            for step_id in nothing_to_do:
                state, more, left = _run_one(
                    runtime, step_id, StepKind.DELIVER_ERP, owner, chain=chain
                )
                states[step_id] = state
    for step_id, failure in settled.items():
        states[step_id] = _settle(runtime, step_id, owner, failure)
    return states, chained, rest


def _deliver_partner(
    runtime: Runtime, step_id: uuid.UUID, owner: str, *, chain: bool
) -> tuple[StepState | None, list[Batch], list[uuid.UUID]]:
    """POST an outbound cXML message to the partner with no transaction open, then record the
    partner's Response and finish (or fail: retried or dead-lettered by its code)."""
    with runtime.sessions.begin() as session:
        (step,) = _load_steps(session, [step_id], StepKind.DELIVER_PARTNER)
        prepared = prepare_partner_delivery(session, step)
        if prepared is None:
            states, chained, rest = _finish(session, runtime, [step_id], owner, [], chain=chain)
            return states[step_id], chained, rest
    result = post_cxml(prepared.url, prepared.body)
    with runtime.sessions.begin() as session:
        posted = session.get(Step, step_id)
        assert posted is not None
        apply_partner_delivery(session, posted, result)
        states, chained, rest = _finish(session, runtime, [step_id], owner, [], chain=chain)
        return states[step_id], chained, rest


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
