"""What the web pages show, as plain data: every query the UI runs lives here (templates and
routes hold no SQL). Counts are aggregate queries over indexed columns (migration 0006), so
the dashboard stays fast with millions of documents.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from gateway.store.enums import Direction, StepState
from gateway.store.models import (
    Acknowledgment,
    AuditEntry,
    Document,
    ErpTarget,
    FunctionalGroup,
    Interchange,
    Message,
    Partner,
    Step,
    TransactionSet,
)
from gateway.store.types import utcnow
from translators.errors import SegmentError, UnusableInputError

#: How long after an 850 arrives its 855 is due, and how far back the dashboard looks.
CONFIRMATION_WINDOW = timedelta(hours=24)
LOOKBACK = timedelta(days=30)
ACK_LOOKBACK = timedelta(days=7)
CHART_DAYS = 14
LIST_LIMIT = 200
AT_RISK_CANDIDATES = 2000
#: channel metadata searched for AS2 Message-IDs and file names
META_KEYS = ("as2_message_id", "message_id", "file", "filename", "path")
META_SEARCH_DAYS = 90


def today_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


# -- trace ------------------------------------------------------------------------------------


def find_messages(session: Session, q: str, *, limit: int = LIST_LIMIT) -> list[uuid.UUID]:
    """Messages matching what an operator typed: a control number (ISA13, GS06, ST02), a PO,
    invoice or shipment number, an AS2 Message-ID or a file name; oldest first."""
    q = q.strip()
    if not q:
        return []
    found: dict[uuid.UUID, None] = {}

    def add(ids: Iterable[uuid.UUID | None]) -> None:
        for message_id in ids:
            if message_id is not None:
                found.setdefault(message_id, None)

    isa = [q, q.zfill(9)] if q.isdigit() and len(q) < 9 else [q]
    add(session.execute(select(Interchange.message_id).where(Interchange.isa13.in_(isa))).scalars())
    add(
        session.execute(
            select(Interchange.message_id)
            .join(FunctionalGroup, FunctionalGroup.interchange_id == Interchange.id)
            .where(FunctionalGroup.gs06 == q)
        ).scalars()
    )
    add(
        session.execute(
            select(Interchange.message_id)
            .join(FunctionalGroup, FunctionalGroup.interchange_id == Interchange.id)
            .join(TransactionSet, TransactionSet.group_id == FunctionalGroup.id)
            .where(TransactionSet.st02 == q)
        ).scalars()
    )
    add(
        session.execute(
            select(Document.message_id).where(
                or_(
                    Document.po_number == q, Document.invoice_number == q, Document.shipment_id == q
                )
            )
        ).scalars()
    )
    if not found:
        # AS2 Message-ID and file name live in the channel metadata, which has no index: they
        # are searched only when nothing else matched, among the last META_SEARCH_DAYS' messages.
        since = utcnow() - timedelta(days=META_SEARCH_DAYS)
        add(
            session.execute(
                select(Message.id)
                .where(
                    Message.received_at >= since,
                    or_(*(Message.channel_meta[key].as_string() == q for key in META_KEYS)),
                )
                .limit(limit)
            ).scalars()
        )
    ids = list(found)[: limit * 2]
    if not ids:
        return []
    rows = session.execute(
        select(Message.id).where(Message.id.in_(ids)).order_by(Message.received_at, Message.id)
    ).scalars()
    return list(rows)[:limit]


def message_rows(session: Session, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    if not ids:
        return []
    messages = (
        session.execute(
            select(Message)
            .where(Message.id.in_(ids))
            .options(selectinload(Message.documents), selectinload(Message.interchanges))
            .order_by(Message.received_at, Message.id)
        )
        .scalars()
        .all()
    )
    names = partner_names(session, {m.partner_id for m in messages if m.partner_id})
    return [
        {
            "id": m.id,
            "received_at": m.received_at,
            "direction": m.direction.value,
            "channel": m.channel.value,
            "status": m.status.value,
            "partner": names.get(m.partner_id) if m.partner_id else None,
            "partner_id": m.partner_id,
            "file": file_name(m.channel_meta),
            "isa13": ", ".join(ic.isa13 for ic in m.interchanges),
            "documents": [
                {
                    "type": d.document_type,
                    "po_number": d.po_number,
                    "invoice_number": d.invoice_number,
                    "shipment_id": d.shipment_id,
                }
                for d in m.documents
            ],
        }
        for m in messages
    ]


def file_name(meta: dict[str, Any]) -> str | None:
    for key in ("file", "filename", "path"):
        if isinstance(meta.get(key), str):
            return str(meta[key])
    return None


def partner_names(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(wanted))).all()
    return {pid: name for pid, name in rows}


def message_extras(session: Session, message: Message) -> dict[str, Any]:
    """What the message page shows beyond `tracing.message_detail`: the envelopes with each
    set's errors, the dead-lettered steps, the acknowledgments it carries."""
    sets: list[dict[str, Any]] = []
    for ic in message.interchanges:
        for group in ic.groups:
            sets.extend(
                {
                    "isa13": ic.isa13,
                    "gs06": group.gs06,
                    "st01": ts.st01,
                    "st02": ts.st02,
                    "accepted": ts.accepted,
                    "errors": list(ts.errors or []),
                }
                for ts in group.transaction_sets
            )
    dead = (
        session.execute(
            select(Step)
            .where(Step.message_id == message.id, Step.state == StepState.DEAD)
            .order_by(Step.updated_at)
        )
        .scalars()
        .all()
    )
    carried = (
        session.execute(select(Acknowledgment).where(Acknowledgment.message_id == message.id))
        .scalars()
        .all()
    )
    return {
        "envelopes": [
            {
                "isa13": ic.isa13,
                "sender": f"{ic.sender_qualifier}:{ic.sender_id}",
                "receiver": f"{ic.receiver_qualifier}:{ic.receiver_id}",
                "version": ic.version,
                "groups": [g.gs06 for g in ic.groups],
            }
            for ic in message.interchanges
        ],
        "sets": sets,
        "dead_steps": [
            {"id": s.id, "kind": s.kind.value, "attempts": s.attempts, "error": s.last_error}
            for s in dead
        ],
        "carried_acks": [
            {
                "kind": a.kind.value,
                "status": a.status.value,
                "acknowledges_message_id": a.acknowledges_message_id,
                "group_control_number": a.group_control_number,
            }
            for a in carried
        ],
        "file": file_name(message.channel_meta),
        "channel_meta": dict(message.channel_meta),
    }


