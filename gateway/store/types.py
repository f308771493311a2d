"""Column types and id generation shared by every table.

- `UTCDateTime`: timestamps are timezone-aware UTC in Python on both databases (SQLite stores
  no offset, so values are normalised to UTC going in and marked UTC coming out).
- `JSONDocument`: JSON on SQLite, JSONB on PostgreSQL.
- `str_enum`: a closed set of values stored as VARCHAR with a CHECK constraint (no native
  PostgreSQL enum types: adding a value stays a plain migration on both databases).
- `new_id`: UUIDv7 ids, time-ordered so the primary-key index of a busy table grows at its end.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import JSON, DateTime, Dialect, Enum
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

JSONDocument: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")


def json_bytes(value: Any) -> bytes:
    """A JSON column's value as the store writes it (orjson; keys that are not strings, such
    as numbers, written as strings)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def json_text(value: Any) -> str:
    return json_bytes(value).decode()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored as UTC; naive datetimes are refused (they hide bugs)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: use an aware datetime (UTC)")
        value = value.astimezone(UTC)
        # SQLite keeps the text without an offset; one fixed zone keeps comparisons right.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_class: type[StrEnum], name: str) -> Enum:
    """VARCHAR + CHECK constraint holding the enum's values (not its member names)."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then a 12-bit counter, then randomness.

    Within one process ids are strictly increasing (the counter orders ids made in the same
    millisecond), so rows created in sequence sort in sequence.
    """
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _counter = ms, int.from_bytes(os.urandom(2), "big") & 0x3FF
        else:
            _counter += 1
            if _counter > 0xFFF:  # 4,096 ids in one millisecond: borrow the next one
                _last_ms, _counter = _last_ms + 1, 0
        ms, counter = _last_ms, _counter
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    return uuid.UUID(int=(ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | rand)
