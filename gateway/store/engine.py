"""Engines and sessions for SQLite (embedded mode) and PostgreSQL (production).

SQLite is made fit for a multi-threaded worker: WAL (readers never block the writer), foreign
keys enforced, a busy timeout instead of immediate "database is locked", full fsync (the
partner is answered after commit, so a commit must survive a power cut), and every
transaction begins with BEGIN IMMEDIATE: a transaction that reads and then writes would
otherwise fail to upgrade its lock under contention instead of waiting for it. Writes are
thereby serialised, which is what SQLite does anyway.

PostgreSQL URLs of any spelling (`postgres://`, `postgresql://`) use psycopg 3. Its pool keeps
`GATEWAY_DB_POOL_SIZE` connections (default 20) and opens up to `GATEWAY_DB_MAX_OVERFLOW` more
(default 10) under bursts: a web process serves up to 40 requests at once in its thread pool,
and with SQLAlchemy's default of 5 most of them opened and closed a connection of their own -
a new PostgreSQL backend process each time, which cost the HTTP intake 90% of its throughput.
A pooled connection is checked before use only when it sat idle for a few seconds
(`_ping_when_idle`), not before every transaction.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from gateway.store.types import json_bytes, json_text

SQLITE_BUSY_TIMEOUT_MS = 30_000
DEFAULT_POOL_SIZE = 20
DEFAULT_MAX_OVERFLOW = 10
# A pooled PostgreSQL connection idle this long is checked before it is used again.
PING_AFTER_IDLE_SECONDS = 5.0


def _pool_setting(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ValueError(f"{name}={raw!r}: expected a whole number of connections")
    return int(raw)


def normalize_url(url: str | URL) -> URL:
    """The URL with its driver made explicit (psycopg 3 for PostgreSQL)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(
    url: str | URL,
    *,
    foreign_keys: bool = True,
    ping_after_idle: float = PING_AFTER_IDLE_SECONDS,
    **kwargs: Any,
) -> Engine:
    """An engine for `url`. `foreign_keys=False` is for SQLite schema migrations only: batch
    mode rebuilds tables, which must not cascade into the rows that refer to them.

    JSON columns (canonical documents, channel metadata, event details) are written and read
    with orjson: several values a document at every step, where the standard library's
    encoder and decoder took a tenth of a worker's time."""
    parsed = normalize_url(url)
    kwargs.setdefault("json_deserializer", orjson.loads)
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("json_serializer", json_text)  # sqlite3 would store bytes as a BLOB
        return _sqlite_engine(parsed, foreign_keys=foreign_keys, **kwargs)
    kwargs.setdefault("json_serializer", json_bytes)  # psycopg sends bytes as they are
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", _pool_setting("GATEWAY_DB_POOL_SIZE", DEFAULT_POOL_SIZE))
        kwargs.setdefault(
            "max_overflow", _pool_setting("GATEWAY_DB_MAX_OVERFLOW", DEFAULT_MAX_OVERFLOW)
        )
    engine = create_engine(parsed, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine, ping_after_idle)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use when it sat idle `idle_seconds` or more (or is
    new): a server restart or an idle timeout cuts connections that wait in the pool, and
    the checkout then connects anew instead of handing over a dead one. A connection that
    came back within the interval is used as it is. SQLAlchemy's `pool_pre_ping` pings at
    every checkout - a round trip before every transaction, and a worker runs several for
    each batch of steps."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool discards it and connects anew
            raise DisconnectionError(f"a pooled connection was lost while idle: {exc}") from exc


def _sqlite_engine(url: URL, *, foreign_keys: bool, **kwargs: Any) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module (it would BEGIN lazily, and
        # never before DDL); `_on_begin` emits the BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # Objects stay readable after commit: services return rows the caller reports on.
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    with factory() as session, session.begin():
        yield session
