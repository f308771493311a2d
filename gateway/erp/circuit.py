"""Circuit breakers per ERP target: when an ERP is down, steps wait instead of burning retries.

A breaker counts consecutive retryable failures of one target (``RetryableErpError``: 5xx,
429, timeouts, refused connections)::

    closed ──(failure_threshold consecutive failures)──► open
    open ──(cool-down elapsed)──► half_open: one trial call is let through
    half_open ──trial succeeds──► closed
    half_open ──trial fails──► open again, with the cool-down doubled (up to max_cooldown_s)

Any success closes the breaker and resets the count. While it is open, ``allow()`` is false and
``retry_at`` (a Unix timestamp) says when to come back: the pipeline parks the step until then
without counting an attempt, so an ERP that is down for an hour dead-letters nothing, and
deliveries resume on their own once a trial call gets through. A trial whose caller never
reports back (a killed worker) is given up after ``trial_timeout_s`` and another is allowed.

``deliver_guarded`` wraps an adapter call in all of that and raises ``CircuitOpenError``
(a ``RetryableErpError`` carrying ``retry_at``) when the call is not allowed.

Where the state lives
---------------------
``MemoryCircuitState`` (the default) keeps it in the process, guarded by a lock: right for the
embedded mode, which has one process. In production there are several worker processes on
several machines, and an in-process breaker only knows what its own process saw: each would
need its own run of failures before it backs off, and each sends its own trial. Give them a
shared ``RedisCircuitState`` instead (``CircuitBreakers.with_redis(client)``): the count, the
open-until time and the trial lease live in one Redis hash per target,
``gw:circuit:<target>``, and every transition is one Lua script, atomic across all workers.

The breaker is advisory: if Redis cannot be reached, ``RedisCircuitState`` logs it and lets
calls through (the circuit behaves as closed), since the database, not Redis, is what keeps
deliveries from being lost. Give it a client with short timeouts and few retries (redis-py
retries a failed command with backoff by default), or every delivery waits for them while
Redis is down. Times come from the callers' clocks (Unix time), so the hosts'
clocks should be kept in sync (NTP); a skew of a second or two only shifts the cool-down.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from redis.exceptions import RedisError

from gateway.erp.base import (
    CircuitOpenError,
    DeliveryResult,
    ErpAdapter,
    PermanentErpError,
    RetryableErpError,
)

log = logging.getLogger(__name__)

CircuitStateName = Literal["closed", "open", "half_open"]

DEFAULT_KEY_PREFIX = "gw:circuit:"


@dataclass(frozen=True, slots=True)
class CircuitPolicy:
    failure_threshold: int = 5
    cooldown_s: float = 30.0
    max_cooldown_s: float = 300.0
    trial_timeout_s: float = 60.0

    def __post_init__(self) -> None:
        if self.failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if not 0 < self.cooldown_s <= self.max_cooldown_s:
            raise ValueError("cooldown_s must be positive and at most max_cooldown_s")
        if self.trial_timeout_s <= 0:
            raise ValueError("trial_timeout_s must be positive")

    def cooldown(self, opens: int) -> float:
        """The cool-down after the breaker opened for the ``opens``-th time in a row."""
        # The exponent is capped: a target down for days opens hundreds of times.
        doublings = min(max(opens - 1, 0), 32)
        return min(self.cooldown_s * 2.0**doublings, self.max_cooldown_s)


@dataclass(frozen=True, slots=True)
class CircuitSnapshot:
    """The stored state of one breaker; ``open_until`` is None while it is closed."""

    failures: int = 0
    open_until: float | None = None
    opens: int = 0
    trial_until: float = 0.0


@dataclass(frozen=True, slots=True)
class CircuitHealth:
    """One target's breaker as the operator UI shows it."""

    target: str
    state: CircuitStateName
    failures: int
    retry_at: float | None


@dataclass(frozen=True, slots=True)
class CircuitDecision:
    """The answer of ``CircuitBreaker.check``: whether to call, and if not, until when to wait."""

    allowed: bool
    state: CircuitStateName
    retry_at: float | None
    # no failure was on record: a success has nothing to reset
    clean: bool = False


