"""The HTTP API on SQLite and on the real PostgreSQL: two partners (Northwind routed to the demo
ERP, which answers orders with an 855; Southwind to a folder target), a key for each, an ERP key
and a token per operator role. The pipeline runs inline: tests drain the collecting dispatcher.

Every test goes through real HTTP: `live_url` serves the app with uvicorn on a free local port
(Starlette's TestClient would need the `httpx2` package), and `client` is an httpx client on it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from gateway.api import create_app
from gateway.commands.admin import add_erp_target, add_partner
from gateway.commands.keys import issue_erp_key, issue_operator_token, issue_partner_key
from gateway.erp.circuit import CircuitBreakers
from gateway.pipeline import CollectingDispatcher, Runtime, run_step
from gateway.secretbox import SecretBox
from gateway.settings import Settings
from gateway.wiring import StoreErpGateway

SECRET = "test-secret-key-with-enough-length-0123456789"
BOX = SecretBox(SECRET)
SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "x12"
PO = (SAMPLES / "850" / "basic-004010.x12").read_bytes()
# Southwind's own order: the same file, sent as its own ISA identity (same width).
SOUTH_PO = PO.replace(b"NWHARDWARE", b"SWSUPPLY01").replace(b"NW-4500018231", b"SW-7700000001")
MAX_BODY = 64 * 1024
X12 = {"Content-Type": "application/edi-x12"}


@dataclass
class Gateway:
    runtime: Runtime
    sessions: sessionmaker[Session]
    app: FastAPI
    north_id: str
    south_id: str
    keys: dict[str, str]  # north, south, erp, admin, operator, read-only

    def drain(self) -> None:
        dispatcher = self.runtime.dispatcher
        assert isinstance(dispatcher, CollectingDispatcher)
        while dispatcher.pending:
            run_step(self.runtime, dispatcher.pending.pop(0))

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}


@pytest.fixture
def gateway(sessions: sessionmaker[Session], store_url: str, tmp_path: Path) -> Gateway:
    add_erp_target(sessions, BOX, name="demo", kind="demo", config={})
    add_erp_target(
        sessions, BOX, name="files", kind="folder", config={"directory": str(tmp_path / "erp")}
    )
    north = add_partner(sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp="demo")
    south = add_partner(sessions, name="Southwind", isa="ZZ:SWSUPPLY01", erp="files", status="live")
    runtime = Runtime(
        sessions=sessions,
        dispatcher=CollectingDispatcher(),
        erp=StoreErpGateway(BOX, CircuitBreakers()),
    )
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=store_url,
        secret_key=SECRET,
        max_body_bytes=MAX_BODY,
    )
    keys = {
        "north": issue_partner_key(sessions, north["id"])["key"],
        "south": issue_partner_key(sessions, south["id"])["key"],
        "erp": issue_erp_key(sessions, "files")["key"],
        **{
            role: issue_operator_token(sessions, role)["key"]
            for role in ("admin", "operator", "read-only")
        },
    }
    app = create_app(runtime=runtime, settings=settings)
    return Gateway(runtime, sessions, app, north["id"], south["id"], keys)


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_url(gateway: Gateway) -> Iterator[str]:
    with serve(gateway.app) as base_url:
        yield base_url


@pytest.fixture
def client(live_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_url, timeout=30) as client:
        yield client