# -- exceptions -------------------------------------------------------------------------------


def _cause(error: str | None) -> str:
    """Group errors by their gist: the text before the first detail (ids, numbers, values)."""
    if not error:
        return "(no error recorded)"
    first = error.strip().splitlines()[0]
    for sep in (": ", " ("):
        if sep in first:
            first = first.split(sep, 1)[0]
            break
    return first[:160]


def exceptions(session: Session, *, limit: int = 1000) -> dict[str, Any]:
    rows = session.execute(
        select(Step, Message.partner_id)
        .join(Message, Message.id == Step.message_id)
        .where(Step.state == StepState.DEAD)
        .order_by(Step.updated_at, Step.id)
        .limit(limit)
    ).all()
    names = partner_names(session, {pid for _, pid in rows if pid})
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for step, partner_id in rows:
        key = (step.kind.value, _cause(step.last_error))
        groups.setdefault(key, []).append(
            {
                "id": step.id,
                "message_id": step.message_id,
                "kind": step.kind.value,
                "attempts": step.attempts,
                "error": step.last_error,
                "updated_at": step.updated_at,
                "partner": names.get(partner_id) if partner_id else None,
            }
        )
    unknown = (
        session.execute(
            select(Message)
            .where(Message.partner_id.is_(None), Message.direction == Direction.INBOUND)
            .options(selectinload(Message.interchanges))
            .order_by(Message.received_at.desc())
            .limit(100)
        )
        .scalars()
        .all()
    )
    return {
        "groups": [
            {"kind": kind, "cause": cause, "steps": steps}
            for (kind, cause), steps in sorted(groups.items(), key=lambda kv: -len(kv[1]))
        ],
        "dead_count": len(rows),
        "unknown_senders": [
            {
                "id": m.id,
                "received_at": m.received_at,
                "status": m.status.value,
                "reason": m.status_reason,
                "file": file_name(m.channel_meta),
                "isa": [
                    {
                        "qualifier": ic.sender_qualifier,
                        "id": ic.sender_id,
                        "version": ic.version,
                        "isa13": ic.isa13,
                    }
                    for ic in m.interchanges
                ],
            }
            for m in unknown
        ],
    }


