"""Fixtures of the integration suite: a migrated PostgreSQL database per test module, the
project's Redis (127.0.0.1:6379, or EDI_TEST_REDIS_URL) or a private redis-server, the test
ERP, and gateways made of real worker and beat processes that are always stopped afterwards.

Without PostgreSQL or Redis the tests are skipped, or fail when EDI_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from gateway.store import migrate
from tests.gateway.conftest import PostgresDatabases, services_required
from tests.gateway.integration.harness import ErpReceiver, Gateway, RedisServer

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _unavailable(reason: str) -> None:
    if services_required():
        pytest.fail(f"{reason} (EDI_REQUIRE_SERVICES is set: start it, e.g. with .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def database_url(postgres_databases: PostgresDatabases) -> str:
    """A throwaway PostgreSQL database migrated to head, for one test module."""
    url = postgres_databases.create()
    migrate(url)
    return url


@pytest.fixture(scope="session")
def project_redis() -> str:
    """The URL of the project's Redis. Tests share it with whatever else uses it: they use a
    queue and circuit-breaker keys of their own, delete them afterwards, and never flush it."""
    url = os.environ.get("EDI_TEST_REDIS_URL", DEFAULT_REDIS_URL)
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis is not reachable at {url}: {exc}")
    finally:
        client.close()
    return url


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server of this module's own, on a free port: the chaos test restarts and
    flushes it."""
    try:
        server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    except (RuntimeError, OSError) as exc:
        _unavailable(f"cannot start a private redis-server: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def erp_receiver() -> Iterator[ErpReceiver]:
    receiver = ErpReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


GatewayFactory = Callable[..., Gateway]


@pytest.fixture(scope="module")
def make_gateway(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayFactory]:
    """Builds gateways on this module's database; every process they started is stopped at
    the end, and what they left in a shared Redis (``shared=True``) is deleted."""
    made: list[tuple[Gateway, bool]] = []

    def make(*, broker_url: str, shared: bool = False, **kwargs: Any) -> Gateway:
        gateway = Gateway(
            database_url=database_url,
            broker_url=broker_url,
            directory=Path(tmp_path_factory.mktemp("gateway")),
            **kwargs,
        )
        made.append((gateway, shared))
        return gateway

    try:
        yield make
    finally:
        for gateway, shared in made:
            gateway.close()
            if shared:
                client = redis.Redis.from_url(gateway.broker_url, socket_timeout=5)
                try:
                    gateway.forget_redis_keys(client)
                finally:
                    client.close()
