"""What the pipeline needs from the process it runs in, passed explicitly.

Services never import the Celery app or read global settings: the composition root (the CLI,
the ASGI factory, the Celery worker) builds one `Runtime` and hands it to them. Tests build
their own with an inline dispatcher.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker


class Dispatcher(Protocol):
    """Carries step ids to whoever runs them (a Celery queue, or the caller itself)."""

    def dispatch(self, step_ids: Sequence[uuid.UUID]) -> None: ...


class CollectingDispatcher:
    """Remembers dispatched step ids; tests and the inline runner drain it."""

    def __init__(self) -> None:
        self.pending: list[uuid.UUID] = []

    def dispatch(self, step_ids: Sequence[uuid.UUID]) -> None:
        self.pending.extend(step_ids)


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(slots=True)
class Runtime:
    sessions: sessionmaker[Session]
    dispatcher: Dispatcher
    erp: ErpGateway
    lease_seconds: float = 300.0
    identity: str = field(default_factory=worker_identity)
    # how long a steady sender's same-ISA13 resend still counts as a duplicate
    duplicate_window_days: int = 30
    on_event: Callable[[str, dict[str, object]], None] | None = None

    def owner(self) -> str:
        """A lease owner unique to one run of one step."""
        return f"{self.identity}:{uuid.uuid4().hex[:12]}"


class ErpGateway(Protocol):
    """Delivers a canonical document to the ERP target a partner routes to."""

    def deliver(
        self,
        *,
        target: ErpTargetInfo,
        document: dict[str, Any],
        document_id: str,
        message_id: str,
        test: bool,
    ) -> DeliveryOutcome: ...


@dataclass(frozen=True, slots=True)
class ErpTargetInfo:
    """An ERP target as the store holds it (the secret still encrypted)."""

    name: str
    kind: str
    config: dict[str, object]
    secret_encrypted: bytes | None


@dataclass(slots=True)
class DeliveryOutcome:
    reference: str | None
    already_had: bool = False
    replies: list[dict[str, Any]] = field(default_factory=list)