def unknown_sender_prefill(session: Session, message_id: uuid.UUID) -> dict[str, str]:
    """The wizard's identity fields from an unknown sender's message."""
    message = session.get(Message, message_id)
    if message is None or message.partner_id is not None or not message.interchanges:
        return {}
    ic = message.interchanges[0]
    group = ic.groups[0] if ic.groups else None
    return {
        "isa": f"{ic.sender_qualifier}:{ic.sender_id}",
        "gs_id": (group.gs02 or "") if group else "",
        "x12_version": (group.gs08 if group else "") or "",
    }


# -- dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    now: datetime

    @property
    def today(self) -> datetime:
        return today_start(self.now)

    @property
    def since(self) -> datetime:
        return self.now - LOOKBACK


def _docs_of_type(kind: str, since: datetime, until: datetime) -> Any:
    return and_(
        Document.document_type == kind,
        Document.created_at >= since,
        Document.created_at < until,
    )


def _without(kind: str, doc: Any, since: datetime) -> Any:
    """No document of `kind` for the same PO since `since` (bounding it lets PostgreSQL hash
    the recent ones instead of probing the index once per row)."""
    other = aliased(Document)
    return ~exists().where(
        other.po_number == doc.po_number, other.document_type == kind, other.created_at >= since
    )


def late_confirmations_query(w: Window) -> Any:
    return (
        select(Document)
        .where(
            _docs_of_type("order", w.since, w.now - CONFIRMATION_WINDOW),
            Document.direction == Direction.INBOUND,
            Document.po_number.is_not(None),
            _without("order_ack", Document, w.since),
        )
        .order_by(Document.created_at)
    )


def invoices_without_asn_query(w: Window) -> Any:
    return (
        select(Document)
        .where(
            _docs_of_type("invoice", w.since, w.now),
            Document.po_number.is_not(None),
            _without("ship_notice", Document, w.since - LOOKBACK),
        )
        .order_by(Document.created_at)
    )


def _at_risk_candidates(w: Window) -> Any:
    return (
        select(Document)
        .where(
            _docs_of_type("order_ack", w.since, w.now),
            Document.po_number.is_not(None),
            _without("ship_notice", Document, w.since),
        )
        .order_by(Document.created_at)
        .limit(AT_RISK_CANDIDATES)
    )


def promised_date(canonical: dict[str, Any]) -> date | None:
    """The earliest date an 855 promised: its lines' scheduled dates."""
    found: list[date] = []
    for line in canonical.get("lines") or []:
        value = line.get("scheduled_date") if isinstance(line, dict) else None
        if isinstance(value, str):
            try:
                found.append(date.fromisoformat(value[:10]))
            except ValueError:
                continue
    return min(found) if found else None


def shipments_at_risk(session: Session, w: Window) -> tuple[list[Document], bool]:
    """855s whose promised date passed without an 856, and whether the scan stopped at
    AT_RISK_CANDIDATES unshipped confirmations (then there may be more)."""
    today = w.now.date()
    candidates = list(session.execute(_at_risk_candidates(w)).scalars())
    late = [d for d in candidates if (p := promised_date(d.canonical)) is not None and p < today]
    return late, len(candidates) >= AT_RISK_CANDIDATES


def overdue_acks_query(session: Session, w: Window) -> list[Any]:
    """Outbound X12 not acknowledged within its partner's window: one query per distinct
    window (partners mostly share the default)."""
    by_window: dict[int, list[uuid.UUID]] = {}
    for partner_id, minutes in session.execute(select(Partner.id, Partner.ack_window_minutes)):
        by_window.setdefault(int(minutes or 0), []).append(partner_id)
    carried = aliased(Acknowledgment)
    answer = aliased(Acknowledgment)
    return [
        select(Message).where(
            Message.partner_id.in_(partner_ids),
            Message.direction == Direction.OUTBOUND,
            Message.received_at >= w.now - ACK_LOOKBACK,
            Message.received_at < w.now - timedelta(minutes=minutes),
            ~exists().where(carried.message_id == Message.id),
            ~exists().where(answer.acknowledges_message_id == Message.id),
        )
        for minutes, partner_ids in sorted(by_window.items())
    ]


