"""Bring a database's schema up to date, programmatically (`edi-gateway serve` on first start,
the production deploy step) or with the `alembic` command from the repository root."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, text
from sqlalchemy.pool import NullPool

from gateway.store.engine import make_engine, normalize_url
from gateway.store.errors import MigrationError

SCRIPT_LOCATION = "gateway.store:migrations"


def alembic_config(url: str | URL) -> Config:
    """An Alembic configuration for `url`, independent of any ini file."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    # Passed as an attribute, not a main option: ini interpolation would mangle a `%` in a
    # password.
    config.attributes["url"] = normalize_url(url).render_as_string(hide_password=False)
    return config


def migrate(url: str | URL, *, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision` (default: the latest)."""
    command.upgrade(alembic_config(url), revision)
    if normalize_url(url).get_backend_name() == "sqlite":
        _check_sqlite_foreign_keys(url)


def _check_sqlite_foreign_keys(url: str | URL) -> None:
    # SQLite migrations run with foreign keys off (batch mode rebuilds tables), so check
    # afterwards that no migration left a dangling reference.
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            broken = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
    finally:
        engine.dispose()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise MigrationError(
            f"the migration left rows with dangling foreign keys in {', '.join(tables)}",
            url=normalize_url(url).render_as_string(hide_password=True),
        )
