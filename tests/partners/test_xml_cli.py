"""`edi-gateway partners xslt add|list` and `partners cxml-credential` as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

COMMAND = Path(sys.executable).with_name("edi-gateway")


@pytest.fixture
def run(tmp_path: Path) -> Any:
    env = {**os.environ, "GATEWAY_DATA_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(COMMAND), *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
        )

    return run


def test_xslt_and_cxml_credential_commands(run: Any, tmp_path: Path) -> None:
    assert run("partners", "add", "Northwind", "--isa", "ZZ:NORTHWIND").returncode == 0
    xsl = ROOT / "samples" / "xml" / "northwind-po-in.xsl"
    added = run(
        "partners", "xslt", "add", "Northwind", str(xsl), "--direction", "in",
        "--document-type", "order", "--root", "PurchaseOrder", "--json",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["root"] == "PurchaseOrder"
    listed = run("partners", "xslt", "list")
    assert listed.returncode == 0
    assert "Northwind" in listed.stdout and "PurchaseOrder" in listed.stdout

    hostile = tmp_path / "hostile.xsl"
    hostile.write_text(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:include href="/etc/passwd"/></xsl:stylesheet>'
    )
    refused = run(
        "partners", "xslt", "add", "Northwind", str(hostile), "--direction", "in",
        "--document-type", "order",
    )  # fmt: skip
    assert refused.returncode == 2
    assert "xsl:include is not allowed" in refused.stderr and "Traceback" not in refused.stderr

    made = run(
        "partners", "cxml-credential", "Northwind", "--domain", "NetworkID",
        "--identity", "AN0100000001", "--json", stdin="a-long-shared-secret\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    shown = json.loads(made.stdout)
    assert shown["identity"] == "AN0100000001" and "a-long-shared-secret" not in made.stdout
    short = run(
        "partners", "cxml-credential", "Northwind", "--domain", "NetworkID",
        "--identity", "X", stdin="short\n",
    )  # fmt: skip
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    audit = run("partners", "audit", "Northwind", "--json")
    actions = [e["action"] for e in json.loads(audit.stdout)]
    assert "partner.xslt_added" in actions and "partner.cxml_credential_added" in actions
    assert "a-long-shared-secret" not in audit.stdout
