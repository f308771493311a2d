"""Web UI speed with a big store: time to first byte and full load of the dashboard and of the
trace page (by control number and by PO number), beside the bare psycopg SQL lookup of the
same thing, in the same run.

    .venv/bin/python bench/ui.py                       # 1,000,000 documents (a few minutes)
    .venv/bin/python bench/ui.py --documents 100000    # smaller
    .venv/bin/python bench/ui.py --reuse gw_bench_ui   # a database a previous run kept

It creates a PostgreSQL database (EDI_BENCH_POSTGRES_URL, default the local server), migrates
it, registers 20 partners through the registry and bulk-loads the messages, envelopes and
documents with generate_series (one document per message, a month of traffic, purchase
orders with their 855/856/810, some chains left incomplete, a few dead-lettered steps). The UI
runs in its own uvicorn process; the client logs in through the login form like a browser.
When Debian's Chromium is there, the browser's load event (page, CSS and htmx) is timed too.

Targets: trace <= 300 ms, dashboard <= 1 s (full load).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get(
    "EDI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SECRET = "bench-secret-key-with-enough-length-0123456789"
PASSWORD = "bench password long enough"
PARTNERS = 20
RUNS = 20
WARMUP = 3
CHROMIUM = Path("/usr/bin/chromium")


def _url(database: str, driver: str = "postgresql") -> str:
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}".replace("postgresql://", f"{driver}://", 1)


LOAD_SQL = """
INSERT INTO blobs (sha256, size, data, created_at) VALUES ('bench', 1, '\\x00', now());
CREATE TEMP TABLE bench_p AS SELECT (row_number() OVER (ORDER BY name)) - 1 AS n, id FROM partners;
CREATE TEMP TABLE bench_i AS
  SELECT i,
    (ARRAY['order','order_ack','ship_notice','invoice'])[i % 4 + 1] AS kind,
    CASE WHEN (i / 4) % 50 = 0 AND i % 4 > 0 THEN 'X' ELSE 'PO' END || (i / 4) AS po,
    now() - i * (interval '{days} days' / {n}) AS at
  FROM generate_series(1, {n}) AS i;
INSERT INTO messages (id, direction, partner_id, channel, channel_meta, sha256, size, status,
                      received_at, updated_at, is_test)
  SELECT md5('m' || i)::uuid, CASE WHEN kind = 'order' THEN 'inbound' ELSE 'outbound' END,
         p.id, 'api', jsonb_build_object('file', 'f' || i || '.x12'), 'bench', 1, 'delivered',
         at, at, false
  FROM bench_i JOIN bench_p p ON p.n = i % {partners};
INSERT INTO interchanges (id, message_id, position, isa13, sender_qualifier, sender_id,
                          receiver_qualifier, receiver_id, version, is_test)
  SELECT md5('i' || i)::uuid, md5('m' || i)::uuid, 1, lpad(i::text, 9, '0'), 'ZZ',
         'SENDER' || (i % {partners}), 'ZZ', 'ACME', '00401', false
  FROM bench_i;
INSERT INTO functional_groups (id, interchange_id, position, gs01, gs06, gs08)
  SELECT md5('g' || i)::uuid, md5('i' || i)::uuid, 1, 'PO', (i + 500000000)::text, '004010'
  FROM bench_i;
INSERT INTO transaction_sets (id, group_id, position, st01, st02, accepted, errors)
  SELECT md5('t' || i)::uuid, md5('g' || i)::uuid, 1,
         CASE kind WHEN 'order' THEN '850' WHEN 'order_ack' THEN '855'
                   WHEN 'ship_notice' THEN '856' ELSE '810' END,
         lpad((i % 10000)::text, 4, '0'), true, '[]'
  FROM bench_i;
