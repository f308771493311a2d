"""The baseline of bench/api.py: a bare FastAPI endpoint that only inserts the request body
into PostgreSQL (same driver, same SQLAlchemy engine defaults as the gateway), served the same
way (uvicorn, same worker count).

    uvicorn --factory bench.api_bare:create --workers 2   (with DATABASE_URL set)
"""

from __future__ import annotations

import os

from fastapi import FastAPI, Request, Response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from gateway.store.engine import make_engine

TABLE = "bench_bare"


def create() -> FastAPI:
    engine = make_engine(os.environ["DATABASE_URL"])
    app = FastAPI()

    def insert(body: bytes) -> None:
        with engine.begin() as conn:
            conn.execute(text(f"INSERT INTO {TABLE} (body) VALUES (:body)"), {"body": body})

    @app.post("/bare", status_code=202)
    async def bare(request: Request) -> Response:
        await run_in_threadpool(insert, await request.body())
        return Response(status_code=202)

    return app