def _count(session: Session, query: Any) -> int:
    return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def dashboard(session: Session, *, now: datetime | None = None) -> dict[str, Any]:
    w = Window(now or utcnow())
    per = session.execute(
        select(Message.partner_id, Document.document_type, func.count())
        .join(Message, Message.id == Document.message_id)
        .where(Document.created_at >= w.today)
        .group_by(Message.partner_id, Document.document_type)
    ).all()
    names = partner_names(session, {pid for pid, _, _ in per if pid})
    types = sorted({t for _, t, _ in per})
    table: dict[str, dict[str, Any]] = {}
    for pid, kind, n in per:
        row = table.setdefault(
            str(pid) if pid else "",
            {
                "partner_id": pid,
                "partner": names.get(pid, "?") if pid else "(unknown sender)",
                "counts": {},
            },
        )
        row["counts"][kind] = n
    overdue = sum(_count(session, q) for q in overdue_acks_query(session, w))
    at_risk, at_risk_capped = shipments_at_risk(session, w)
    chart = volume(session, w)
    targets = list(session.execute(select(ErpTarget.name).order_by(ErpTarget.name)).scalars())
    return {
        "computed_at": w.now,
        "today": w.today,
        "types": types,
        "by_partner": sorted(table.values(), key=lambda r: r["partner"]),
        "total_today": sum(n for _, _, n in per),
        "open_exceptions": int(
            session.execute(
                select(func.count()).select_from(Step).where(Step.state == StepState.DEAD)
            ).scalar_one()
        ),
        "unknown_senders": int(
            session.execute(
                select(func.count())
                .select_from(Message)
                .where(Message.partner_id.is_(None), Message.direction == Direction.INBOUND)
            ).scalar_one()
        ),
        "overdue_acks": overdue,
        "late_confirmations": _count(session, late_confirmations_query(w)),
        "shipments_at_risk": len(at_risk),
        "shipments_at_risk_capped": at_risk_capped,
        "invoices_without_asn": _count(session, invoices_without_asn_query(w)),
        "chart": chart,
        "erp_targets": targets,
    }


