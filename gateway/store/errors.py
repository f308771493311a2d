"""Errors raised by the store::

    GatewayError
    └── StoreError
        ├── AppendOnlyError     an attempt to change a row that is only ever inserted
        └── MigrationError      the database schema could not be brought up to date

Database driver errors are mapped to these at the store's boundary only where a caller can
act on them; anything else is a bug or an outage and propagates as SQLAlchemy raised it.
"""

from __future__ import annotations

from translators.errors import GatewayError


class StoreError(GatewayError):
    """Root of the store's errors."""


class AppendOnlyError(StoreError):
    """Timeline events are inserted, never changed."""


class MigrationError(StoreError):
    """Upgrading the schema failed or left it inconsistent."""

    def __init__(self, message: str, *, url: str):
        super().__init__(message)
        self.url = url
