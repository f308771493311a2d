"""The ERP adapter interface, what a delivery returns, and the errors an adapter raises.

An adapter hands one canonical document (a JSON-mode dict, see CONTRACT.md) to an ERP target
and says what happened: accepted (with the ERP's reference when it gives one), already had it
(the same ``document_id`` was delivered before: still a success), or an error that tells the
pipeline whether trying again can help::

    GatewayError
    └── ErpError                    target, document_id, status_code (when HTTP)
        ├── RetryableErpError       5xx, 429, timeouts, refused connections; retry_after
        │   └── CircuitOpenError    the target's circuit breaker is open; retry_at
        └── PermanentErpError       4xx (other than 409 and 429), bad configuration, a
                                    document the ERP cannot take; retrying will not help

Adapters map the errors of the libraries they use (httpx, OSError) to these at their boundary,
with ``raise ... from exc`` so the cause stays in the traceback. ``str()`` of an error is a
sentence an operator can act on and names the target and the document.

Every delivery carries the document id, and an adapter must make a second delivery of the same
id harmless (the webhook sends it as ``Idempotency-Key``, the folder adapter writes the same
file name, the demo ERP remembers what it processed): the pipeline delivers at least once, the
adapters turn that into exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from translators.errors import GatewayError


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What the ERP said about one document.

    ``reference`` is the ERP's own id for what it created (an order number, a URL, a file
    path), ``None`` when it gives none. ``already_had`` is true when the ERP already had this
    document id (a redelivery): the pipeline treats it as success. ``replies`` are canonical
    documents the ERP answers with, e.g. the demo ERP's ``order_ack`` for an ``order``; on a
    redelivery an adapter returns the same replies again, so a pipeline that crashed before
    storing them does not lose them (it keys them by the delivered document's id).
    """

    reference: str | None = None
    already_had: bool = False
    replies: list[dict[str, Any]] = field(default_factory=list)


@runtime_checkable
class ErpAdapter(Protocol):
    """Delivers canonical documents to one ERP target.

    ``name`` is the target's name (``erp add NAME``), used in errors, logs and as the circuit
    breaker key. ``test`` is true for documents from a test interchange or a partner still in
    testing, so an ERP can keep them apart from live business.
    """

    name: str

    def deliver(
        self,
        document: Mapping[str, Any],
        *,
        document_id: str,
        message_id: str,
        test: bool,
    ) -> DeliveryResult: ...


class ErpError(GatewayError):
    """Root of the errors of ERP delivery."""

    def __init__(
        self,
        message: str,
        *,
        target: str | None = None,
        document_id: str | None = None,
        status_code: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.target = target
        self.document_id = document_id
        self.status_code = status_code

    def __str__(self) -> str:
        where = []
        if self.target is not None:
            where.append(f"ERP target {self.target!r}")
        if self.document_id is not None:
            where.append(f"document {self.document_id}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class RetryableErpError(ErpError):
    """The ERP is unreachable or overloaded; the same delivery may succeed later.

    ``retry_after`` is how many seconds the ERP asked us to wait (``Retry-After``), or
    ``None`` to leave the delay to the pipeline's backoff.
    """

    def __init__(
        self,
        message: str,
        *,
        target: str | None = None,
        document_id: str | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, target=target, document_id=document_id, status_code=status_code)
        self.retry_after = retry_after


class CircuitOpenError(RetryableErpError):
    """Delivery was not attempted: the target's circuit breaker is open.

    The pipeline should park the step until ``retry_at`` (a Unix timestamp) without counting
    an attempt, since the document itself is not at fault.
    """

    def __init__(
        self,
        message: str,
        *,
        target: str | None = None,
        document_id: str | None = None,
        retry_at: float,
        now: float,
    ):
        super().__init__(
            message,
            target=target,
            document_id=document_id,
            retry_after=max(0.0, retry_at - now),
        )
        self.retry_at = retry_at


class PermanentErpError(ErpError):
    """The ERP refused the document, or the target is misconfigured; retrying will not help.

    The pipeline dead-letters the step with this message; an operator fixes the cause
    (configuration, mapping, the ERP side) and replays it.
    """
