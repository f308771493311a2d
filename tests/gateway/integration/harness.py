"""The pieces the integration tests (and bench/pipeline.py) put together: real `celery worker`
and `beat` processes, a private `redis-server`, a test ERP that records deliveries by
`Idempotency-Key`, X12 test payloads built from the project's sample 850, and `Gateway`, which
assembles them into the production shape around one PostgreSQL database.

Everything here is a real process or a real socket; the tests only choose when to start, kill
and restart them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import redis
from celery import Celery

from gateway.erp.circuit import CircuitBreakers
from gateway.pipeline import IntakeResult, Runtime, intake
from gateway.pipeline.dispatch import BatchingDispatcher, CeleryDispatcher
from gateway.secretbox import SecretBox
from gateway.store import make_engine, make_session_factory
from gateway.store.enums import Channel
from gateway.wiring import StoreErpGateway
from tests.conftest import ROOT, SAMPLES

CELERY = str(Path(sys.executable).with_name("celery"))
SAMPLE_850 = (SAMPLES / "x12" / "850" / "basic-004010.x12").read_bytes()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], *, timeout: float, interval: float = 0.2) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass; returns whether it held."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# X12 payloads


def _set_body() -> list[str]:
    text = SAMPLE_850.decode("ascii")
    segments = [s.strip() for s in text.split("~") if s.strip()]
    start = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    end = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    return segments[start + 1 : end]


_BODY = _set_body()


def interchange(*, sender: str, isa13: int, po_numbers: list[str]) -> bytes:
    """An 004010 interchange from ``ZZ:<sender>`` to ``ZZ:ACMEDIST`` holding one copy of the
    sample 850 per PO number (each with its own BEG03), ISA13 and GS06 set to ``isa13``."""
    segments = [
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{'ACMEDIST':<15}*240311*0814*U*00401"
        f"*{isa13:09d}*0*P*>",
        f"GS*PO*{sender}*ACMEDIST*20240311*0814*{isa13}*X*004010",
    ]
    for n, po in enumerate(po_numbers, start=1):
        body = [f"BEG*00*SA*{po}**20240311" if s.startswith("BEG*") else s for s in _BODY]
        segments += [f"ST*850*{n:04d}", *body, f"SE*{len(body) + 2}*{n:04d}"]
    segments += [f"GE*{len(po_numbers)}*{isa13}", f"IEA*1*{isa13:09d}"]
    return ("~\n".join(segments) + "~\n").encode("ascii")


# ---------------------------------------------------------------------------------------------
# The test ERP


@dataclass
class Delivery:
    key: str
    body: bytes
    headers: dict[str, str]  # lower-cased names
    first_at: float

    @property
    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = orjson.loads(self.body)
        return loaded


@dataclass
class ErpReceiver:
    """An HTTP ERP on 127.0.0.1 that applies each ``Idempotency-Key`` once.

    The first POST of a key is applied (recorded in ``applied``) and answered 200 with a
    reference; a repeated key is answered 409, as the webhook protocol asks, and only counted.
    Until ``down_until`` (monotonic time) every POST is answered 503 and nothing is applied.
    """

    delay_s: float = 0.0
    down_until: float = 0.0
    applied: dict[str, Delivery] = field(default_factory=dict)
    raw_posts: int = 0
    refused: int = 0  # 503 answers while down
    truncated: int = 0  # requests whose client hung up before the whole body arrived
    repeats: dict[str, int] = field(default_factory=dict)  # key -> POSTs after the first
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def start(self) -> ErpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes: with Nagle's algorithm the body would
            # wait for the client's delayed ACK (40 ms a request)
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if len(body) < length:
                    # the client hung up mid-body (a worker killed while sending): like any
                    # HTTP server, a real ERP never sees that request, so nothing is applied
                    with receiver._lock:
                        receiver.truncated += 1
                    return
                status, answer = receiver.receive(headers, body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a worker killed mid-request hangs up: that is the test

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/erp/orders"

    def receive(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        answer = self._apply(headers, body)
        if self.delay_s:  # the ERP has applied it and takes its time to answer
            time.sleep(self.delay_s)
        return answer

    def _apply(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        key = headers.get("idempotency-key", "")
        with self._lock:
            self.raw_posts += 1
            if time.monotonic() < self.down_until:
                self.refused += 1
                return 503, b'{"detail": "ERP is down for maintenance"}'
            if not key:
                return 400, b'{"detail": "no Idempotency-Key"}'
            if key in self.applied:
                self.repeats[key] = self.repeats.get(key, 0) + 1
                return 409, b'{"detail": "already had it"}'
            self.applied[key] = Delivery(key, body, headers, time.monotonic())
            return 200, orjson.dumps({"reference": f"ERP-{len(self.applied)}"})

    def snapshot(self) -> tuple[dict[str, Delivery], int, int]:
        with self._lock:
            return dict(self.applied), self.raw_posts, self.refused


# ---------------------------------------------------------------------------------------------
# redis-server


class RedisServer:
    """A ``redis-server`` of the test's own on a private port, without persistence, so
    restarting or flushing it disturbs nothing else."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        log = (self.directory / f"redis-{self.restarts}.log").open("wb")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

        def answers() -> bool:
            client = self.client()
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False
            finally:
                client.close()

        if not wait_for(answers, timeout=10, interval=0.05):
            self.stop()
            raise RuntimeError(f"redis-server on port {self.port} did not start")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def flush_and_restart(self, *, down_s: float) -> None:
        """Empty Redis (queued tasks, unacked messages, circuit state all gone), kill it, keep
        it down for ``down_s`` seconds, and start it again on the same port."""
        client = self.client()
        try:
            client.flushall()
        finally:
            client.close()
        self.stop()
        time.sleep(down_s)
        self.restarts += 1
        self.start()


