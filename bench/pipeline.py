"""Pipeline throughput on the production shape, beside its baseline of the same run.

    .venv/bin/python bench/pipeline.py [--small 2000] [--big-mb 10] [--workers 2]
        [--senders 4] [--bare 4000] [--postgres URL] [--redis URL]

Needs PostgreSQL and Redis (the project's services; see DEVELOPERS.md). It creates a throwaway
database (dropped at the end), uses a queue of its own on the Redis (its keys deleted at the
end), starts `--workers` `celery -A celery_app worker` processes (prefork, one pool process
each) and `celery -A celery_app beat`, and a webhook ERP in this process that applies each
`Idempotency-Key` once. Then, in one run:

* baseline: bare Celery tasks (`bench/noop_app.py`: one Redis INCR each, so completion can be
  seen) sent by `--senders` threads through the same Redis to the same number of workers,
  started by the same command line with the same settings: tasks per second;
* small: `--small` single-PO 850 interchanges taken in by `intake` from `--senders` threads
  (the web tier's part, dispatching as `edi-gateway web` does: `BatchingDispatcher`, several
  step ids to a broker message) and carried by the workers through translate, ERP delivery and 997:
  documents per second from the first `received` event to the last `delivered_to_erp` event,
  and the p50/p99 of each document's `received` -> `delivered_to_erp` latency;
* big: one interchange of `--big-mb` MB of POs (bench/translate.py's generator): intake
  time, when it was translated, and when its last PO reached the ERP.

Targets (issue 3): small documents >= 300/s sustained and >= 40% of the bare-task rate; the
10 MB interchange fully delivered in <= 10 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import aliased  # noqa: E402

from bench.noop_app import NOOP_TASK  # noqa: E402
from bench.translate import purchase_order  # noqa: E402
from gateway.commands.admin import add_erp_target, add_partner  # noqa: E402
from gateway.store import migrate  # noqa: E402
from gateway.store.enums import DocumentStatus, MessageStatus, StepState  # noqa: E402
from gateway.store.models import Document, Event, Step  # noqa: E402
from tests.gateway.conftest import DEFAULT_POSTGRES_URL, PostgresDatabases  # noqa: E402
from tests.gateway.integration.harness import (  # noqa: E402
    ErpReceiver,
    Gateway,
    interchange,
    wait_for,
    worker,
)

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(token: str, database: str) -> dict[str, float]:
    """CPU seconds used so far by process family: this run's celery workers, PostgreSQL (its
    background processes and the connections to this run's database), Redis, and this process
    (intake and the test ERP)."""
    totals: dict[str, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
        pid = int(stat.parent.name)
        if pid == os.getpid():
            family = "bench (intake, ERP)"
        elif name.startswith(("postgres", "postmaster")):
            cmdline = _cmdline(pid)
            if ("127.0.0.1(" in cmdline or "[local]" in cmdline) and database not in cmdline:
                continue  # a connection to another database
            family = "postgresql"
        elif name.startswith("redis-server"):
            family = "redis"
        elif token in _cmdline(pid):
            family = "workers" if "worker" in _cmdline(pid) else "beat"
        else:
            continue
        totals[family] = totals.get(family, 0.0) + used
    return totals


def cpu_of(gateway: Gateway) -> dict[str, float]:
    return cpu_seconds(gateway.token, str(gateway.engine.url.database))


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def cpu_per_item(before: dict[str, float], after: dict[str, float], items: int) -> str:
    used = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
    return ", ".join(f"{k} {1000 * v / items:.1f}" for k, v in sorted(used.items()) if v > 0)


def parallel(senders: int, jobs: list[Callable[[], object]]) -> float:
    """Run ``jobs`` on ``senders`` threads; the seconds it took."""
    lock = threading.Lock()
    todo: Iterator[Callable[[], object]] = iter(jobs)
    errors: list[BaseException] = []

    def run() -> None:
        while True:
            with lock:
                job = next(todo, None)
            if job is None:
                return
            try:
                job()
            except BaseException as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=run) for _ in range(senders)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def bare_tasks(gateway: Gateway, *, count: int, workers: int, senders: int) -> tuple[float, str]:
    """Tasks per second of no-op tasks through the same broker and worker settings."""
    counter = f"{gateway.token}:noop-done"
    queue = f"{gateway.queue}-bare"
    env = {**gateway.env, "GATEWAY_QUEUE": queue, "BENCH_COUNTER": counter}
    procs = [
        worker(
            f"{gateway.token}-bare{i + 1}",
            queue=queue,
            env=env,
            directory=gateway.directory,
            app="bench.noop_app",
        )
        for i in range(workers)
    ]
    client = redis.Redis.from_url(gateway.broker_url)
    try:
        for p in procs:
            p.start()
        for p in procs:
            p.wait_ready()

        def send() -> None:
            gateway.celery.send_task(NOOP_TASK, queue=queue)

        cpu_before = cpu_of(gateway)
        start = time.perf_counter()
        parallel(senders, [send] * count)
        if not wait_for(lambda: int(client.get(counter) or 0) >= count, timeout=600):
            raise SystemExit("the bare tasks did not all run in 10 minutes")
        rate = count / (time.perf_counter() - start)
        return rate, cpu_per_item(cpu_before, cpu_of(gateway), count)
    finally:
        for p in procs:
            p.stop()
        client.delete(counter)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        client.close()


def _delivered(gateway: Gateway) -> int:
    with gateway.sessions() as s:
        return s.execute(
            select(func.count())
            .select_from(Document)
            .where(Document.status == DocumentStatus.DELIVERED)
        ).scalar_one()


def _unfinished_steps(gateway: Gateway) -> int:
    with gateway.sessions() as s:
        return s.execute(
            select(func.count()).select_from(Step).where(Step.state != StepState.DONE)
        ).scalar_one()


def _latencies(gateway: Gateway, message_ids: list[uuid.UUID]) -> list[tuple[datetime, datetime]]:
    """(received, delivered_to_erp) of every document of these messages."""
    received = aliased(Event)
    delivered = aliased(Event)
    pairs: list[tuple[datetime, datetime]] = []
    with gateway.sessions() as s:
        for i in range(0, len(message_ids), 1000):
            rows = s.execute(
                select(received.at, delivered.at)
                .join(delivered, delivered.message_id == received.message_id)
                .where(
                    received.kind == "received",
                    delivered.kind == "delivered_to_erp",
                    received.message_id.in_(message_ids[i : i + 1000]),
                )
            ).all()
            pairs.extend((r, d) for r, d in rows)
    return pairs


def _event_at(gateway: Gateway, message_id: uuid.UUID, kind: str) -> datetime:
    with gateway.sessions() as s:
        return s.execute(
            select(func.min(Event.at)).where(Event.message_id == message_id, Event.kind == kind)
        ).scalar_one()


def _percentiles(pairs: list[tuple[datetime, datetime]]) -> tuple[float, float]:
    """p50 and p99 of received -> delivered_to_erp, in milliseconds."""
    latency_ms = sorted((d - r).total_seconds() * 1000 for r, d in pairs)
    p99 = latency_ms[min(len(latency_ms) - 1, int(len(latency_ms) * 0.99))]
    return statistics.median(latency_ms), p99


def _small_payloads(count: int, first: int) -> list[bytes]:
    return [
        interchange(sender="NWHARDWARE", isa13=first + n, po_numbers=[f"BENCH-{first + n:07d}"])
        for n in range(count)
    ]


def paced_latency(gateway: Gateway, *, count: int, rate: float) -> tuple[float, float]:
    """p50/p99 latency of ``count`` documents taken in at ``rate`` a second - below the
    throughput, so it measures the pipeline rather than a queue."""
    before = _delivered(gateway)
    ids: list[uuid.UUID] = []
    start = time.perf_counter()
    for n, payload in enumerate(_small_payloads(count, 900_000)):
        time.sleep(max(0.0, start + n / rate - time.perf_counter()))
        ids.append(gateway.intake(payload).message_id)
    if not wait_for(lambda: _delivered(gateway) - before >= count, timeout=600, interval=0.25):
        raise SystemExit(f"only {_delivered(gateway) - before} of {count} delivered in 10 min")
    wait_for(lambda: _unfinished_steps(gateway) == 0, timeout=300)
    return _percentiles(_latencies(gateway, ids))


def small_documents(
    gateway: Gateway, *, count: int, senders: int, first: int = 100_000
) -> dict[str, Any]:
    before = _delivered(gateway)
    payloads = _small_payloads(count, first)
    ids: list[uuid.UUID] = []

    def job(payload: bytes) -> Callable[[], None]:
        def run() -> None:
            result = gateway.intake(payload)
            if result.status != MessageStatus.RECEIVED:
                raise SystemExit(f"intake refused a benchmark payload: {result.reason}")
            ids.append(result.message_id)

        return run

    cpu_before = cpu_of(gateway)
    intake_s = parallel(senders, [job(p) for p in payloads])
    if not wait_for(lambda: _delivered(gateway) - before >= count, timeout=900, interval=0.25):
        raise SystemExit(f"only {_delivered(gateway) - before} of {count} delivered in 15 min")
    wait_for(lambda: _unfinished_steps(gateway) == 0, timeout=300)  # and the 997s
    cpu = cpu_per_item(cpu_before, cpu_of(gateway), count)
    pairs = _latencies(gateway, ids)
    first = min(r for r, _ in pairs)
    last = max(d for _, d in pairs)
    span = (last - first).total_seconds()
    p50, p99 = _percentiles(pairs)
    return {
        "documents": len(pairs),
        "intake_per_s": count / intake_s,
        "per_s": len(pairs) / span,
        "span_s": span,
        "p50_ms": p50,
        "p99_ms": p99,
        "cpu": cpu,
    }


def big_payload(megabytes: int, seed: int = 850) -> tuple[bytes, int]:
    """An interchange of ``megabytes`` MB of 850s from ZZ:BUYERCO, each PO of 15 header
    segments and 60 lines on average (about 6 KB, so 10 MB holds about 1,700 POs): the
    realistic 850s of bench/translate.py, with more lines each."""
    rng = random.Random(seed)
    out = [
        "ISA*00*          *00*          *ZZ*BUYERCO        *ZZ*DISTRIBUTOR    "
        "*240115*1200*U*00401*000000101*0*P*>~\n",
        "GS*PO*BUYERCO*DISTRIBUTOR*20240115*1200*101*X*004010~\n",
    ]
    size, count = sum(map(len, out)), 0
    while size < megabytes * 1_000_000:
        count += 1
        segments = purchase_order(rng, count)  # 15 header segments, lines, CTT, AMT, SE
        header, items = segments[:15], segments[15:-3]
        groups: list[list[str]] = []
        for seg in items:
            if seg.startswith("PO1*"):
                groups.append([])
            groups[-1].append(seg)
        wanted = rng.randint(40, 80)
        while len(groups) < wanted:
            groups += groups[: wanted - len(groups)]
        lines, n = [], 0
        for group in groups:
            n += 1
            lines += [f"PO1*{n}*" + group[0].split("*", 2)[2], *group[1:]]
        body = [*header, *lines, f"CTT*{n}", segments[-2]]
        body.append(f"SE*{len(body) + 1}*{count:04d}")
        text = "~\n".join(body) + "~\n"
        out.append(text)
        size += len(text)
    out.append(f"GE*{count}*101~\nIEA*1*000000101~\n")
    return "".join(out).encode("ascii"), count


def big_interchange(gateway: Gateway, *, megabytes: int) -> dict[str, Any]:
    payload, orders = big_payload(megabytes)
    before = _delivered(gateway)
    cpu_before = cpu_of(gateway)
    start = time.perf_counter()
    result = gateway.intake(payload)
    intake_s = time.perf_counter() - start
    if result.status != MessageStatus.RECEIVED:
        raise SystemExit(f"intake refused the big interchange: {result.reason}")
    if not wait_for(lambda: _delivered(gateway) - before >= orders, timeout=900, interval=0.1):
        raise SystemExit(f"only {_delivered(gateway) - before} of {orders} delivered in 15 min")
    cpu = cpu_per_item(cpu_before, cpu_of(gateway), orders)
    received = _event_at(gateway, result.message_id, "received")
    translated = _event_at(gateway, result.message_id, "translated")
    pairs = _latencies(gateway, [result.message_id])
    last = max(d for _, d in pairs)
    return {
        "orders": orders,
        "megabytes": len(payload) / 1e6,
        "intake_s": intake_s,
        "translated_s": (translated - received).total_seconds(),
        "delivered_s": (last - received).total_seconds(),
        "cpu": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=2000, help="single-PO interchanges")
    parser.add_argument("--big-mb", type=int, default=10, help="size of the big one (0: skip)")
    parser.add_argument(
        "--warmup", type=int, default=500, help="small 850s run before measuring (0: none)"
    )
    parser.add_argument("--workers", type=int, default=2, help="celery worker processes")
    parser.add_argument("--senders", type=int, default=4, help="intake / send threads")
    parser.add_argument("--bare", type=int, default=4000, help="bare tasks for the baseline")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("EDI_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="a PostgreSQL URL whose user may create databases",
    )
    parser.add_argument(
        "--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    )
    args = parser.parse_args()

    print("$", shlex.join([Path(sys.executable).name, *sys.argv]))
    print(f"# {platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    databases = PostgresDatabases(args.postgres)
    database_url = databases.create()
    receiver = ErpReceiver().start()
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        gateway = Gateway(
            database_url=database_url,
            broker_url=args.redis,
            directory=Path(tmp),
            lease_seconds=300,
            sweep_seconds=5,
            web_dispatch=True,  # as `edi-gateway web` sends: several step ids a message
        )
        try:
            migrate(database_url)
            target = gateway.target_name("erp")
            add_erp_target(
                gateway.sessions,
                gateway.box,
                name=target,
                kind="webhook",
                config={"url": receiver.url},
            )
            add_partner(
                gateway.sessions, name="Northwind", isa="ZZ:NWHARDWARE", erp=target, status="live"
            )
            add_partner(
                gateway.sessions, name="Buyer Co", isa="ZZ:BUYERCO", erp=target, status="live"
            )

            bare, bare_cpu = bare_tasks(
                gateway, count=args.bare, workers=args.workers, senders=args.senders
            )
            print(f"bare no-op tasks       {bare:8.0f} tasks/s   ({args.bare} tasks)")
            print(f"    CPU ms per task: {bare_cpu}")

            for _ in range(args.workers):
                gateway.add_worker()
            gateway.add_beat()
            if args.warmup:
                # a database in service: it has rows, and statistics on them (autovacuum
                # gathers them within its first minute; a fresh database has none, and the
                # plans PostgreSQL caches for its first statements scan whole tables)
                small_documents(gateway, count=args.warmup, senders=args.senders, first=500_000)
                with gateway.engine.connect() as connection:
                    connection.exec_driver_sql("ANALYZE")
                print(f"warm-up: {args.warmup} small 850s through the pipeline, then ANALYZE")
            small = small_documents(gateway, count=args.small, senders=args.senders)
            print(
                f"small 850s             {small['per_s']:8.0f} docs/s    "
                f"({small['per_s'] / bare:.0%} of bare; {small['documents']:.0f} documents in "
                f"{small['span_s']:.1f} s; intake {small['intake_per_s']:.0f}/s; latency "
                f"behind that backlog p50 {small['p50_ms']:.0f} ms, p99 {small['p99_ms']:.0f} ms)"
            )
            print(f"    CPU ms per document: {small['cpu']}")
            rate = small["per_s"] / 2
            p50, p99 = paced_latency(gateway, count=max(50, int(rate * 10)), rate=rate)
            print(
                f"    latency at half that rate ({rate:.0f} docs/s for 10 s): "
                f"p50 {p50:.0f} ms, p99 {p99:.0f} ms"
            )
            if args.big_mb:
                big = big_interchange(gateway, megabytes=args.big_mb)
                print(
                    f"{big['megabytes']:.1f} MB interchange    "
                    f"{big['delivered_s']:8.1f} s        ({big['orders']:.0f} POs: intake "
                    f"{big['intake_s']:.1f} s, translated after {big['translated_s']:.1f} s, "
                    f"all delivered after {big['delivered_s']:.1f} s = "
                    f"{big['orders'] / big['delivered_s']:.0f} docs/s)"
                )
                print(f"    CPU ms per PO: {big['cpu']}")
            print(
                f"targets: small >= 300 docs/s and >= 40% of bare; "
                f"{args.big_mb} MB delivered in <= 10 s"
            )
        finally:
            gateway.close()
            client = redis.Redis.from_url(args.redis)
            try:
                gateway.forget_redis_keys(client)
            finally:
                client.close()
            receiver.stop()
            databases.drop_all()


if __name__ == "__main__":
    main()