class CircuitState(Protocol):
    """Where a breaker keeps its state; each method is one atomic transition."""

    def acquire(self, *, now: float, policy: CircuitPolicy) -> tuple[float | None, CircuitSnapshot]:
        """None when a call may go ahead now (taking the trial lease when half-open), else
        the time to come back; and the state as it is after that."""
        ...

    def record_failure(self, *, now: float, policy: CircuitPolicy) -> None: ...

    def record_success(self) -> None: ...

    def snapshot(self) -> CircuitSnapshot: ...


class MemoryCircuitState:
    """State kept in this process (one per target), guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = CircuitSnapshot()

    def acquire(self, *, now: float, policy: CircuitPolicy) -> tuple[float | None, CircuitSnapshot]:
        with self._lock:
            s = self._state
            if s.open_until is None:
                return None, s
            if now < s.open_until:
                return s.open_until, s
            if now < s.trial_until:
                return s.trial_until, s
            self._state = CircuitSnapshot(
                s.failures, s.open_until, s.opens, now + policy.trial_timeout_s
            )
            return None, self._state

    def record_failure(self, *, now: float, policy: CircuitPolicy) -> None:
        with self._lock:
            s = self._state
            failures = s.failures + 1
            # A failure while open (a call that started before the breaker opened) changes
            # nothing; one after the cool-down is the half-open trial failing.
            trip = (
                now >= s.open_until
                if s.open_until is not None
                else (failures >= policy.failure_threshold)
            )
            if trip:
                opens = s.opens + 1
                self._state = CircuitSnapshot(failures, now + policy.cooldown(opens), opens, 0.0)
            else:
                self._state = CircuitSnapshot(failures, s.open_until, s.opens, s.trial_until)

    def record_success(self) -> None:
        with self._lock:
            self._state = CircuitSnapshot()

    def snapshot(self) -> CircuitSnapshot:
        with self._lock:
            return self._state


# The same transitions as MemoryCircuitState, run inside Redis so they are atomic across
# processes. Times travel as strings: Redis turns a Lua number reply into an integer.
# It answers with the time to come back ('' when the call may go ahead) and the state after
# it - failures, open_until, opens, trial_until ('' for a field not set) - in one round trip.
_ACQUIRE = """
local v = redis.call('HMGET', KEYS[1], 'failures', 'open_until', 'opens', 'trial_until')
local state = {v[1] or '', v[2] or '', v[3] or '', v[4] or ''}
local open_until = tonumber(v[2])
if not open_until then return {'', unpack(state)} end
local now = tonumber(ARGV[1])
if now < open_until then return {tostring(open_until), unpack(state)} end
local trial_until = tonumber(v[4]) or 0
if now < trial_until then return {tostring(trial_until), unpack(state)} end
state[4] = tostring(now + tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'trial_until', state[4])
return {'', unpack(state)}
"""

_FAILURE = """
local now = tonumber(ARGV[1])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local v = redis.call('HMGET', KEYS[1], 'open_until', 'opens')
local open_until = tonumber(v[1])
local opens = tonumber(v[2]) or 0
local trip
if open_until then trip = now >= open_until else trip = failures >= tonumber(ARGV[2]) end
if trip then
  opens = opens + 1
  local cooldown = math.min(tonumber(ARGV[3]) * 2 ^ math.min(opens - 1, 32), tonumber(ARGV[4]))
  redis.call('HSET', KEYS[1], 'open_until', tostring(now + cooldown),
             'opens', tostring(opens), 'trial_until', '0')
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return failures
"""


def _text(value: Any) -> str:
    """A field as Redis returned it ('' for one not set), with either decode_responses."""
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


def _snapshot(failures: str, open_until: str, opens: str, trial_until: str) -> CircuitSnapshot:
    return CircuitSnapshot(
        failures=int(float(failures or 0)),
        open_until=float(open_until) if open_until else None,
        opens=int(float(opens or 0)),
        trial_until=float(trial_until or 0),
    )


class RedisCircuitState:
    """State shared by every process through one Redis hash, ``<prefix><target>``.

    ``client`` is a ``redis.Redis`` (either ``decode_responses`` setting). The hash holds
    ``failures``, ``opens``, ``open_until`` and ``trial_until`` (Unix times); it disappears
    when the target succeeds, and expires a day after the last failure in any case.
    """

    KEY_TTL_S = 86_400

    def __init__(self, client: Any, target: str, *, prefix: str = DEFAULT_KEY_PREFIX):
        self.key = f"{prefix}{target}"
        self._client = client
        self._acquire = client.register_script(_ACQUIRE)
        self._failure = client.register_script(_FAILURE)

    def acquire(self, *, now: float, policy: CircuitPolicy) -> tuple[float | None, CircuitSnapshot]:
        try:
            answer = self._acquire(keys=[self.key], args=[repr(now), repr(policy.trial_timeout_s)])
        except RedisError as exc:
            log.warning("circuit state %s unavailable, letting the call through: %s", self.key, exc)
            return None, CircuitSnapshot()
        wait, *state = (_text(v) for v in answer)
        return (float(wait) if wait else None), _snapshot(*state)

    def record_failure(self, *, now: float, policy: CircuitPolicy) -> None:
        args = [
            repr(now),
            policy.failure_threshold,
            repr(policy.cooldown_s),
            repr(policy.max_cooldown_s),
            max(self.KEY_TTL_S, int(policy.max_cooldown_s * 2)),
        ]
        try:
            self._failure(keys=[self.key], args=args)
        except RedisError as exc:
            log.warning("circuit state %s unavailable, failure not counted: %s", self.key, exc)

    def record_success(self) -> None:
        try:
            self._client.delete(self.key)
        except RedisError as exc:
            log.warning("circuit state %s unavailable, success not recorded: %s", self.key, exc)

    def snapshot(self) -> CircuitSnapshot:
        try:
            values = self._client.hmget(
                self.key, ["failures", "open_until", "opens", "trial_until"]
            )
        except RedisError as exc:
            log.warning("circuit state %s unavailable: %s", self.key, exc)
            return CircuitSnapshot()
        return _snapshot(*(_text(v) for v in values))


class CircuitBreaker:
    """The breaker of one ERP target; thread-safe, and process-safe with ``RedisCircuitState``.

    ``clock`` returns Unix time (``time.time``); tests pass a fake one.
    """

    def __init__(
        self,
        target: str,
        *,
        policy: CircuitPolicy | None = None,
        state: CircuitState | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.target = target
        self.policy = policy or CircuitPolicy()
        self._store: CircuitState = state if state is not None else MemoryCircuitState()
        self.clock = clock

    def check(self) -> CircuitDecision:
        """Whether a call may go ahead now; when it may, and the breaker is half-open, this
        call is the trial (so ask only when about to call)."""
        now = self.clock()
        wait_until, after = self._store.acquire(now=now, policy=self.policy)
        seen = self._state_at(after, now)
        if wait_until is None:
            clean = after.failures == 0 and after.open_until is None
            return CircuitDecision(True, seen, None, clean)
        return CircuitDecision(False, "half_open" if seen == "half_open" else "open", wait_until)

    def allow(self) -> bool:
        return self.check().allowed

    def record_success(self) -> None:
        self._store.record_success()

    def record_failure(self) -> None:
        """Count one retryable failure (not permanent ones: those prove the ERP answered)."""
        self._store.record_failure(now=self.clock(), policy=self.policy)

    @property
    def state(self) -> CircuitStateName:
        return self._state_at(self._store.snapshot(), self.clock())

    @property
    def retry_at(self) -> float | None:
        """When a call may be tried again (Unix time); None when one may be tried now."""
        s = self._store.snapshot()
        now = self.clock()
        if s.open_until is None:
            return None
        if now < s.open_until:
            return s.open_until
        return s.trial_until if now < s.trial_until else None

    @property
    def failures(self) -> int:
        """Consecutive retryable failures since the last success."""
        return self._store.snapshot().failures

    @staticmethod
    def _state_at(s: CircuitSnapshot, now: float) -> CircuitStateName:
        if s.open_until is None:
            return "closed"
        return "open" if now < s.open_until else "half_open"


class CircuitBreakers:
    """The breakers of all targets, by target name, created on first use."""

    def __init__(
        self,
        *,
        policy: CircuitPolicy | None = None,
        state_factory: Callable[[str], CircuitState] | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.policy = policy or CircuitPolicy()
        self._state_factory = state_factory or (lambda _target: MemoryCircuitState())
        self._clock = clock
        self._lock = threading.Lock()
        self._breakers: dict[str, CircuitBreaker] = {}

    @classmethod
    def with_redis(
        cls,
        client: Any,
        *,
        prefix: str = DEFAULT_KEY_PREFIX,
        policy: CircuitPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> CircuitBreakers:
        """Breakers whose state every process shares through ``client`` (a ``redis.Redis``)."""
        return cls(
            policy=policy,
            state_factory=lambda target: RedisCircuitState(client, target, prefix=prefix),
            clock=clock,
        )

    def get(self, target: str) -> CircuitBreaker:
        with self._lock:
            breaker = self._breakers.get(target)
            if breaker is None:
                breaker = CircuitBreaker(
                    target,
                    policy=self.policy,
                    state=self._state_factory(target),
                    clock=self._clock,
                )
                self._breakers[target] = breaker
            return breaker

    __getitem__ = get

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._breakers))

    def health(self, targets: Iterable[str]) -> dict[str, CircuitHealth]:
        """The state of each named target's breaker (created if this process has not used it
        yet: with shared Redis state that still reads what the workers recorded)."""
        report: dict[str, CircuitHealth] = {}
        for target in targets:
            breaker = self.get(target)
            report[target] = CircuitHealth(
                target=target,
                state=breaker.state,
                failures=breaker.failures,
                retry_at=breaker.retry_at,
            )
        return report

    def states(self) -> Mapping[str, CircuitStateName]:
        """Each known target's state, for metrics and the operator UI."""
        with self._lock:
            known = list(self._breakers.values())
        return {b.target: b.state for b in known}


