"""Alembic environment: the same migrations for SQLite and PostgreSQL.

The database URL comes from `config.attributes["url"]` (set by `gateway.store.migrate`),
else `sqlalchemy.url` in the ini file, else the gateway's settings (`DATABASE_URL`).
`render_as_batch` lets later migrations alter tables on SQLite; `compare_type` makes
autogenerate see type changes.
"""

from __future__ import annotations

import logging.config
import os

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.pool import NullPool

from gateway.store.engine import make_engine
from gateway.store.models import Base

# Any 64-bit constant: serialises concurrent upgrades (several processes starting at once).
MIGRATION_LOCK_ID = 0x6564_6967_7477_7931

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and config.file_config.has_section("loggers"):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    url = (
        config.attributes.get("url")
        or config.get_main_option("sqlalchemy.url")
        or os.environ.get("DATABASE_URL")
    )
    if not url:  # the embedded default, under GATEWAY_DATA_DIR
        from gateway.settings import get_settings

        url = get_settings().database_url
    return str(url)


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        # The store's SQLite engine emits BEGIN itself, so DDL is transactional there too.
        transactional_ddl=True if sqlite else None,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url(), foreign_keys=False, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
