"""Statements whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
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
    return ignoring_conflicts(session, model, index_elements=index_elements).values(**values)


def ignoring_conflicts(
    session: Session, model: type[Base], *, index_elements: Sequence[str] | None = None
) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING with no values: executed with a list of rows, one
    statement for them all. Built once per dialect, model and conflict target."""
    dialect = session.get_bind().dialect.name
    return _ignoring_conflicts(dialect, model, tuple(index_elements or ()) or None)


@cache
def _ignoring_conflicts(
    dialect: str, model: type[Base], index_elements: tuple[str, ...] | None
) -> Insert:
    if dialect == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing(index_elements=index_elements)
    if dialect == "sqlite":
        return sqlite.insert(model).on_conflict_do_nothing(index_elements=index_elements)
    raise NotImplementedError(f"the store supports SQLite and PostgreSQL, not {dialect}")