#: The process's breakers (in-process state); the production composition root may replace it
#: with ``CircuitBreakers.with_redis(...)``.
breakers = CircuitBreakers()


def deliver_guarded(
    adapter: ErpAdapter,
    breaker: CircuitBreaker,
    document: Mapping[str, Any],
    *,
    document_id: str,
    message_id: str,
    test: bool,
) -> DeliveryResult:
    """Deliver through ``breaker``: refuse with ``CircuitOpenError`` while it is open, count
    retryable failures, and close it on success or on any answer from the ERP."""
    decision = breaker.check()
    if not decision.allowed:
        now = breaker.clock()
        retry_at = decision.retry_at if decision.retry_at is not None else now
        when = dt.datetime.fromtimestamp(retry_at, dt.UTC).isoformat(timespec="seconds")
        raise CircuitOpenError(
            f"not attempted: the circuit is {decision.state.replace('_', '-')} after "
            f"{breaker.policy.failure_threshold} or more failures in a row; next try at {when}",
            target=adapter.name,
            document_id=document_id,
            retry_at=retry_at,
            now=now,
        )
    try:
        result = adapter.deliver(
            document, document_id=document_id, message_id=message_id, test=test
        )
    except RetryableErpError:
        breaker.record_failure()
        raise
    except PermanentErpError as exc:
        # A 4xx means the ERP is up and answering; a configuration error says nothing.
        if exc.status_code is not None and not decision.clean:
            breaker.record_success()
        raise
    # Nothing to reset when no failure was on record as the call began (one counted since,
    # by a call that failed meanwhile, stays: the next success that sees it resets it).
    if not decision.clean:
        breaker.record_success()
    return result
