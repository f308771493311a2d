"""The production web app as an ASGI factory, for servers that start several worker processes:

    uvicorn --factory gateway.asgi:create --workers 4 --host 0.0.0.0 --port 8080

Each worker builds its own runtime from the environment (DATABASE_URL, REDIS_URL,
GATEWAY_SECRET_KEY), exactly as `edi-gateway web` does; run the migrations first
(`edi-gateway web` does it at start, or `alembic upgrade head`).
"""

from __future__ import annotations

from fastapi import FastAPI


def create() -> FastAPI:
    from celery_app.app import app as celery
    from gateway.api import create_app
    from gateway.pipeline.dispatch import BatchingDispatcher
    from gateway.settings import get_settings
    from gateway.wiring import build_runtime

    settings = get_settings()
    runtime = build_runtime(dispatcher=BatchingDispatcher(celery), settings=settings)
    return create_app(runtime=runtime, settings=settings)