# ---------------------------------------------------------------------------------------------
# celery worker and beat


class CeleryProcess:
    """One `celery -A celery_app worker|beat` process group, its output in a log file."""

    def __init__(
        self, name: str, args: list[str], env: Mapping[str, str], log: Path, app: str = "celery_app"
    ):
        self.name = name
        self.app = app
        self.args = args
        self.env = dict(env)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> CeleryProcess:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n===== start {self.starts}: {' '.join(self.args)}\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                [CELERY, "-A", self.app, *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as a whole
            )
        return self

    def wait_ready(self, marker: str = "ready.", timeout: float = 60) -> None:
        starts = self.starts

        def ready() -> bool:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.tail()}")
            text = self.log.read_text(errors="replace")
            return marker in text.split(f"===== start {starts}:")[-1]

        if not wait_for(ready, timeout=timeout, interval=0.1):
            raise RuntimeError(f"{self.name} did not get ready in {timeout} s:\n{self.tail()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def children(self) -> list[int]:
        """The pool processes of a prefork worker."""
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def kill(self) -> None:
        """SIGKILL the whole process group: the host crashed, nothing gets to clean up."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def kill_pool(self) -> int:
        """SIGKILL the prefork pool's process (the task dies; the worker's main process
        notices and starts a new one). Returns how many were killed."""
        killed = 0
        for pid in self.children():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        return killed

    def stop(self, timeout: float = 15) -> None:
        """A warm shutdown (SIGTERM), then SIGKILL for whatever is left of the group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.process = None

    def tail(self, lines: int = 60) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return f"({self.log} is missing)"
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])


