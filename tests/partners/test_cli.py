"""The `edi-gateway partners ...` commands as a script would run them: the installed command in
a process of its own, on an embedded data directory; JSON with --json, tables without, and a
readable error with exit 2 (never a traceback) for what the registry refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

COMMAND = Path(sys.executable).with_name("edi-gateway")


@pytest.fixture
def run(tmp_path: Path) -> Any:
    env = {**os.environ, "GATEWAY_DATA_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(COMMAND), *args], capture_output=True, text=True, env=env, timeout=60
        )

    return run


def test_partners_from_the_command_line(run: Any, tmp_path: Path) -> None:
    assert run("erp", "add", "qa", "--folder", str(tmp_path / "qa")).returncode == 0
    added = run(
        "partners",
        "add",
        "Acme",
        "--isa",
        "ZZ:ACME",
        "--isa",
        "01:123456789",
        "--role",
        "supplier",
        "--test-erp",
        "qa",
        "--delimiters",
        "*>^~",
        "--contact",
        "name=Dana,email=dana@acme.example",
        "--json",
    )
    assert added.returncode == 0, added.stderr
    acme = json.loads(added.stdout)
    assert acme["status"] == "testing" and acme["isa"] == ["ZZ:ACME", "01:123456789"]
    assert acme["delimiters"] == {
        "element": "*",
        "component": ">",
        "repetition": "^",
        "segment": "~",
    }

    refused = run("partners", "add", "Copy", "--isa", "ZZ:ACME")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == "edi-gateway: ISA identity ZZ:ACME already belongs to partner Acme\n"

    jump = run("partners", "set-status", "Acme", "draft")
    assert jump.returncode == 0, jump.stderr
    assert "status              draft" in jump.stdout  # a field per line
    live = run("partners", "set-status", acme["id"], "live")
    assert live.returncode == 2 and "goes to testing first" in live.stderr

    updated = run("partners", "update", "Acme", "--ack", "999", "--notes", "hi", "--json")
    assert json.loads(updated.stdout)["ack"] == "999"
    listed = run("partners", "list")
    header, row = listed.stdout.splitlines()
    assert header.split() == [
        "id",
        "name",
        "role",
        "status",
        "isa",
        "erp",
        "test_erp",
        "last_activity_at",
    ]
    assert row.split()[1:6] == ["Acme", "supplier", "draft", "ZZ:ACME,01:123456789", "-"]
    history = json.loads(run("partners", "audit", "Acme", "--json").stdout)
    assert [e["action"] for e in history] == [
        "partner.updated",
        "partner.status",
        "partner.created",
    ]
    assert history[0]["changes"] == {"ack": ["997", "999"], "notes": [None, "hi"]}
    assert all(e["actor"] == "cli" for e in history)


def test_reprocess_from_the_command_line(run: Any, tmp_path: Path) -> None:
    """An unknown sender's file is rejected; once the partner exists, `reprocess` takes it in
    again as a new message; a processed message is refused with the reason, no traceback."""
    sample = Path(__file__).resolve().parents[2] / "samples" / "x12" / "850" / "basic-004010.x12"
    assert run("erp", "add", "default", "--demo").returncode == 0
    assert run("identities", "add", "--isa", "ZZ:ACMEDIST").returncode == 0
    rejected = run("submit", str(sample), "--json")
    assert rejected.returncode == 1, rejected.stderr
    original = json.loads(rejected.stdout)["message_id"]
    assert run("partners", "add", "Northwind", "--isa", "ZZ:NWHARDWARE").returncode == 0
    again = run("reprocess", original, "--json")
    assert again.returncode == 0, again.stderr
    record = json.loads(again.stdout)
    assert record["original_id"] == original and record["status"] == "received"
    refused = run("reprocess", record["message_id"])
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "is received" in refused.stderr or "is delivered" in refused.stderr
    not_outbound = run("resend", original)
    assert not_outbound.returncode != 0 and "reprocess it instead" in not_outbound.stderr
