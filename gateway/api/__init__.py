"""The HTTP API (FastAPI): partner ingress and mailbox, message status, tracing, dead letters."""

from gateway.api.app import create_app

__all__ = ["create_app"]
