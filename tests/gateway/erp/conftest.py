"""Fixtures for the ERP adapter tests: a real HTTP server standing in for an ERP, Redis, and
the sample order."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
import redis

from tests.conftest import SAMPLES


@dataclass
class Reply:
    """What the test ERP answers to the next request."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay_s: float = 0.0


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


class ErpServer:
    """A ThreadingHTTPServer on 127.0.0.1 that records requests and answers queued replies."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.replies: list[Reply] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                reply = server._record(
                    Recorded(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
                if reply.delay_s and server.stopping.wait(reply.delay_s):
                    return
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hung up is part of the tests, not an error

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def _record(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            return self.replies.pop(0) if self.replies else Reply()

    def reply(self, status: int = 200, *, json: Any = None, **kwargs: Any) -> None:
        if json is not None:
            kwargs["body"] = orjson.dumps(json)
            kwargs.setdefault("headers", {})["Content-Type"] = "application/json"
        self.replies.append(Reply(status, **kwargs))

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/erp/inbound"


@pytest.fixture
def erp_server() -> Iterator[ErpServer]:
    server = ErpServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.httpd.shutdown()
        server.httpd.server_close()
        server.thread.join(timeout=5)


@pytest.fixture
def refused_url() -> str:
    """A URL on a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/erp"


@pytest.fixture
def sample_order() -> dict[str, Any]:
    documents = orjson.loads((SAMPLES / "x12" / "850" / "basic-004010.json").read_bytes())
    return documents[0]  # type: ignore[no-any-return]


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    """The real Redis at 127.0.0.1:6379; skipped (or failed with EDI_REQUIRE_SERVICES=1)
    when it cannot be reached."""
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        reason = f"Redis at 127.0.0.1:6379 is not reachable ({exc})"
        if os.environ.get("EDI_REQUIRE_SERVICES", "") not in ("", "0"):
            pytest.fail(f"{reason}, and EDI_REQUIRE_SERVICES=1")
        pytest.skip(f"{reason}; set EDI_REQUIRE_SERVICES=1 to fail instead")
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def redis_prefix(redis_client: redis.Redis) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"test:gw:circuit:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        keys = list(redis_client.scan_iter(match=f"{prefix}*"))
        if keys:
            redis_client.delete(*keys)
