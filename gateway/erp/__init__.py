"""ERP adapters: deliver canonical documents to the ERP, exactly once in effect.

The pipeline builds one adapter per ERP target (``Adapters.get`` or ``build_adapter``, kinds
found through entry points: ``webhook``, ``folder``, ``demo`` and any a package installs) and
calls ``deliver_guarded(adapter, breakers[target], document, ...)``, which returns a
``DeliveryResult`` or raises ``RetryableErpError`` (retry later; ``CircuitOpenError`` when the
target's circuit breaker is open: wait until ``retry_at`` without counting an attempt) or
``PermanentErpError`` (dead-letter). See ``base`` for the interface and the error tree.
"""

from gateway.erp.base import (
    CircuitOpenError,
    DeliveryResult,
    ErpAdapter,
    ErpError,
    PermanentErpError,
    RetryableErpError,
)
from gateway.erp.circuit import (
    CircuitBreaker,
    CircuitBreakers,
    CircuitPolicy,
    MemoryCircuitState,
    RedisCircuitState,
    breakers,
    deliver_guarded,
)
from gateway.erp.registry import (
    ENTRY_POINT_GROUP,
    Adapters,
    UnknownAdapterError,
    build_adapter,
    installed_kinds,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "Adapters",
    "CircuitBreaker",
    "CircuitBreakers",
    "CircuitOpenError",
    "CircuitPolicy",
    "DeliveryResult",
    "ErpAdapter",
    "ErpError",
    "MemoryCircuitState",
    "PermanentErpError",
    "RedisCircuitState",
    "RetryableErpError",
    "UnknownAdapterError",
    "breakers",
    "build_adapter",
    "deliver_guarded",
    "installed_kinds",
]
