"""Inbound steps: translate a message, deliver its documents to the ERP, acknowledge it.

Each handler runs inside the transaction that finishes its step, so its writes and the step's
`done` commit together: a handler that dies halfway leaves nothing behind, and the step runs
again from the start. Handlers return the ids of the steps they created, dispatched by the
runner after the commit.

The one exception is the translation of a large interchange (see `translate_message`): it
commits every `CHUNK_SETS` transaction sets, with their documents and ERP steps, so that they
are delivered while the rest is read; a retry skips the sets already there.
"""

from __future__ import annotations

import io
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from gateway.pipeline.reconcile import reconcile_functional_acks
from gateway.store import record_event, take_control_numbers
from gateway.store.enums import (
    AckKind,
    AckPreference,
    AckStatus,
    Channel,
    ControlNumberKind,
    Direction,
    DocumentStatus,
    MessageStatus,
    StepKind,
    StepState,
)
from gateway.store.events import record_events
from gateway.store.messages import insert_messages
from gateway.store.models import (
    Acknowledgment,
    Blob,
    Document,
    FunctionalGroup,
    Interchange,
    Message,
    Partner,
    Step,
    TransactionSet,
)
from gateway.store.sql import ignoring_conflicts, insert_rows
from gateway.store.steps import pending_step_row
from gateway.store.types import new_id, utcnow
from translators.errors import TranslatorError, UnusableInputError
from translators.x12 import interchange as x12
from translators.x12.acks import (
    AckOptions,
    acknowledge,
    acknowledged_groups,
    acknowledgment_due,
    group_status,
)
from translators.x12.translate import Document as TranslatedDocument
from translators.x12.translate import translate_events

_AK9_STATUS = {
    "A": AckStatus.ACCEPTED,
    "E": AckStatus.ACCEPTED_WITH_ERRORS,
    "P": AckStatus.PARTIALLY_ACCEPTED,
    "R": AckStatus.REJECTED,
}


