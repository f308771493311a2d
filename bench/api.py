"""HTTP ingest: `POST /api/v1/inbound` with 1 KB 850s, beside a bare FastAPI insert, one run.

    .venv/bin/python bench/api.py [--duration 20] [--connections 50] [--workers 2]
        [--postgres URL] [--redis URL]

Needs PostgreSQL and Redis (the project's services) and `wrk` (Debian: `apt-get install -y
wrk`; the script says so and stops when it is missing). It creates a throwaway database
(dropped at the end) and a Redis queue of its own (deleted at the end), then, for each of

* the gateway: `uvicorn --factory gateway.asgi:create --workers N` - the production web app,
  with a partner, its API key and our identity registered; every request is a distinct 1 KB
  850 interchange (own ISA13 and PO number) going through authentication, the body limit,
  intake (sender/receiver matching, duplicate checks, payload, message, event and step rows
  in one transaction) and the dispatch of its translate step to Redis (from the web process's
  background dispatcher, several ids to a message);
* the baseline: `uvicorn --factory bench.api_bare:create --workers N` - a bare FastAPI
  endpoint that only inserts the body into PostgreSQL;

runs wrk from a second process on loopback (`--connections` clients, 2 threads) for a warm-up
and then `--duration` seconds, and prints requests/s, p50 and p99 side by side.

Targets (issue 4): >= 1,000 requests/s and >= 1/3 of the bare endpoint, with p99 <= 150 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import redis  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from gateway.commands.admin import add_identity, add_partner  # noqa: E402
from gateway.commands.keys import issue_partner_key  # noqa: E402
from gateway.store import make_engine, make_session_factory, migrate  # noqa: E402
from gateway.store.models import Message  # noqa: E402
from tests.gateway.conftest import DEFAULT_POSTGRES_URL, PostgresDatabases  # noqa: E402

SECRET = "bench-secret-key-with-enough-length-0123456789"
SENDER = "BENCHSENDER"
RECEIVER = "ACMEDIST"


def order_template() -> str:
    """A 1 KB 850 interchange as a Lua format string: %09d ISA13/IEA02, %d GS06/GE02 and PO."""
    isa = (
        f"ISA*00*          *00*          *ZZ*{SENDER:<15}*ZZ*{RECEIVER:<15}*240311*0814*U*00401"
        "*%09d*0*P*>~"
    )
    segments = [
        "GS*PO*BENCHSENDER*ACMEDIST*20240311*0814*%d*X*004010",
        "ST*850*0001",
        "BEG*00*SA*BENCH-%d**20240311",
        "CUR*BY*USD",
        "REF*DP*042",
        "PER*BD*JANE BUYER*TE*5555551234",
        "DTM*002*20240320",
        "N1*ST*STORE 118*92*4471",
        "N3*1200 MAIN STREET*SUITE 4",
        "N4*DAYTON*OH*45402*US",
    ]
    lines = 0
    body = "~".join(segments) + "~"
    while len(isa) + len(body) < 940:
        lines += 1
        body += (
            f"PO1*{lines}*{12 * lines}*EA*{lines}.25*PE*BP*{100000 + lines}*VP*AC-{1400 + lines}"
            f"*UP*0{lines:011d}~PID*F****HEX BOLT M{lines} STEEL~"
        )
    body += f"CTT*{lines}~"
    count = body.count("~")  # ST..CTT (GS excluded) and the SE added below
    body += f"SE*{count}*0001~GE*1*%d~IEA*1*%09d~"
    return isa + body


LUA = r"""
local template = [==[TEMPLATE]==]
local offset = 0
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  offset = tonumber(args[1]) or 0
end
request = function()
  counter = counter + 1
  local n = offset + tid * 10000000 + counter
  local body = string.format(template, n, n, n, n, n)
  return wrk.format("POST", "PATH", HEADERS, body)