INSERT INTO documents (id, message_id, transaction_set_id, direction, document_type, canonical,
                       po_number, invoice_number, shipment_id, status, created_at, updated_at)
  SELECT md5('d' || i)::uuid, md5('m' || i)::uuid, md5('t' || i)::uuid,
         CASE WHEN kind = 'order' THEN 'inbound' ELSE 'outbound' END, kind,
         CASE WHEN kind = 'order_ack' THEN jsonb_build_object('lines', jsonb_build_array(
              jsonb_build_object('scheduled_date', to_char(at + interval '3 days', 'YYYY-MM-DD'))))
              ELSE jsonb_build_object('document_type', kind) END,
         po, CASE WHEN kind = 'invoice' THEN 'INV' || i END,
         CASE WHEN kind = 'ship_notice' THEN 'SH' || i END, 'delivered', at, at
  FROM bench_i;
INSERT INTO acknowledgments (id, kind, direction, message_id, acknowledges_message_id,
                             group_control_number, status, detail, created_at)
  SELECT md5('a' || i)::uuid, '997', 'inbound', NULL, md5('m' || i)::uuid,
         (i + 500000000)::text, 'accepted', '{}', at + interval '5 minutes'
  FROM bench_i WHERE kind <> 'order' AND i % 100 <> 7;
INSERT INTO steps (id, message_id, document_id, kind, state, attempts, max_attempts, last_error,
                   created_at, updated_at)
  SELECT md5('s' || i)::uuid, md5('m' || i)::uuid, md5('d' || i)::uuid, 'deliver_erp', 'dead',
         10, 10, 'ERP answered 400: unknown item AC-' || (i % 7), now(), now()
  FROM bench_i WHERE i % 2000 = 0;
