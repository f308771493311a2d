"""Prometheus metrics, read from the database at scrape time.

The database is the source of truth and every process writes to it, so the web process can
report for the whole gateway - workers on other hosts included - without a push gateway or
multiprocess files: documents by type and status, steps by kind and state (dead letters are
`state="dead"`), retries spent, the age of the oldest step waiting to run (queue lag) and
intake-to-delivered latency of the last hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gateway.store.enums import MessageStatus, StepState
from gateway.store.models import Document, Message, Step
from gateway.store.types import utcnow


class StoreCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session]):
        self._sessions = sessions

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        with self._sessions() as session:
            docs = GaugeMetricFamily(
                "gateway_documents",
                "Documents by type, direction and status",
                labels=["document_type", "direction", "status"],
            )
            for doc_type, direction, status, count in session.execute(
                select(
                    Document.document_type, Document.direction, Document.status, func.count()
                ).group_by(Document.document_type, Document.direction, Document.status)
            ):
                docs.add_metric([doc_type, direction.value, status.value], count)
            yield docs
            steps = GaugeMetricFamily(
                "gateway_steps",
                "Pipeline steps by kind and state (state=dead: dead letters)",
                labels=["kind", "state"],
            )
            retries = GaugeMetricFamily(
                "gateway_step_retries", "Attempts beyond the first, by step kind", labels=["kind"]
            )
            spent: dict[str, int] = {}
            for step_kind, state, count, attempts in session.execute(
                select(Step.kind, Step.state, func.count(), func.sum(Step.attempts)).group_by(
                    Step.kind, Step.state
                )
            ):
                steps.add_metric([step_kind.value, state.value], count)
                extra = max(0, int(attempts or 0) - count)
                spent[step_kind.value] = spent.get(step_kind.value, 0) + extra
            for kind, extra in spent.items():
                retries.add_metric([kind], extra)
            yield steps
            yield retries
            oldest = session.execute(
                select(func.min(Step.created_at)).where(
                    Step.state.in_([StepState.PENDING, StepState.FAILED]),
                )
            ).scalar_one_or_none()
            lag = GaugeMetricFamily(
                "gateway_queue_lag_seconds", "Age of the oldest step waiting to run"
            )
            lag.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
            yield lag
            since = now - timedelta(hours=1)
            durations = sorted(
                (updated - received).total_seconds()
                for received, updated in session.execute(
                    select(Message.received_at, Message.updated_at).where(
                        Message.status == MessageStatus.DELIVERED, Message.received_at >= since
                    )
                )
            )
            latency = GaugeMetricFamily(
                "gateway_intake_to_delivered_seconds",
                "Intake-to-delivered time of messages received in the last hour",
                labels=["quantile"],
            )
            for q in (0.5, 0.99):
                value = (
                    durations[min(len(durations) - 1, int(q * len(durations)))]
                    if durations
                    else 0.0
                )
                latency.add_metric([str(q)], value)
            yield latency
            messages = GaugeMetricFamily(
                "gateway_messages",
                "Messages by direction and status",
                labels=["direction", "status"],
            )
            for direction, message_status, count in session.execute(
                select(Message.direction, Message.status, func.count()).group_by(
                    Message.direction, Message.status
                )
            ):
                messages.add_metric([direction.value, message_status.value], count)
            yield messages


def registry_for(sessions: sessionmaker[Session]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(sessions))
    return registry
