"""Finding ERP adapter kinds and building adapters for targets.

An adapter kind is a factory registered under the entry point group ``edi_gateway.erp_adapters``;
the gateway's own (``webhook``, ``folder``, ``demo``) are registered in its ``pyproject.toml``
and also known here directly, so a source checkout that is not installed finds them too. A
package adds a kind by declaring, in its own ``pyproject.toml``::

    [project.entry-points."edi_gateway.erp_adapters"]
    sap_idoc = "my_package.sap:SapAdapter.from_config"

The factory is called with keyword arguments ``name`` (the target's name), ``config`` (the
target's stored settings, a JSON object) and ``secret`` (its decrypted secret, or None), and
returns an object with ``name`` and ``deliver`` (see ``gateway.erp.base.ErpAdapter``). It
should check its configuration and raise ``PermanentErpError`` for a bad one. A kind an
installed package registers under a built-in's name is ignored, with a warning in the log.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import orjson

from gateway.erp.base import ErpAdapter, PermanentErpError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "edi_gateway.erp_adapters"

#: The built-in kinds, exactly as pyproject.toml registers them.
BUILTIN_ADAPTERS: Mapping[str, str] = {
    "webhook": "gateway.erp.webhook:WebhookAdapter.from_config",
    "folder": "gateway.erp.folder:FolderAdapter.from_config",
    "demo": "gateway.erp.demo:DemoErp.from_config",
}


class AdapterFactory(Protocol):
    def __call__(
        self, *, name: str, config: Mapping[str, Any], secret: str | None
    ) -> ErpAdapter: ...


class UnknownAdapterError(PermanentErpError):
    """A target names an adapter kind no installed package provides."""

    def __init__(self, message: str, *, kind: str, installed: list[str], target: str | None):
        super().__init__(message, target=target)
        self.kind = kind
        self.installed = installed


def _installed_entry_points() -> Iterable[importlib.metadata.EntryPoint]:
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def discover(
    entry_points: Callable[[], Iterable[importlib.metadata.EntryPoint]] = _installed_entry_points,
) -> dict[str, importlib.metadata.EntryPoint]:
    """Every adapter kind: the built-ins, then those installed packages register."""
    found = {
        kind: importlib.metadata.EntryPoint(kind, value, ENTRY_POINT_GROUP)
        for kind, value in BUILTIN_ADAPTERS.items()
    }
    for ep in entry_points():
        if ep.name in BUILTIN_ADAPTERS:
            if ep.value != BUILTIN_ADAPTERS[ep.name]:
                log.warning(
                    "ignoring ERP adapter %r = %r: %r is a built-in kind",
                    ep.name,
                    ep.value,
                    ep.name,
                )
            continue
        found.setdefault(ep.name, ep)
    return found


def installed_kinds(
    entry_points: Callable[[], Iterable[importlib.metadata.EntryPoint]] = _installed_entry_points,
) -> list[str]:
    return sorted(discover(entry_points))


def build_adapter(
    kind: str,
    name: str,
    config: Mapping[str, Any],
    secret: str | None = None,
    *,
    entry_points: Callable[[], Iterable[importlib.metadata.EntryPoint]] = _installed_entry_points,
) -> ErpAdapter:
    """The adapter of target ``name``, of the given kind, configured by ``config``."""
    kinds = discover(entry_points)
    ep = kinds.get(kind)
    if ep is None:
        installed = sorted(kinds)
        raise UnknownAdapterError(
            f"unknown ERP adapter kind {kind!r}; installed kinds: {', '.join(installed)}",
            kind=kind,
            installed=installed,
            target=name,
        )
    try:
        factory: AdapterFactory = ep.load()
    except Exception as exc:  # a broken plugin must not take the worker down
        raise PermanentErpError(
            f"ERP adapter kind {kind!r} ({ep.value}) cannot be loaded: {exc}", target=name
        ) from exc
    adapter = factory(name=name, config=config, secret=secret)
    if not isinstance(adapter, ErpAdapter):
        raise PermanentErpError(
            f"ERP adapter kind {kind!r} ({ep.value}) built a {type(adapter).__name__}, which "
            "has no name and deliver()",
            target=name,
        )
    return adapter


class Adapters:
    """One live adapter per target, rebuilt when the target's kind, settings or secret change.

    Keep one of these per process: the webhook adapter pools connections and the demo ERP keeps
    its stock and what it processed in memory, so building a fresh adapter for every delivery
    would lose both.
    """

    def __init__(self, build: Callable[..., ErpAdapter] = build_adapter):
        self._build = build
        self._lock = threading.Lock()
        self._live: dict[str, tuple[bytes, ErpAdapter]] = {}

    def get(
        self, *, kind: str, name: str, config: Mapping[str, Any], secret: str | None
    ) -> ErpAdapter:
        fingerprint = _fingerprint(kind, config, secret)
        with self._lock:
            live = self._live.get(name)
            if live is not None and live[0] == fingerprint:
                return live[1]
            adapter = self._build(kind, name, config, secret)
            self._live[name] = (fingerprint, adapter)
        if live is not None:
            _close(live[1])
        return adapter

    def close(self) -> None:
        with self._lock:
            live, self._live = self._live, {}
        for _, adapter in live.values():
            _close(adapter)


def _fingerprint(kind: str, config: Mapping[str, Any], secret: str | None) -> bytes:
    data = orjson.dumps([kind, config, secret], option=orjson.OPT_SORT_KEYS, default=dict)
    return hashlib.sha256(data).digest()


def _close(adapter: ErpAdapter) -> None:
    close = getattr(adapter, "close", None)
    if callable(close):
        close()