end
"""


@dataclass
class Result:
    name: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def lua_script(path: str, key: str | None) -> str:
    headers = {"Content-Type": "application/edi-x12"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    table = "{" + ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items()) + "}"
    return LUA.replace("TEMPLATE", order_template()).replace("PATH", path).replace("HEADERS", table)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s)", value)
    if not match:
        raise ValueError(f"unreadable wrk latency {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(url: str, script: Path, *, seconds: int, connections: int, offset: int) -> Result:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            url,
            "--",
            str(offset),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if "Latency Distribution" not in out or "Requests/sec:" not in out:
        raise SystemExit(f"wrk gave no figures for {url} (is the server up?):\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"([0-9]+) requests in", out).group(1))  # type: ignore[union-attr]
    # percentiles from the distribution only: a thread stat's "+/- Stdev" may end in 50%
    dist = out.split("Latency Distribution", 1)[1]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", dist, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", dist, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+([0-9]+)", out)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors:.*", out)
    if socket_errors:
        print(f"  wrk: {socket_errors.group(0)}")
    return Result("", total, rps, p50, p99, errors)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode} before answering")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not answer {url} within 60 s")


def serve(factory: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def measure(
    name: str,
    factory: str,
    path: str,
    key: str | None,
    args: argparse.Namespace,
    env: dict[str, str],
    offset: int,
    workdir: Path,
) -> Result:
    port = args.port or free_port()
    proc = serve(factory, port, args.workers, env)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/health", proc, name)
        script = workdir / f"{name}.lua"
        script.write_text(lua_script(path, key))
        url = f"http://127.0.0.1:{port}"
        run_wrk(url, script, seconds=args.warmup, connections=args.connections, offset=offset)
        result = run_wrk(
            url,
            script,
            seconds=args.duration,
            connections=args.connections,
            offset=offset + 100_000_000,
        )
        result.name = name
        return result
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds measured per server")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument(
        "--postgres", default=os.environ.get("EDI_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    )
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit(
            "bench/api.py needs wrk, the HTTP load generator: apt-get install -y wrk (Debian)"
        )

    databases = PostgresDatabases(args.postgres)
    url = databases.create()
    queue = f"bench-api-{uuid.uuid4().hex[:8]}"
    try:
        migrate(url)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, body bytea)"))
        sessions = make_session_factory(engine)
        add_identity(sessions, isa=f"ZZ:{RECEIVER}")
        partner = add_partner(sessions, name="Bench", isa=f"ZZ:{SENDER}", status="live")
        key = issue_partner_key(sessions, partner["id"])["key"]
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": args.redis,
            "GATEWAY_SECRET_KEY": SECRET,
            "GATEWAY_QUEUE": queue,
            "PYTHONPATH": str(ROOT),
        }
        print(
            f"HTTP ingest: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"uvicorn --workers {args.workers}, wrk -t2 -c{args.connections} "
            f"-d{args.duration}s on loopback, PostgreSQL"
        )
        print(f"body: 1 KB 850 ({len(order_template()) - 12} bytes), a new ISA13 per request\n")
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            bare = measure("bare", "bench.api_bare:create", "/bare", None, args, env, 0, workdir)
            ours = measure(
                "gateway", "gateway.asgi:create", "/api/v1/inbound", key, args, env, 0, workdir
            )
        with sessions() as session:
            stored = session.scalar(select(func.count()).select_from(Message)) or 0
        engine.dispose()
        print(f"{'':34}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
        for label, r in (
            ("POST /api/v1/inbound (gateway)", ours),
            ("bare insert (baseline)", bare),
        ):
            print(f"{label:34}{r.rps:12.0f}{r.p50_ms:10.1f}{r.p99_ms:10.1f}{r.errors:10d}")
        ratio = ours.rps / bare.rps if bare.rps else 0.0
        print(f"\ngateway / bare: {ratio:.2f}; messages stored: {stored}")
        met = ours.rps >= 1000 and ratio >= 1 / 3 and ours.p99_ms <= 150 and ours.errors == 0
        print(
            "targets (>= 1000 req/s, >= 1/3 of bare, p99 <= 150 ms, no errors): "
            + ("met" if met else "MISSED")
        )
    finally:
        databases.drop_all()
        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(args.redis).delete(queue)


if __name__ == "__main__":
    main()
