"""Statements whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from gateway.store.models import Base


def insert_ignoring_conflicts(
    session: Session,
    model: type[Base],
    values: dict[str, Any],
    *,
    index_elements: Sequence[str] | None = None,
) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING (on `index_elements`, or on any unique constraint)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return (
            postgresql.insert(model)
            .values(**values)
            .on_conflict_do_nothing(index_elements=index_elements)
        )
    if dialect == "sqlite":
        return (
            sqlite.insert(model)
            .values(**values)
            .on_conflict_do_nothing(index_elements=index_elements)
        )
    raise NotImplementedError(f"the store supports SQLite and PostgreSQL, not {dialect}")