class StepFailed(Exception):
    """A step cannot succeed as things are; ``retryable`` says whether trying later may help."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class StepWaits(Exception):
    """The step is blocked on something outside (an ERP circuit is open) until ``until``."""

    def __init__(self, reason: str, *, until: datetime):
        super().__init__(reason)
        self.until = until


def _payload(session: Session, message: Message) -> bytes:
    # the step's query loaded the blob with the message: found in the identity map
    blob = session.get(Blob, message.sha256)
    data = blob.data if blob is not None else None
    if data is None:
        raise StepFailed(
            f"payload {message.sha256} of message {message.id} is missing", retryable=False
        )
    return data


class _ReadInterchanges:
    """The interchanges of recently translated small payloads, by payload hash, for the 997
    step: it runs right after the translation, mostly in the same worker, and read each
    payload a second time. What translation makes of a payload depends on its bytes alone
    (a set the reader could not map is marked rejected on the spot), so a copy read here or
    again elsewhere is the same. Bounded; each entry is taken once."""

    MAX_ENTRIES = 512
    MAX_PAYLOAD = 64 * 1024

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, list[x12.Interchange]] = OrderedDict()

    def keep(self, sha256: str, size: int, interchanges: list[x12.Interchange]) -> None:
        if size > self.MAX_PAYLOAD:
            return
        with self._lock:
            self._entries[sha256] = interchanges
            while len(self._entries) > self.MAX_ENTRIES:
                self._entries.popitem(last=False)

    def take(self, sha256: str) -> list[x12.Interchange] | None:
        with self._lock:
            return self._entries.pop(sha256, None)


_READ = _ReadInterchanges()


def _interchanges(session: Session, message: Message) -> list[x12.Interchange]:
    """The message's interchanges as its translation left them: from `_READ`, else read and
    translated again (the sets' readers may reject what the syntax let through)."""
    kept = _READ.take(message.sha256)
    if kept is not None:
        return kept
    payload = io.BytesIO(_payload(session, message))
    return [
        ev.interchange
        for ev in translate_events(x12.read_interchanges(payload))
        if isinstance(ev, x12.InterchangeEnd)
    ]


def _business_keys(doc: dict[str, Any]) -> dict[str, str | None]:
    def key(name: str) -> str | None:
        value = doc.get(name)
        return str(value)[:200] if value else None

    po_number = key("po_number")
    orders = doc.get("orders")
    if po_number is None and isinstance(orders, list):
        # an 856 names its PO(s) per order level; the first one links it to the PO's chain
        first = next(
            (o.get("po_number") for o in orders if isinstance(o, dict) and o.get("po_number")), None
        )
        po_number = str(first)[:200] if first else None
    return {
        "po_number": po_number,
        "invoice_number": key("invoice_number"),
        "shipment_id": key("shipment_id"),
    }


class _SetWriter:
    """Writes a message's transaction sets, documents and their ERP steps by the batch.

    A 10 MB interchange holds about 1,700 of each: as ORM objects flushed one at a time they
    cost a unit-of-work pass and four round trips a document (8 of the 9.5 s its translate
    step took). Multi-row INSERTs of up to `BATCH` rows keep round trips few and memory
    bounded; it all still commits with the step, in the caller's transaction. A batch of
    translate steps shares one writer (`batched_sets`), so its small messages' rows go in
    the same few statements.
    """

    BATCH = 100

    def __init__(self, session: Session):
        self.session = session
        self.step_ids: list[uuid.UUID] = []
        # a message-level step that existed already: the id it was given -> the existing one
        self.existing: dict[uuid.UUID, uuid.UUID] = {}
        self._interchanges: list[dict[str, Any]] = []
        self._groups: list[dict[str, Any]] = []
        self._sets: list[dict[str, Any]] = []
        self._documents: list[dict[str, Any]] = []
        self._steps: list[dict[str, Any]] = []
        self._message_steps: list[dict[str, Any]] = []

    def add_interchange(self, row: dict[str, Any]) -> None:
        self._interchanges.append(row)

    def add_group(self, row: dict[str, Any]) -> None:
        self._groups.append(row)

    def add_message_step(self, message_id: uuid.UUID, kind: StepKind) -> uuid.UUID:
        """A step of the whole message (its 997), written at the next flush - or found there
        if the message has it already (`existing`); the id it will have."""
        row = pending_step_row(message_id=message_id, kind=kind, now=utcnow())
        self._message_steps.append(row)
        return cast(uuid.UUID, row["id"])

    def add(
        self,
        message_id: uuid.UUID,
        group_id: uuid.UUID,
        ts: x12.TransactionSet,
        documents: list[dict[str, Any]],
    ) -> None:
        set_id = new_id()
        self._sets.append(
            {
                "id": set_id,
                "group_id": group_id,
                "position": ts.position_in_group,
                "st01": ts.set_id[:35],
                "st02": ts.control_number[:35],
                "accepted": ts.accepted,
                "errors": [e.as_ack_error() | {"message": e.message} for e in ts.errors]
                + [{"message": str(e), "set_code": e.set_code} for e in ts.set_errors],
            }
        )
        now = utcnow()
        for data in documents:
            doc_id = new_id()
            document_type = str(data["document_type"])
            # a 997 that comes in is reconciled here, not sent to the ERP
            to_erp = document_type != "functional_ack"
            self._documents.append(
                {
                    "id": doc_id,
                    "message_id": message_id,
                    "transaction_set_id": set_id,
                    "direction": Direction.INBOUND,
                    "document_type": document_type,
                    "canonical": data,
                    "status": DocumentStatus.PENDING if to_erp else DocumentStatus.DELIVERED,
                    "erp_reference": None,
                    "created_at": now,
                    "updated_at": now,
                    **_business_keys(data),
                }
            )
            if to_erp:  # the row ensure_step would make: new documents have no step yet
                step = pending_step_row(
                    message_id=message_id,
                    kind=StepKind.DELIVER_ERP,
                    now=now,
                    document_id=doc_id,
                )
                self.step_ids.append(step["id"])
                self._steps.append(step)
        if len(self._sets) >= self.BATCH or len(self._documents) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        # Core INSERTs on the tables (one multi-row statement per batch): the ORM's bulk path
        # would process every row's values again on the way
        for model, rows in (
            (Interchange, self._interchanges),
            (FunctionalGroup, self._groups),
            (TransactionSet, self._sets),
            (Document, self._documents),
            (Step, self._steps),
        ):
            insert_rows(self.session, model, rows)
            rows.clear()
        if self._message_steps:
            self._write_message_steps(self._message_steps)
            self._message_steps.clear()

    def _write_message_steps(self, rows: list[dict[str, Any]]) -> None:
        """Insert the message-level steps, skipping those a message has already (a run that
        is not the first): their existing ids are recorded in `existing`."""
        connection = self.session.connection()
        statement = ignoring_conflicts(self.session, Step).returning(Step.id)
        written = set(connection.execute(statement, rows).scalars())
        missing = [row for row in rows if row["id"] not in written]
        if not missing:
            return
        found = {
            (message_id, kind): step_id
            for step_id, message_id, kind in connection.execute(
                select(Step.id, Step.message_id, Step.kind).where(
                    Step.message_id.in_([row["message_id"] for row in missing]),
                    Step.document_id.is_(None),
                )
            )
        }
        for row in missing:
            self.existing[row["id"]] = found[(row["message_id"], row["kind"])]

    def resolve(self, step_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        """The ids of created steps as they are in the database (after `flush`)."""
        return [self.existing.get(step_id, step_id) for step_id in step_ids]


_WRITER = "set_writer"


@contextmanager
def batched_sets(session: Session) -> Iterator[_SetWriter]:
    """The translate steps run in the block write their envelopes, sets, documents and steps
    through one writer, flushed at the end of the block (not if it raises: the transaction is
    rolled back anyway). The ids of the steps they created go through the writer's `resolve`
    after the block."""
    writer = _SetWriter(session)
    session.info[_WRITER] = writer
    try:
        yield writer
    finally:
        del session.info[_WRITER]
    writer.flush()


# The runner puts a `ChunkCommit` here when a translate step runs alone (its transaction holds
# no other step's work): called with the ids of the steps created since the last call, it
# commits the transaction so far - if the step's lease is still ours - and dispatches them.
CHUNK_COMMIT = "translate_chunk_commit"
ChunkCommit = Callable[[list[uuid.UUID]], None]
# A translation commits its work every this many transaction sets (when it may).
CHUNK_SETS = 150


class _Written:
    """What an earlier attempt of a translate step committed (its chunks): interchanges by
    position, groups by (interchange, position), sets by (group, position)."""

    def __init__(self, session: Session, message_id: uuid.UUID):
        connection = session.connection()
        self.interchanges: dict[int, uuid.UUID] = {
            position: ic_id
            for ic_id, position in connection.execute(
                select(Interchange.id, Interchange.position).where(
                    Interchange.message_id == message_id
                )
            )
        }
        self.groups: dict[tuple[uuid.UUID, int], uuid.UUID] = {}
        self.sets: set[tuple[uuid.UUID, int]] = set()
        if not self.interchanges:
            return
        for group_id, ic_id, position in connection.execute(
            select(FunctionalGroup.id, FunctionalGroup.interchange_id, FunctionalGroup.position)
            .join(Interchange, Interchange.id == FunctionalGroup.interchange_id)
            .where(Interchange.message_id == message_id)
        ):
            self.groups[(ic_id, position)] = group_id
        self.sets = {
            (group_id, position)
            for group_id, position in connection.execute(
                select(TransactionSet.group_id, TransactionSet.position)
                .join(FunctionalGroup, FunctionalGroup.id == TransactionSet.group_id)
                .join(Interchange, Interchange.id == FunctionalGroup.interchange_id)
                .where(Interchange.message_id == message_id)
            )
        }


def translate_message(session: Session, step: Step) -> list[uuid.UUID]:
    """Translate the payload: envelopes, sets and documents stored, one ERP step per document.

    A large interchange run alone (the runner offers a `ChunkCommit`) commits every
    `CHUNK_SETS` sets with their documents and ERP steps, which are dispatched at once: its
    first documents reach the ERP while the rest is still being read. Each part commits only
    while the step's lease is ours. A retry (after a crash between parts) reads the payload
    again and skips what the earlier attempt committed: envelope and set rows are unique by
    position, and a set's documents and steps were committed with it. What ends the step -
    the message's status, the `translated` event, reconciling the partner's 997s, the one
    SEND_ACK step for the whole message - is done once, after the whole payload was read, and
    commits with the step's `done`. Until then no delivery marks the message delivered
    (`finish_messages_if_complete` waits for its translate step)."""
    message = step.message
    payload = _payload(session, message)
    if message.channel_meta.get("format") in ("cxml", "xml"):
        from gateway.pipeline.cxml import translate_xml  # only XML messages need it

        return translate_xml(session, message, payload)
    # envelope rows go through the writer, ahead of the sets that refer to them; each
    # interchange keeps its id and the number of groups written so far
    interchanges: dict[int, tuple[uuid.UUID, list[int]]] = {}
    groups: dict[int, uuid.UUID] = {}
    accepted = rejected = 0
    shared = session.info.get(_WRITER)
    writer: _SetWriter = shared if shared is not None else _SetWriter(session)
    first_step = len(writer.step_ids)
    problems: list[str] = []
    commit_chunk: ChunkCommit | None = session.info.get(CHUNK_COMMIT)
    # only a retry can find rows of its own; a first attempt spends no statement looking
    written = _Written(session, message.id) if step.attempts > 1 else None
    resumed = written is not None and bool(written.sets)
    chunked = False
    unsaved = 0  # sets written since the last chunk commit
    ack_due = False  # an interchange gets a 997/999 or TA1 (not one of acknowledgments only)
    ended: list[x12.Interchange] = []  # for the 997 step (`_READ`)

    def group_row(ev_ic: x12.Interchange, ev_group: x12.Group) -> uuid.UUID:
        group_id = groups.get(id(ev_group))
        if group_id is None:
            ic_id, ic_groups = interchanges[id(ev_ic)]
            ic_groups[0] += 1
            gs = ev_group.gs
            found = written.groups.get((ic_id, ic_groups[0])) if written is not None else None
            if found is not None:  # committed by an earlier attempt
                groups[id(ev_group)] = found
                return found
            group_id = new_id()
            writer.add_group(
                {
                    "id": group_id,
                    "interchange_id": ic_id,
                    "position": ic_groups[0],
                    "gs01": ev_group.functional_id[:35],
                    "gs02": gs[2][:35] if len(gs) > 2 else None,
                    "gs03": gs[3][:35] if len(gs) > 3 else None,
                    "gs06": ev_group.control_number[:35],
                    "gs08": ev_group.version[:35],
                }
            )
            groups[id(ev_group)] = group_id
        return group_id

    try:
        events: Iterator[Any] = translate_events(x12.read_interchanges(io.BytesIO(payload)))
        rejected_sets = 0
        waiting: list[TranslatedDocument] = []
        functional_acks: list[dict[str, Any]] = []
        for item in events:
            if isinstance(item, x12.InterchangeStart):
                ic = item.interchange
                e = ic.isa.elements
                position = len(interchanges) + 1
                found = written.interchanges.get(position) if written is not None else None
                if found is not None:  # committed by an earlier attempt
                    interchanges[id(ic)] = (found, [0])
                    continue
                ic_id = new_id()
                writer.add_interchange(
                    {
                        "id": ic_id,
                        "message_id": message.id,
                        "position": position,
                        "isa13": ic.control_number[:35],
                        "sender_qualifier": e[4],
                        "sender_id": e[5][:35],
                        "receiver_qualifier": e[6],
                        "receiver_id": e[7][:35],
                        "version": e[11][:35],
                        "is_test": e[14] == "T",
                    }
                )
                interchanges[id(ic)] = (ic_id, [0])
            elif isinstance(item, x12.SetRead):
                ts = item.transaction_set
                group = group_row(item.interchange, item.group)
                if written is None or (group, ts.position_in_group) not in written.sets:
                    writer.add(message.id, group, ts, [pending.data for pending in waiting])
                    unsaved += 1
                accepted += len(waiting)
                if not ts.accepted:
                    rejected_sets += 1
                waiting.clear()
                if commit_chunk is not None and unsaved >= CHUNK_SETS:
                    # its first documents are on their way to the ERP: no longer just received
                    # (not delivered either while this step is unfinished)
                    message.status = MessageStatus.PROCESSING
                    writer.flush()
                    commit_chunk(writer.step_ids[first_step:])
                    first_step = len(writer.step_ids)
                    chunked, unsaved = True, 0
            elif isinstance(item, TranslatedDocument):
                # a set's document comes just before its SetRead: kept until the row exists
                waiting.append(item)
                if item.data.get("document_type") == "functional_ack":
                    functional_acks.append(item.data)
            elif isinstance(item, x12.GroupEnd):
                group_row(item.interchange, item.group)
            elif isinstance(item, x12.InterchangeEnd):
                ended.append(item.interchange)
                ack_due = ack_due or acknowledgment_due(item.interchange)
            elif hasattr(item, "severity") and item.severity == "error":
                problems.append(item.message)
        rejected = rejected_sets
    except UnusableInputError as exc:
        problems.append(str(exc))
        ended.clear()  # not read to the end: the 997 step reads for itself
    except TranslatorError as exc:
        problems.append(str(exc))
        ended.clear()
    if functional_acks:  # the partner's 997/999s close what we sent it
        reconcile_functional_acks(session, message, functional_acks)
    created = writer.step_ids[first_step:]
    if accepted and not rejected and not problems:
        message.status = MessageStatus.PROCESSING
    elif accepted:
        message.status = MessageStatus.PARTIALLY_REJECTED
    else:
        message.status = MessageStatus.REJECTED
    message.status_reason = "; ".join(problems[:20])[:4000] if problems else None
    record_event(
        session,
        message_id=message.id,
        kind="translated",
        detail={"documents": accepted, "rejected_sets": rejected, "problems": problems[:20]},
    )
    partner = session.get(Partner, message.partner_id) if message.partner_id else None
    if partner is not None and partner.ack_kind != AckPreference.NONE and ack_due:
        created.append(writer.add_message_step(message.id, StepKind.SEND_ACK))
        if ended:
            _READ.keep(message.sha256, message.size, ended)
    # (earlier parts' documents may still wait for the ERP)
    earlier = chunked or resumed
    if (
        not created
        and message.status == MessageStatus.PROCESSING
        and not (earlier and _documents_pending(session, message.id))
    ):
        message.status = MessageStatus.DELIVERED
    if shared is None:  # not in a batch: written now
        writer.flush()
        created = writer.resolve(created)
    return created


def _documents_pending(session: Session, message_id: uuid.UUID) -> bool:
    """Whether documents committed by earlier parts of this translation still wait for the ERP.
    The message row is locked first (as `finish_messages_if_complete` does): a delivery that
    finishes meanwhile either counted after this commit, or committed before this count."""
    connection = session.connection()
    connection.execute(_LOCK_MESSAGES, {"message_ids": [message_id]}).all()
    return connection.execute(_PENDING_DOCUMENT, {"message_id": message_id}).first() is not None


def send_acknowledgments(session: Session, steps: Sequence[Step]) -> list[uuid.UUID]:
    """The 997/999s (and TA1s) of a batch of messages, each stored as an outbound message in
    its partner's mailbox.

    Control numbers come from the partners' gap-free sequences: every payload is read first,
    so each partner's ISA and GS numbers are taken in one statement per sequence (partners in
    id order, so two batches lock the sequences in the same order and cannot deadlock), and
    only for interchanges that get a reply. The messages, their acknowledgment rows and the
    `acknowledged` events are written for the whole batch at once."""
    # each message that gets a reply: its partner, the kind asked for, the interchanges
    due: list[tuple[Message, Partner, str, list[x12.Interchange]]] = []
    for step in steps:
        message = step.message
        partner = session.get(Partner, message.partner_id) if message.partner_id else None
        if partner is None:
            continue
        interchanges = [ic for ic in _interchanges(session, message) if acknowledgment_due(ic)]
        if interchanges:
            kind = "999" if partner.ack_kind == AckPreference.FA_999 else "997"
            due.append((message, partner, kind, interchanges))
    if not due:
        return []
    # each interchange takes an ISA number, and a GS number for each group it acknowledges
    wanted: dict[uuid.UUID, list[int]] = {}
    for _message, partner, _kind, interchanges in due:
        counts = wanted.setdefault(partner.id, [0, 0])
        counts[0] += len(interchanges)
        counts[1] += sum(len(acknowledged_groups(ic)) for ic in interchanges)
    numbers: dict[tuple[uuid.UUID, ControlNumberKind], Iterator[int]] = {}
    for partner_id in sorted(wanted, key=str):
        for cn_kind, count in zip(
            (ControlNumberKind.ISA, ControlNumberKind.GS), wanted[partner_id], strict=True
        ):
            taken = take_control_numbers(session, partner_id=partner_id, kind=cn_kind, count=count)
            numbers[(partner_id, cn_kind)] = iter(taken)
    rows: list[dict[str, Any]] = []
    payloads: list[bytes] = []
    acked: list[list[tuple[str, str]]] = []
    for message, partner, kind, interchanges in due:
        texts: list[str] = []
        groups_acked: list[tuple[str, str]] = []
        for ic in interchanges:
            this_kind = kind if ic.isa.version >= "00501" else "997"
            groups = acknowledged_groups(ic)
            isa = next(numbers[(partner.id, ControlNumberKind.ISA)])
            gs = [next(numbers[(partner.id, ControlNumberKind.GS)]) for _ in groups]
            # one interchange's groups take consecutive numbers (its own run of the sequence)
            text, _used = acknowledge(ic, AckOptions(this_kind, isa), gs[0] if gs else 1)
            texts.append(text)
            groups_acked.extend((g.control_number, group_status(g)) for g in groups)
        rows.append(
            {
                "direction": Direction.OUTBOUND,
                "channel": Channel.API,
                "partner_id": partner.id,
                "channel_meta": {"kind": kind, "acknowledges": str(message.id)},
                "status": MessageStatus.PROCESSING,  # waiting in the partner's mailbox
            }
        )
        payloads.append("".join(texts).encode("utf-8"))
        acked.append(groups_acked)
    ack_ids = insert_messages(session, rows, payloads)
    ack_rows = [
        {
            "kind": AckKind(kind),
            "direction": Direction.OUTBOUND,
            "message_id": ack_id,
            "acknowledges_message_id": message.id,
            "group_control_number": control_number,
            "status": _AK9_STATUS.get(status, AckStatus.REJECTED),
        }
        for (message, _partner, kind, _ics), ack_id, groups_acked in zip(
            due, ack_ids, acked, strict=True
        )
        for control_number, status in groups_acked
    ]
    insert_rows(session, Acknowledgment, ack_rows)
    record_events(
        session,
        [
            {
                "message_id": message.id,
                "kind": "acknowledged",
                "detail": {
                    "kind": kind,
                    "ack_message_id": str(ack_id),
                    "groups": len(groups_acked),
                },
            }
            for (message, _partner, kind, _ics), ack_id, groups_acked in zip(
                due, ack_ids, acked, strict=True
            )
        ],
    )
    return []


def finish_message_if_complete(session: Session, message_id: uuid.UUID) -> None:
    """A message whose documents all reached the ERP is delivered (see
    `finish_messages_if_complete`)."""
    finish_messages_if_complete(session, [message_id])


def finish_messages_if_complete(session: Session, message_ids: Iterable[uuid.UUID]) -> None:
    """The messages whose documents all reached the ERP are delivered.

    Several workers deliver one message's documents at once; counting what is still pending
    without a lock, each would see the others' documents as pending (their transactions not
    yet committed) and the message would stay `processing` for good. The message rows are
    locked first (FOR NO KEY UPDATE: event inserts only take key-share locks on them; in id
    order, so two batches sharing messages do not deadlock), so the last of them counts after
    the others committed. A batch of deliveries locks each of its messages once, and checks
    them all in four statements whatever their number."""
    ids = sorted(set(message_ids))
    if not ids:
        return
    connection = session.connection()
    processing = [
        row[0]
        for row in connection.execute(_LOCK_MESSAGES, {"message_ids": ids})
        if row[1] == MessageStatus.PROCESSING
    ]
    if not processing:
        return
    # one pending document is enough to know (EXISTS stops there: reading all ~1,700
    # documents of a 10 MB interchange for each batch of its deliveries would not)
    pending = set(connection.execute(_WITH_PENDING, {"message_ids": processing}).scalars())
    complete = [m for m in processing if m not in pending]
    if complete:
        now = utcnow()
        connection.execute(_DELIVERED, {"message_ids": complete, "now": now})
        record_events(
            session, [{"message_id": m, "kind": "delivered", "at": now} for m in complete]
        )


# Built once: they run for every batch of deliveries.
_LOCK_MESSAGES = (
    select(Message.id, Message.status)
    .where(Message.id.in_(bindparam("message_ids", expanding=True)))
    .order_by(Message.id)
    .with_for_update(key_share=True)
)
# A message is not complete while a document waits for the ERP - or while its translate
# step has not finished: a large interchange commits (and delivers) its documents in parts.
# Each test is a subquery with LIMIT 1 run per message through its index (the documents' by
# message id, the steps' unique one by message and kind): as two EXISTS under an OR, the
# planner may run each once for the whole table instead ("hashed SubPlan") - a scan of every
# document and message-level step for each batch of deliveries, 7 ms on a table of 3,000
# documents where these take 0.4.
_WITH_PENDING = select(Message.id).where(
    Message.id.in_(bindparam("message_ids", expanding=True)),
    or_(
        select(Document.id)
        .where(
            Document.message_id == Message.id,
            Document.direction == Direction.INBOUND,
            Document.status == DocumentStatus.PENDING,
        )
        .limit(1)
        .scalar_subquery()
        .is_not(None),
        select(Step.id)
        .where(
            Step.message_id == Message.id,
            Step.document_id.is_(None),
            Step.kind == StepKind.TRANSLATE,
            Step.state != StepState.DONE,
        )
        .limit(1)
        .scalar_subquery()
        .is_not(None),
    ),
)
_PENDING_DOCUMENT = (
    select(Document.id)
    .where(
        Document.message_id == bindparam("message_id"),
        Document.direction == Direction.INBOUND,
        Document.status == DocumentStatus.PENDING,
    )
    .limit(1)
)
_DELIVERED = (
    update(Message)
    .where(Message.id.in_(bindparam("message_ids", expanding=True)))
    .values(status=MessageStatus.DELIVERED, updated_at=bindparam("now"))
)