"""


def load(database: str, documents: int, days: int) -> float:
    from gateway.commands.admin import add_erp_target
    from gateway.secretbox import SecretBox
    from gateway.store import make_engine, make_session_factory, migrate
    from gateway.users import add_user
    from partners.registry import create_partner

    started = time.perf_counter()
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    url = _url(database, "postgresql+psycopg")
    migrate(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    add_erp_target(sessions, SecretBox(SECRET), name="demo", kind="demo", config={})
    for n in range(PARTNERS):
        create_partner(sessions, name=f"Partner {n:02d}", isa=f"ZZ:SENDER{n}", erp="demo")
    add_user(sessions, "bench", PASSWORD, role="read-only")
    engine.dispose()
    with psycopg.connect(_url(database)) as conn:
        sql = (
            LOAD_SQL.replace("{n}", str(int(documents)))
            .replace("{partners}", str(PARTNERS))
            .replace("{days}", str(int(days)))
        )
        conn.execute(sql.encode())
        conn.commit()
    with psycopg.connect(_url(database), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def serve(database: str, port: int) -> None:
    """The UI process: the gateway's app on the bench database."""
    import uvicorn

    from gateway.api import create_app
    from gateway.erp.circuit import CircuitBreakers
    from gateway.pipeline import CollectingDispatcher, Runtime
    from gateway.secretbox import SecretBox
    from gateway.settings import Settings
    from gateway.store import make_engine, make_session_factory
    from gateway.wiring import StoreErpGateway

    url = _url(database, "postgresql+psycopg")
    runtime = Runtime(
        sessions=make_session_factory(make_engine(url)),
        dispatcher=CollectingDispatcher(),
        erp=StoreErpGateway(SecretBox(SECRET), CircuitBreakers()),
    )
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), database_url=url, secret_key=SECRET)
    app = create_app(runtime=runtime, settings=settings)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _login(client: httpx.Client) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no login form"
    done = client.post(
        "/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert done.status_code == 303, done.text


def _timed_page(client: httpx.Client, path: str) -> tuple[float, float, str]:
    """(time to first byte of the first response, full load through any redirect, final path)."""
    start = time.perf_counter()
    with client.stream("GET", path) as response:
        ttfb = time.perf_counter() - start
        response.read()
        location = response.headers.get("location")
        final = path
    if response.status_code == 303 and location:
        with client.stream("GET", location) as followed:
            followed.read()
            assert followed.status_code == 200, followed.status_code
        final = location
    else:
        assert response.status_code == 200, response.status_code
    return ttfb, time.perf_counter() - start, final


def _timed_sql(conn: psycopg.Connection[Any], sql: str, params: tuple[Any, ...]) -> float:
    start = time.perf_counter()
    conn.execute(sql, params).fetchall()
    return time.perf_counter() - start


def _stats(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(values) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"


def _browser_load(base: str, cookies: httpx.Cookies, paths: list[str]) -> dict[str, float]:
    if not CHROMIUM.exists():
        return {}
    from playwright.sync_api import sync_playwright

    results: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context()
        context.add_cookies(
            [{"name": c.name, "value": c.value or "", "url": base} for c in cookies.jar]
        )
        page = context.new_page()
        for path in paths:
            times = []
            for run in range(WARMUP + 5):
                start = time.perf_counter()
                page.goto(base + path, wait_until="load")
                if run >= WARMUP:
                    times.append(time.perf_counter() - start)
            results[path] = statistics.median(times)
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument(
        "--days", type=int, default=365, help="the history they span (365: a year of traffic)"
    )
    parser.add_argument("--reuse", help="an existing bench database (skips the load)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return

    database = args.reuse or f"gw_bench_ui_{secrets.token_hex(4)}"
    if not args.reuse:
        print(
            f"loading {args.documents:,} documents over {args.days} days into {database} ...",
            flush=True,
        )
        print(f"  loaded in {load(database, args.documents, args.days):.1f} s", flush=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", database, "--port", str(port)], cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the UI process did not start") from None
                time.sleep(0.2)
        with psycopg.connect(_url(database)) as conn:
            count = conn.execute("SELECT count(*) FROM documents").fetchone()
            n = int(count[0]) if count else 0
            # a purchase order and an interchange in the middle of the month
            group = n // 8 + 1
            if group % 50 == 0:  # one in fifty orders has a broken chain: pick a whole one
                group += 1
            po = f"PO{group}"
            isa13 = f"{4 * group + 1:09d}"
            today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            cases = [
                (
                    "dashboard",
                    "/?refresh=1",
                    "SELECT m.partner_id, d.document_type, count(*) FROM documents d "
                    "JOIN messages m ON m.id = d.message_id WHERE d.created_at >= %s "
                    "GROUP BY 1, 2",
                    (today,),
                ),
                (
                    "dashboard (15 s cache)",
                    "/",
                    "SELECT m.partner_id, d.document_type, count(*) FROM documents d "
                    "JOIN messages m ON m.id = d.message_id WHERE d.created_at >= %s "
                    "GROUP BY 1, 2",
                    (today,),
                ),
                (
                    "trace by ISA13",
                    f"/trace?q={isa13}",
                    "SELECT message_id FROM interchanges WHERE isa13 = %s",
                    (isa13,),
                ),
                (
                    "trace by PO",
                    f"/trace?q={po}",
                    "SELECT message_id FROM documents WHERE po_number = %s",
                    (po,),
                ),
                (
                    "trace, no match",
                    "/trace?q=NO-SUCH-KEY",
                    "SELECT message_id FROM documents WHERE po_number = %s",
                    ("NO-SUCH-KEY",),
                ),
            ]
            print(f"\n{n:,} documents; {RUNS} runs each after {WARMUP} warm-up runs\n")
            with httpx.Client(base_url=base, timeout=60) as client:
                _login(client)
                for name, path, sql, params in cases:
                    ttfbs, fulls, sqls = [], [], []
                    final = path
                    for run in range(WARMUP + RUNS):
                        ttfb, full, final = _timed_page(client, path)
                        took = _timed_sql(conn, sql, params)
                        if run >= WARMUP:
                            ttfbs.append(ttfb)
                            fulls.append(full)
                            sqls.append(took)
                    print(f"{name:22s} GET {path}  (-> {final.split('?')[0]})")
                    print(f"  UI  first byte  {_stats(ttfbs)}")
                    print(f"  UI  full load   {_stats(fulls)}")
                    print(f"  SQL bare lookup {_stats(sqls)}   (baseline: psycopg, same query)")
                loads = _browser_load(base, client.cookies, [c[1] for c in cases])
            if loads:
                print("\nbrowser load event (Chromium, page + CSS + htmx), median of 5:")
                for path, took in loads.items():
                    print(f"  {path:30s} {took * 1000:7.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep and not args.reuse:
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        elif not args.reuse:
            print(f"\nkept database {database} (--reuse {database} to run again)")


if __name__ == "__main__":
    main()
