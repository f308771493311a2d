"""The composition root's parts: one place that turns settings into a running `Runtime`."""

from __future__ import annotations

from functools import cache
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine

from gateway.erp.circuit import CircuitBreakers, deliver_guarded
from gateway.erp.registry import Adapters
from gateway.pipeline.runtime import DeliveryOutcome, Dispatcher, ErpTargetInfo, Runtime
from gateway.secretbox import SecretBox
from gateway.settings import Settings, get_settings
from gateway.store import make_engine, make_session_factory

_TARGET_TTL_SECONDS = 5.0


class StoreErpGateway:
    """Delivers to the ERP targets registered in the store (`edi-gateway erp add`), with one
    live adapter and one circuit breaker per target."""

    def __init__(self, box: SecretBox, breakers: CircuitBreakers, adapters: Adapters | None = None):
        self._box = box
        self._breakers = breakers
        self._adapters = adapters or Adapters()

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
        result = deliver_guarded(
            adapter,
            self._breakers.get(target.name),
            document,
            document_id=document_id,
            message_id=message_id,
            test=test,
        )
        return DeliveryOutcome(result.reference, result.already_had, list(result.replies))


@cache
def engine_for(url: str) -> Engine:
    return make_engine(url)


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
    )