def worker(
    name: str,
    *,
    queue: str,
    env: Mapping[str, str],
    directory: Path,
    app: str = "celery_app",
    concurrency: int = 1,
) -> CeleryProcess:
    args = [
        "worker",
        "--loglevel",
        "INFO",
        "--pool",
        "prefork",
        "--concurrency",
        str(concurrency),
        "--queues",
        queue,
        "--hostname",
        f"{name}@%h",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
    return CeleryProcess(name, args, env, directory / f"{name}.log", app=app)


def beat(*, env: Mapping[str, str], directory: Path) -> CeleryProcess:
    args = [
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        str(directory / "beat-schedule"),
        "--pidfile",
        str(directory / "beat.pid"),
    ]
    return CeleryProcess("beat", args, env, directory / "beat.log")


# ---------------------------------------------------------------------------------------------
# the gateway under test: workers, beat, and an intake that dispatches through the broker

SECRET_KEY = "integration-test-secret-key-0123456789-abcdef"


class Gateway:
    """The production shape on one machine: PostgreSQL, a Redis broker, `celery worker` and
    `beat` processes configured through the environment only, and this process as the web
    tier calling `intake` with a `CeleryDispatcher` on the same queue - or, with
    ``web_dispatch``, the `BatchingDispatcher` that `edi-gateway web` sends with (several step
    ids to a broker message)."""

    def __init__(
        self,
        *,
        database_url: str,
        broker_url: str,
        directory: Path,
        lease_seconds: float = 30.0,
        sweep_seconds: float = 1.0,
        web_dispatch: bool = False,
    ):
        self.token = f"gwtest{os.urandom(4).hex()}"
        self.queue = self.token
        self.directory = directory
        self.broker_url = broker_url
        self.box = SecretBox(SECRET_KEY)
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
            "GATEWAY_SECRET_KEY": SECRET_KEY,
            "GATEWAY_QUEUE": self.queue,
            "GATEWAY_SWEEP_SECONDS": str(sweep_seconds),
            "GATEWAY_LEASE_SECONDS": str(lease_seconds),
            "GATEWAY_DATA_DIR": str(directory / "data"),
        }
        self.engine = make_engine(database_url)
        self.sessions = make_session_factory(self.engine)
        self.celery = Celery("gateway-tests", set_as_current=False)
        self.celery.conf.update(
            broker_url=broker_url,
            task_default_queue=self.queue,
            broker_transport_options={"visibility_timeout": 3600},
            task_ignore_result=True,
        )
        self.runtime = Runtime(
            sessions=self.sessions,
            dispatcher=(
                BatchingDispatcher(self.celery) if web_dispatch else CeleryDispatcher(self.celery)
            ),
            erp=StoreErpGateway(self.box, CircuitBreakers()),
        )
        self.processes: list[CeleryProcess] = []
        self.targets: list[str] = []

    def target_name(self, name: str) -> str:
        """An ERP target name of this run's own: its circuit breaker key in Redis is too."""
        full = f"{self.token}-{name}"
        self.targets.append(full)
        return full

    def add_worker(self) -> CeleryProcess:
        name = f"{self.token}-w{len([p for p in self.processes if p.name != 'beat']) + 1}"
        process = worker(name, queue=self.queue, env=self.env, directory=self.directory)
        self.processes.append(process)
        process.start().wait_ready()
        return process

    def add_beat(self) -> CeleryProcess:
        process = beat(env=self.env, directory=self.directory)
        self.processes.append(process)
        process.start().wait_ready("Starting...")
        return process

    def intake(self, payload: bytes) -> IntakeResult:
        return intake(self.runtime, payload=payload, channel=Channel.API)

    def logs(self) -> str:
        return "\n".join(p.tail() for p in self.processes)

    def close(self) -> None:
        if isinstance(self.runtime.dispatcher, BatchingDispatcher):
            self.runtime.dispatcher.close()
        for process in reversed(self.processes):
            process.stop()
        self.celery.close()
        self.engine.dispose()

    def forget_redis_keys(self, client: redis.Redis) -> None:
        """Delete what this run left in a shared Redis: its queue, its circuit breakers, its
        workers' control bindings and unacked entries."""
        keys = set(client.scan_iter(match=f"*{self.queue}*"))
        keys |= {f"gw:circuit:{t}".encode() for t in self.targets}
        if keys:
            client.delete(*keys)
        for binding in client.scan_iter(match="_kombu.binding.*pidbox*"):
            mine = [m for m in client.smembers(binding) if self.token.encode() in m]
            if mine:
                client.srem(binding, *mine)
        # kombu's deadlines of fanout bindings: an entry whose binding table is gone is stale
        exchanges: list[bytes] = client.zrange("_kombu.binding_deadlines", 0, -1)  # type: ignore[assignment]
        for exchange in exchanges:
            if not client.exists(b"_kombu.binding." + exchange):
                client.zrem("_kombu.binding_deadlines", exchange)
        for tag, payload in client.hscan_iter("unacked"):
            if self.queue.encode() in payload:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
