"""The registry's tests run on SQLite and on the real PostgreSQL, with the store fixtures of
tests/gateway/conftest.py."""

from tests.gateway.conftest import (  # noqa: F401 - fixtures
    backend,
    engine,
    postgres_databases,
    sessions,
    store_url,
)
