"""Adapter discovery through entry points, and building adapters for targets."""

from __future__ import annotations

import importlib.metadata
import logging
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from gateway.erp.base import DeliveryResult, ErpAdapter, PermanentErpError
from gateway.erp.demo import DemoErp
from gateway.erp.folder import FolderAdapter
from gateway.erp.registry import (
    BUILTIN_ADAPTERS,
    ENTRY_POINT_GROUP,
    Adapters,
    UnknownAdapterError,
    build_adapter,
    installed_kinds,
)
from gateway.erp.webhook import WebhookAdapter
from tests.conftest import ROOT


class EchoAdapter:
    def __init__(self, name: str, config: Mapping[str, Any]):
        self.name = name
        self.config = config
        self.closed = False

    def deliver(
        self, document: Mapping[str, Any], *, document_id: str, message_id: str, test: bool
    ) -> DeliveryResult:
        return DeliveryResult(reference=document_id)

    def close(self) -> None:
        self.closed = True


def make_echo(*, name: str, config: Mapping[str, Any], secret: str | None) -> EchoAdapter:
    return EchoAdapter(name, config)


def make_nothing(*, name: str, config: Mapping[str, Any], secret: str | None) -> object:
    return object()


def entry_points(**kinds: str) -> Any:
    eps = [importlib.metadata.EntryPoint(k, v, ENTRY_POINT_GROUP) for k, v in kinds.items()]
    return lambda: eps


HERE = "tests.gateway.erp.test_registry"


def test_pyproject_registers_the_builtins() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"][ENTRY_POINT_GROUP] == dict(BUILTIN_ADAPTERS)


def test_builtins_are_found_even_when_not_installed() -> None:
    assert installed_kinds(entry_points()) == ["demo", "folder", "webhook"]


def test_builds_the_builtins(tmp_path: Path) -> None:
    webhook = build_adapter("webhook", "erp-a", {"url": "https://erp.example.test/in"}, "s")
    assert isinstance(webhook, WebhookAdapter) and webhook.name == "erp-a"
    webhook.close()
    folder = build_adapter("folder", "erp-b", {"directory": str(tmp_path)}, None)
    assert isinstance(folder, FolderAdapter) and folder.directory == tmp_path
    demo = build_adapter("demo", "default", {}, None)
    assert isinstance(demo, DemoErp) and demo.name == "default"
    for adapter in (webhook, folder, demo):
        assert isinstance(adapter, ErpAdapter)


def test_an_unknown_kind_names_the_installed_ones() -> None:
    with pytest.raises(UnknownAdapterError) as caught:
        build_adapter("sap", "erp-x", {}, None, entry_points=entry_points(odoo=f"{HERE}:make_echo"))
    assert caught.value.kind == "sap"
    assert caught.value.installed == ["demo", "folder", "odoo", "webhook"]
    assert caught.value.target == "erp-x"
    assert "unknown ERP adapter kind 'sap'; installed kinds: demo, folder, odoo, webhook" in str(
        caught.value
    )
    assert isinstance(caught.value, PermanentErpError)


def test_packages_add_kinds_through_entry_points() -> None:
    adapter = build_adapter(
        "echo", "erp-e", {"x": 1}, None, entry_points=entry_points(echo=f"{HERE}:make_echo")
    )
    assert isinstance(adapter, EchoAdapter)
    assert (adapter.name, adapter.config) == ("erp-e", {"x": 1})


def test_a_package_cannot_replace_a_builtin(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gateway.erp.registry"):
        adapter = build_adapter(
            "demo", "d", {}, None, entry_points=entry_points(demo=f"{HERE}:make_echo")
        )
    assert isinstance(adapter, DemoErp)
    assert "'demo' is a built-in kind" in caplog.text


def test_broken_plugins_are_permanent_errors() -> None:
    kinds = entry_points(missing="no_such_module_for_tests:factory", nothing=f"{HERE}:make_nothing")
    with pytest.raises(PermanentErpError, match="cannot be loaded"):
        build_adapter("missing", "t", {}, None, entry_points=kinds)
    with pytest.raises(PermanentErpError, match="has no name and deliver"):
        build_adapter("nothing", "t", {}, None, entry_points=kinds)


def test_adapters_are_kept_per_target_and_rebuilt_when_changed() -> None:
    kinds = entry_points(echo=f"{HERE}:make_echo")
    adapters = Adapters(lambda *args: build_adapter(*args, entry_points=kinds))
    first = adapters.get(kind="echo", name="t", config={"a": 1, "b": 2}, secret="s")
    assert adapters.get(kind="echo", name="t", config={"b": 2, "a": 1}, secret="s") is first
    assert isinstance(first, EchoAdapter)

    changed = adapters.get(kind="echo", name="t", config={"a": 1, "b": 2}, secret="rotated")
    assert changed is not first
    assert first.closed  # the replaced adapter released
    other = adapters.get(kind="echo", name="u", config={}, secret=None)
    adapters.close()
    assert isinstance(changed, EchoAdapter) and isinstance(other, EchoAdapter)
    assert changed.closed and other.closed
