"""Thin tasks: they take ids and call one service function."""

from __future__ import annotations

import logging
import uuid
from functools import cache

from celery_app.app import app
from gateway.pipeline import Runtime, run_step, run_steps, sweep
from gateway.pipeline.dispatch import RUN_STEP_TASK, RUN_STEPS_TASK, SWEEP_TASK, CeleryDispatcher
from gateway.wiring import build_runtime

log = logging.getLogger("gateway.tasks")


@cache
def runtime() -> Runtime:
    """One runtime per worker process (engine pool, ERP adapters, circuit breakers)."""
    return build_runtime(dispatcher=CeleryDispatcher(app))


@app.task(name=RUN_STEP_TASK, acks_late=True, reject_on_worker_lost=True)
def run_step_task(step_id: str) -> str | None:
    state = run_step(runtime(), uuid.UUID(step_id))
    return state.value if state else None


@app.task(name=RUN_STEPS_TASK, acks_late=True, reject_on_worker_lost=True)
def run_steps_task(step_ids: list[str]) -> int:
    """Several steps sent in one message (the web tier's `BatchingDispatcher`)."""
    return run_steps(runtime(), [uuid.UUID(s) for s in step_ids])


@app.task(name=SWEEP_TASK)
def sweep_task() -> int:
    return len(sweep(runtime()))
