"""Circuit breakers with a fake clock, in memory and shared through the real Redis."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from gateway.erp.base import (
    CircuitOpenError,
    DeliveryResult,
    PermanentErpError,
    RetryableErpError,
)
from gateway.erp.circuit import (
    CircuitBreaker,
    CircuitBreakers,
    CircuitPolicy,
    CircuitSnapshot,
    CircuitState,
    MemoryCircuitState,
    RedisCircuitState,
    deliver_guarded,
)

T0 = 1_711_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


StateFactory = Callable[[str], CircuitState]


@pytest.fixture(params=["memory", "redis"])
def make_state(request: pytest.FixtureRequest) -> StateFactory:
    """Every transition test runs against both state stores: they must agree."""
    if request.param == "memory":
        return lambda target: MemoryCircuitState()
    client: redis.Redis = request.getfixturevalue("redis_client")
    prefix: str = request.getfixturevalue("redis_prefix")
    return lambda target: RedisCircuitState(client, target, prefix=prefix)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(make_state: StateFactory, clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("acme-erp", state=make_state("acme-erp"), clock=clock)


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        assert breaker.allow()
        breaker.record_failure()


def test_starts_closed(breaker: CircuitBreaker) -> None:
    assert breaker.state == "closed"
    assert breaker.allow()
    assert breaker.retry_at is None
    assert breaker.failures == 0


def test_opens_after_five_consecutive_failures(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 4)
    assert breaker.state == "closed" and breaker.failures == 4
    fail(breaker, 1)
    assert breaker.state == "open"
    assert breaker.retry_at == T0 + 30
    decision = breaker.check()
    assert (decision.allowed, decision.state, decision.retry_at) == (False, "open", T0 + 30)
    clock.advance(29.9)
    assert not breaker.allow()


def test_a_success_resets_the_count(breaker: CircuitBreaker) -> None:
    fail(breaker, 4)
    breaker.record_success()
    fail(breaker, 4)
    assert breaker.state == "closed"
    assert breaker.failures == 4


def test_half_open_lets_one_trial_through(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 5)
    clock.advance(30)
    assert breaker.state == "half_open"
    assert breaker.retry_at is None  # a trial may go now
    assert breaker.allow()  # this caller is the trial
    decision = breaker.check()  # everybody else waits for it
    assert (decision.allowed, decision.state) == (False, "half_open")
    assert decision.retry_at == T0 + 30 + 60  # the trial's lease
    assert breaker.retry_at == T0 + 90


def test_a_successful_trial_closes(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 5)
    clock.advance(30)
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == "closed"
    assert breaker.failures == 0
    assert breaker.allow() and breaker.allow()
    fail(breaker, 4)
    assert breaker.state == "closed"  # the count starts again from zero


def test_a_failed_trial_reopens_with_a_doubled_cooldown_up_to_five_minutes(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    fail(breaker, 5)
    cooldowns = []
    for _ in range(6):
        wait = breaker.retry_at
        assert wait is not None
        cooldowns.append(wait - clock.now)
        clock.now = wait
        assert breaker.allow()
        breaker.record_failure()
        assert breaker.state == "open"
    assert cooldowns == [30, 60, 120, 240, 300, 300]
    clock.now = breaker.retry_at or 0
    assert breaker.allow()
    breaker.record_success()
    fail(breaker, 5)
    assert breaker.retry_at == clock.now + 30  # back to the first cool-down


def test_a_lost_trial_is_given_up_after_its_lease(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 5)
    clock.advance(30)
    assert breaker.allow()  # the trial's worker dies and never reports
    clock.advance(59)
    assert not breaker.allow()
    clock.advance(1)
    assert breaker.allow()  # a new trial


def test_failures_reported_while_open_do_not_extend_it(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    fail(breaker, 5)
    clock.advance(10)
    breaker.record_failure()  # a call that started before the breaker opened
    assert breaker.retry_at == T0 + 30


def test_policy_is_configurable(make_state: StateFactory, clock: Clock) -> None:
    policy = CircuitPolicy(failure_threshold=2, cooldown_s=5, max_cooldown_s=8)
    breaker = CircuitBreaker("t", policy=policy, state=make_state("t"), clock=clock)
    fail(breaker, 2)
    assert breaker.retry_at == T0 + 5
    clock.advance(5)
    fail(breaker, 1)
    assert breaker.retry_at == clock.now + 8


def test_policy_is_validated() -> None:
    for bad in (
        {"failure_threshold": 0},
        {"cooldown_s": 0},
        {"cooldown_s": 10, "max_cooldown_s": 5},
        {"trial_timeout_s": 0},
    ):
        with pytest.raises(ValueError):
            CircuitPolicy(**bad)


def test_counting_is_thread_safe(clock: Clock) -> None:
    breaker = CircuitBreaker(
        "t", policy=CircuitPolicy(failure_threshold=10_000, cooldown_s=1), clock=clock
    )
    barrier = threading.Barrier(8)

    def hammer() -> None:
        barrier.wait()
        for _ in range(500):
            breaker.record_failure()

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert breaker.failures == 4000


def test_only_one_thread_gets_the_trial(clock: Clock) -> None:
    breaker = CircuitBreaker("t", clock=clock)
    fail(breaker, 5)
    clock.advance(30)
    barrier = threading.Barrier(8)
    allowed: list[bool] = []

    def ask() -> None:
        barrier.wait()
        allowed.append(breaker.allow())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(allowed) == [False] * 7 + [True]


def test_the_registry_keeps_one_breaker_per_target(clock: Clock) -> None:
    registry = CircuitBreakers(policy=CircuitPolicy(failure_threshold=1), clock=clock)
    a = registry.get("a")
    assert registry["a"] is a
    assert registry.get("b") is not a
    a.record_failure()
    assert registry.states() == {"a": "open", "b": "closed"}
    assert sorted(registry) == ["a", "b"]


# -- deliver_guarded ---------------------------------------------------------------------------


class ScriptedAdapter:
    """An adapter that raises or returns what each test lines up."""

    name = "scripted"

    def __init__(self, *outcomes: Exception | DeliveryResult):
        self.outcomes = list(outcomes)
        self.calls = 0

    def deliver(
        self, document: Mapping[str, Any], *, document_id: str, message_id: str, test: bool
    ) -> DeliveryResult:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def guarded(adapter: ScriptedAdapter, breaker: CircuitBreaker) -> DeliveryResult:
    return deliver_guarded(
        adapter, breaker, {"document_type": "order"}, document_id="d1", message_id="m1", test=False
    )


def test_deliver_guarded_waits_instead_of_calling_a_down_erp(clock: Clock) -> None:
    breaker = CircuitBreaker("scripted", clock=clock)
    down = RetryableErpError("503", status_code=503)
    adapter = ScriptedAdapter(*[down] * 5, DeliveryResult(reference="R1"))
    for _ in range(5):
        with pytest.raises(RetryableErpError) as caught:
            guarded(adapter, breaker)
        assert caught.value is down
    assert breaker.state == "open"

    clock.advance(10)
    with pytest.raises(CircuitOpenError) as waiting:
        guarded(adapter, breaker)
    assert adapter.calls == 5  # not attempted
    assert waiting.value.retry_at == T0 + 30
    assert waiting.value.retry_after == 20
    assert waiting.value.target == "scripted" and waiting.value.document_id == "d1"
    assert "circuit is open" in str(waiting.value)
    assert "2024-03-21T05:47:10+00:00" in str(waiting.value)

    clock.advance(20)
    assert guarded(adapter, breaker).reference == "R1"  # the trial call succeeds
    assert breaker.state == "closed"


def test_a_success_writes_to_the_state_only_when_a_failure_is_on_record(
    make_state: StateFactory, clock: Clock
) -> None:
    """Every delivery checks its breaker; on a healthy ERP the success has nothing to reset
    and costs no write (with Redis, a round trip a document). After a failure it resets."""
    resets: list[str] = []

    class Counting:
        def __init__(self, inner: CircuitState):
            self.inner = inner

        def acquire(
            self, *, now: float, policy: CircuitPolicy
        ) -> tuple[float | None, CircuitSnapshot]:
            return self.inner.acquire(now=now, policy=policy)

        def record_failure(self, *, now: float, policy: CircuitPolicy) -> None:
            self.inner.record_failure(now=now, policy=policy)

        def record_success(self) -> None:
            resets.append("reset")
            self.inner.record_success()

        def snapshot(self) -> CircuitSnapshot:
            return self.inner.snapshot()

    breaker = CircuitBreaker("scripted", state=Counting(make_state("scripted")), clock=clock)
    ok = DeliveryResult(reference="R")
    adapter = ScriptedAdapter(ok, ok, RetryableErpError("timeout"), ok, ok)
    guarded(adapter, breaker)
    guarded(adapter, breaker)
    assert resets == []
    with pytest.raises(RetryableErpError):
        guarded(adapter, breaker)
    assert breaker.failures == 1
    guarded(adapter, breaker)
    assert resets == ["reset"] and breaker.failures == 0
    guarded(adapter, breaker)
    assert resets == ["reset"]


def test_a_4xx_proves_the_erp_is_up_but_a_config_error_does_not(clock: Clock) -> None:
    breaker = CircuitBreaker("scripted", policy=CircuitPolicy(failure_threshold=2), clock=clock)
    adapter = ScriptedAdapter(
        RetryableErpError("timeout"),
        PermanentErpError("400", status_code=400),
        RetryableErpError("timeout"),
        PermanentErpError("bad url"),
    )
    with pytest.raises(RetryableErpError):
        guarded(adapter, breaker)
    with pytest.raises(PermanentErpError):
        guarded(adapter, breaker)
    assert breaker.failures == 0
    with pytest.raises(RetryableErpError):
        guarded(adapter, breaker)
    with pytest.raises(PermanentErpError):
        guarded(adapter, breaker)
    assert breaker.failures == 1


# -- Redis: one state for every worker ---------------------------------------------------------


@pytest.fixture
def two_workers(
    redis_client: redis.Redis, redis_prefix: str, clock: Clock
) -> Iterator[tuple[CircuitBreakers, CircuitBreakers]]:
    """Two registries, each with its own Redis connection, as two worker processes have."""
    other = redis.Redis(host="127.0.0.1", port=6379, decode_responses=True)
    try:
        yield (
            CircuitBreakers.with_redis(redis_client, prefix=redis_prefix, clock=clock),
            CircuitBreakers.with_redis(other, prefix=redis_prefix, clock=clock),
        )
    finally:
        other.close()


def test_workers_share_one_breaker_through_redis(
    two_workers: tuple[CircuitBreakers, CircuitBreakers],
    redis_client: redis.Redis,
    redis_prefix: str,
    clock: Clock,
) -> None:
    one, two = two_workers[0]["acme-erp"], two_workers[1]["acme-erp"]
    for breaker in (one, two, one, two):
        breaker.record_failure()
    assert one.failures == two.failures == 4
    two.record_failure()  # the fifth failure, seen by the other worker
    assert one.state == "open" and not one.allow()
    assert one.retry_at == two.retry_at == T0 + 30
    assert redis_client.exists(f"{redis_prefix}acme-erp")

    clock.advance(30)
    assert two.allow()  # worker two takes the trial...
    assert not one.allow()  # ...so worker one waits
    two.record_success()
    assert one.state == "closed" and one.allow()
    assert not redis_client.exists(f"{redis_prefix}acme-erp")  # closed leaves no key

    assert two_workers[0]["other-erp"].state == "closed"  # per target


def test_redis_keys_expire(redis_client: redis.Redis, redis_prefix: str, clock: Clock) -> None:
    breaker = CircuitBreaker(
        "t", state=RedisCircuitState(redis_client, "t", prefix=redis_prefix), clock=clock
    )
    breaker.record_failure()
    assert 0 < redis_client.ttl(f"{redis_prefix}t") <= RedisCircuitState.KEY_TTL_S


def test_the_default_key_is_gw_circuit_target(redis_client: redis.Redis) -> None:
    assert RedisCircuitState(redis_client, "acme-erp").key == "gw:circuit:acme-erp"


def test_an_unreachable_redis_lets_calls_through(
    refused_url: str, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    port = int(refused_url.rsplit(":", 1)[1].split("/")[0])
    client = redis.Redis(
        host="127.0.0.1", port=port, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
    )
    try:
        breaker = CircuitBreakers.with_redis(client, clock=clock)["t"]
        for _ in range(6):
            assert breaker.allow()
            breaker.record_failure()
        breaker.record_success()
        assert breaker.state == "closed"
    finally:
        client.close()
    assert "circuit state gw:circuit:t unavailable" in caplog.text
