"""The composition root's parts: one place that turns settings into a running `Runtime`."""

from __future__ import annotations

import math
import os
import time
from functools import cache
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine

from gateway.erp.base import CircuitOpenError
from gateway.erp.circuit import CircuitBreakers, deliver_guarded
from gateway.erp.registry import Adapters
from gateway.pipeline.runtime import DeliveryOutcome, Dispatcher, ErpTargetInfo, Runtime
from gateway.secretbox import SecretBox
from gateway.settings import ConfigurationError, Settings, get_settings
from gateway.store import make_engine, make_session_factory

_TARGET_TTL_SECONDS = 5.0
DEFAULT_LEASE_SECONDS = 300.0
# A half-open breaker refuses other calls while its trial is in flight, until the trial's lease
# ends (a minute, for a worker that dies mid-trial). The trial's answer comes much sooner, so
# a delivery refused then comes back after this instead of idling a recovered ERP for a minute.
TRIAL_RECHECK_SECONDS = 2.0


class StoreErpGateway:
    """Delivers to the ERP targets registered in the store (`edi-gateway erp add`), with one
    live adapter and one circuit breaker per target."""

    def __init__(self, box: SecretBox, breakers: CircuitBreakers, adapters: Adapters | None = None):
        self._box = box
        self._breakers = breakers
        self._adapters = adapters or Adapters()

    @property
    def breakers(self) -> CircuitBreakers:
        """The targets' circuit breakers (the operator UI shows their state)."""
        return self._breakers

    def deliver(
        self,
        *,
        target: ErpTargetInfo,
        document: dict[str, Any],
        document_id: str,
        message_id: str,
        test: bool,
    ) -> DeliveryOutcome:
        adapter = self._adapters.get(
            kind=target.kind,
            name=target.name,
            config=target.config,
            secret=self._box.open(target.secret_encrypted),
        )
        breaker = self._breakers.get(target.name)
        try:
            result = deliver_guarded(
                adapter,
                breaker,
                document,
                document_id=document_id,
                message_id=message_id,
                test=test,
            )
        except CircuitOpenError as exc:
            if breaker.state == "open":  # cooling down: come back when it ends
                raise
            now = time.time()  # a trial is in flight, or has just closed the breaker
            raise CircuitOpenError(
                exc.message,
                target=exc.target,
                document_id=exc.document_id,
                retry_at=min(exc.retry_at, now + TRIAL_RECHECK_SECONDS),
                now=now,
            ) from exc
        return DeliveryOutcome(result.reference, result.already_had, list(result.replies))


@cache
def engine_for(url: str) -> Engine:
    return make_engine(url)


def lease_seconds() -> float:
    """How long a worker holds a step (``GATEWAY_LEASE_SECONDS``, default 300): the longest a
    step may run, and how long a step whose worker died waits before the sweeper retries it."""
    raw = os.environ.get("GATEWAY_LEASE_SECONDS", "").strip()
    if not raw:
        return DEFAULT_LEASE_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigurationError(
            f"GATEWAY_LEASE_SECONDS={raw!r}: expected a positive number of seconds",
            setting="lease_seconds",
        )
    return value


def build_runtime(*, dispatcher: Dispatcher, settings: Settings | None = None) -> Runtime:
    settings = settings or get_settings()
    sessions = make_session_factory(engine_for(settings.database_url))
    if settings.redis_url:
        # short timeouts, no retries: the breaker is advisory and must never stall a delivery
        client = redis.Redis.from_url(
            settings.redis_url,
            socket_timeout=0.5,
            socket_connect_timeout=0.5,
            retry=Retry(NoBackoff(), 0),
        )
        breakers = CircuitBreakers.with_redis(client)
    else:
        breakers = CircuitBreakers()
    box = SecretBox(settings.secret_key.get_secret_value())
    return Runtime(
        sessions=sessions,
        dispatcher=dispatcher,
        erp=StoreErpGateway(box, breakers),
        lease_seconds=lease_seconds(),
    )
