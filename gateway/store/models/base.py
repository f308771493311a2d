"""The declarative base: one metadata, with constraint names both databases agree on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, MetaData, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gateway.store.types import UTCDateTime, utcnow

# Explicit names keep migrations portable: SQLite's batch mode can only drop or alter a
# constraint it can name, and PostgreSQL's generated names would differ from SQLite's.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def sparse_index(name: str, column: str) -> Index:
    """An index of the rows that have a value in `column` (most leave it empty): a lookup by
    value uses it, and a row without one writes no entry."""
    where = text(f"{column} IS NOT NULL")
    return Index(name, column, postgresql_where=where, sqlite_where=where)
