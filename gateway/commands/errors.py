"""The error every operator command raises on purpose (its own module, so `partners/` and the
command modules can share it without importing each other)."""

from __future__ import annotations

from translators.errors import GatewayError


class CommandError(GatewayError):
    """An operator command cannot be carried out as asked (the message says why)."""
