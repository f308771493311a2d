"""Migrations build the schema from an empty database on SQLite and PostgreSQL, and match the
models exactly (what `alembic check` verifies)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.pool import NullPool

from gateway.store import make_engine, migrate
from gateway.store.migrate import alembic_config
from gateway.store.models import Base


def table_names(url: str) -> set[str]:
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table(empty_url: str) -> None:
    assert table_names(empty_url) == set()
    migrate(empty_url)
    assert table_names(empty_url) == set(Base.metadata.tables) | {"alembic_version"}


def test_models_and_migrations_agree(empty_url: str) -> None:
    migrate(empty_url)
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
    command.check(alembic_config(empty_url))  # what `alembic check` runs: raises on a difference


def test_migrate_is_idempotent_and_reversible(empty_url: str) -> None:
    migrate(empty_url)
    migrate(empty_url)
    command.downgrade(alembic_config(empty_url), "base")
    assert table_names(empty_url) == {"alembic_version"}
    migrate(empty_url)
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config(empty_url)).get_current_head()
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    finally:
        engine.dispose()


def test_each_revision_upgrades_a_database_holding_rows(empty_url: str) -> None:
    migrate(empty_url, revision="0001")
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            # the partners table as it is at 0001
            conn.execute(
                text(
                    "INSERT INTO partners (id, name, role, status, duplicate_policy, ack_kind,"
                    " ack_window_minutes, created_at, updated_at) VALUES (:id, 'P', 'customer',"
                    " 'testing', 'reject', '997', 60, :now, :now)"
                ),
                {
                    "id": uuid.uuid4().hex if conn.dialect.name == "sqlite" else uuid.uuid4(),
                    "now": datetime.now(UTC),
                },
            )
        migrate(empty_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM partners")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM api_keys")).scalar() == 0
            # 0003: the partner keeps its row and gets the registry's defaults
            row = conn.execute(text("SELECT ta1_policy, x12_version FROM partners")).one()
            assert tuple(row) == ("on_request", "004010")
        command.downgrade(alembic_config(empty_url), "0001")
        assert "api_keys" not in table_names(empty_url)
    finally:
        engine.dispose()


def test_sqlite_connections_are_configured(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/x/gateway.db")  # the directory is created
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        engine.dispose()


def test_postgres_urls_use_psycopg() -> None:
    from gateway.store import normalize_url

    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite"
