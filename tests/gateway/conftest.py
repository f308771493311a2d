"""Database fixtures: every store test runs on SQLite (a temporary file) and on the real
PostgreSQL (127.0.0.1:5432, user postgres; override with EDI_TEST_POSTGRES_URL).

Each test session creates throwaway PostgreSQL databases (`gw_test_<random>`) and drops them
at the end. When PostgreSQL is not reachable its tests are skipped with the reason shown, or
fail when EDI_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from gateway.store import make_engine, make_session_factory, migrate
from gateway.store.models import Base

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", "postgresql"]


def services_required() -> bool:
    return os.environ.get("EDI_REQUIRE_SERVICES", "") not in ("", "0")


class PostgresDatabases:
    """Creates empty throwaway databases on one server and drops them all at the end."""

    def __init__(self, admin_url: str):
        self.admin_url = make_url(admin_url).set(drivername="postgresql+psycopg")
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        conninfo = self.admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=3)

    def check(self) -> None:
        with self._admin() as conn:
            conn.execute("SELECT 1")

    def create(self) -> str:
        name = f"gw_test_{secrets.token_hex(6)}"
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self._admin() as conn:
            for name in self.created:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self.created.clear()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(os.environ.get("EDI_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    try:
        databases.check()
    except psycopg.OperationalError as exc:
        where = databases.admin_url.render_as_string(hide_password=True)
        reason = f"PostgreSQL is not reachable at {where}: {' '.join(str(exc).split())}"
        if services_required():
            pytest.fail(f"{reason} (EDI_REQUIRE_SERVICES is set: start it, e.g. with .ci/run)")
        pytest.skip(f"{reason} (start it, or set EDI_TEST_POSTGRES_URL)")
    yield databases
    databases.drop_all()


def empty_database(backend: str, request: pytest.FixtureRequest, directory: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{directory / 'gateway.db'}"
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    return databases.create()


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new database with nothing in it."""
    return empty_database(request.param, request, tmp_path)


@pytest.fixture(scope="session", params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head, shared by the session (tests empty it after use)."""
    url = empty_database(request.param, request, tmp_path_factory.mktemp("store"))
    migrate(url)
    return url


def _empty_tables(engine: Engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = make_engine(store_url)
    try:
        yield engine
    finally:
        _empty_tables(engine)
        engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def backend(engine: Engine) -> str:
    return engine.dialect.name
