"""A pooled PostgreSQL connection that sat idle is checked before use: one the server cut
(a restart, an idle timeout) is replaced instead of failing the next transaction."""

from __future__ import annotations

import time

from sqlalchemy import text

from gateway.store import make_engine
from tests.gateway.conftest import PostgresDatabases


def test_a_connection_cut_while_idle_is_replaced_at_checkout(
    postgres_databases: PostgresDatabases,
) -> None:
    url = postgres_databases.create()
    engine = make_engine(url, ping_after_idle=0.2, pool_size=1, max_overflow=0)
    admin = make_engine(url)
    try:
        with engine.connect() as connection:
            first = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with admin.connect() as connection:  # the server cuts the pooled connection
            cut = connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            assert cut.scalar_one() is True
        time.sleep(0.3)  # idle longer than the interval: checked at checkout
        with engine.connect() as connection:
            second = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second != first
    finally:
        engine.dispose()
        admin.dispose()