def volume(
    session: Session, w: Window, *, partner_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """Messages per day over the last CHART_DAYS days (one indexed range count per day), of
    one partner if given."""
    days = []
    for back in range(CHART_DAYS - 1, -1, -1):
        start = w.today - timedelta(days=back)
        end = start + timedelta(days=1)
        query = (
            select(func.count())
            .select_from(Message)
            .where(Message.received_at >= start, Message.received_at < end)
        )
        if partner_id is not None:
            query = query.where(Message.partner_id == partner_id)
        days.append({"day": start.date(), "count": int(session.execute(query).scalar_one())})
    return days


def partner_volume(session: Session, partner_id: uuid.UUID) -> list[dict[str, Any]]:
    return volume(session, Window(utcnow()), partner_id=partner_id)


LISTS = {
    "late-confirmations": "Orders without a confirmation (855) past the window",
    "shipments-at-risk": "Confirmed orders whose promised date passed without a ship notice",
    "invoices-without-asn": "Invoices without a ship notice (856)",
    "overdue-acks": "Sent documents not acknowledged (997) in time",
    "today": "Documents received or sent today",
}


def named_list(
    session: Session,
    name: str,
    *,
    partner_id: uuid.UUID | None = None,
    document_type: str | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The rows behind a dashboard number."""
    w = Window(now or utcnow())
    docs: list[Document]
    if name == "late-confirmations":
        docs = list(session.execute(late_confirmations_query(w).limit(LIST_LIMIT)).scalars())
    elif name == "invoices-without-asn":
        docs = list(session.execute(invoices_without_asn_query(w).limit(LIST_LIMIT)).scalars())
    elif name == "shipments-at-risk":
        docs = shipments_at_risk(session, w)[0][:LIST_LIMIT]
    elif name == "today":
        query = (
            select(Document)
            .join(Message, Message.id == Document.message_id)
            .where(Document.created_at >= w.today)
        )
        if partner_id is not None:
            query = query.where(Message.partner_id == partner_id)
        if document_type:
            query = query.where(Document.document_type == document_type)
        docs = list(
            session.execute(query.order_by(Document.created_at).limit(LIST_LIMIT)).scalars()
        )
    elif name == "overdue-acks":
        messages: list[Message] = []
        for q in overdue_acks_query(session, w):
            messages.extend(session.execute(q.limit(LIST_LIMIT)).scalars())
        return message_rows(session, [m.id for m in messages[:LIST_LIMIT]])
    else:
        return []
    return message_rows(session, list(dict.fromkeys(d.message_id for d in docs)))


# -- partners ---------------------------------------------------------------------------------


def partner_activity(session: Session, partner_id: uuid.UUID, *, limit: int = 50) -> list[Any]:
    ids = list(
        session.execute(
            select(Message.id)
            .where(Message.partner_id == partner_id)
            .order_by(Message.received_at.desc())
            .limit(limit)
        ).scalars()
    )
    return sorted(message_rows(session, ids), key=lambda r: r["received_at"], reverse=True)


def ack_timeliness(session: Session, partner_id: uuid.UUID, window_minutes: int) -> dict[str, Any]:
    """Of what we sent this partner in the last 30 days: acknowledged in time, late, missing."""
    since = utcnow() - LOOKBACK
    sent = session.execute(
        select(Message.id, Message.received_at).where(
            Message.partner_id == partner_id,
            Message.direction == Direction.OUTBOUND,
            Message.received_at >= since,
            ~exists().where(Acknowledgment.message_id == Message.id),
        )
    ).all()
    if not sent:
        return {"sent": 0, "on_time": 0, "late": 0, "missing": 0}
    first_ack = dict(
        session.execute(
            select(Acknowledgment.acknowledges_message_id, func.min(Acknowledgment.created_at))
            .where(Acknowledgment.acknowledges_message_id.in_([m for m, _ in sent]))
            .group_by(Acknowledgment.acknowledges_message_id)
        ).all()
    )
    window = timedelta(minutes=window_minutes)
    on_time = late = missing = 0
    for message_id, at in sent:
        acked = first_ack.get(message_id)
        if acked is None:
            missing += 1
        elif acked - at <= window:
            on_time += 1
        else:
            late += 1
    return {"sent": len(sent), "on_time": on_time, "late": late, "missing": missing}


def erp_target_names(session: Session) -> list[str]:
    return list(session.execute(select(ErpTarget.name).order_by(ErpTarget.name)).scalars())


def recent_audit(session: Session, *, limit: int = 50) -> list[AuditEntry]:
    return list(
        session.execute(select(AuditEntry).order_by(AuditEntry.at.desc()).limit(limit)).scalars()
    )


# -- onboarding test upload -------------------------------------------------------------------


def validation_report(data: bytes) -> dict[str, Any]:
    """A readable report of a sample file: each set accepted or not, and every error with its
    segment, element and what was expected (the translators' validator)."""
    from translators.x12.translate import Document as Translated
    from translators.x12.translate import Problem, translate

    rows: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    try:
        for item in translate(io.BytesIO(data)):
            if isinstance(item, Translated):
                documents.append(
                    {
                        "type": item.data.get("document_type"),
                        "st02": item.transaction_set.control_number,
                        "po_number": item.data.get("po_number"),
                    }
                )
            elif isinstance(item, Problem):
                err = item.error
                row: dict[str, Any] = {"severity": item.severity, "message": item.message}
                if isinstance(err, SegmentError):
                    row.update(
                        segment=f"{err.segment_position} ({err.segment_id})",
                        element=(
                            f"{err.segment_id}{err.element_position:02d}"
                            if err.element_position is not None
                            else None
                        ),
                        expected=err.message,
                        value=err.bad_value,
                    )
                rows.append(row)
    except UnusableInputError as exc:
        return {"ok": False, "unusable": str(exc), "problems": [], "documents": []}
    ok = bool(documents) and not any(r["severity"] == "error" for r in rows)
    return {"ok": ok, "unusable": None, "problems": rows, "documents": documents}
