"""Alembic migrations of the store; `gateway.store.migrate` runs them."""
