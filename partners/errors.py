"""What the registry refuses, and why. The HTTP API answers each kind with its own status;
the CLI prints the message.

    GatewayError
    └── CommandError                    (gateway.commands.errors)
        └── RegistryError
            ├── NotFoundError           no such partner, identity or key (404)
            ├── ConflictError           clashes with the registry as it is: a name or ISA id
            │                           taken, a transition not allowed, an unknown ERP target
            │                           (409)
            └── InvalidError            a value that can never be right, with its `field` (422)
"""

from __future__ import annotations

from gateway.commands.errors import CommandError


class RegistryError(CommandError):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFoundError(RegistryError):
    pass


class ConflictError(RegistryError):
    pass


class InvalidError(RegistryError):
    pass
