"""Celery configuration. Tasks carry step ids; the database holds the state.

`acks_late` with `task_reject_on_worker_lost` and a prefetch of one keep at most one step per
worker in flight; the broker's visibility timeout is longer than any step's lease, and recovery
after a killed worker does not rely on the broker at all: beat runs the database sweeper, which
re-dispatches steps whose lease expired.
"""

from __future__ import annotations

import os

from celery import Celery

SWEEP_SECONDS = float(os.environ.get("GATEWAY_SWEEP_SECONDS", "5"))
# Workers, beat and whoever dispatches must agree on it; tests give each run its own.
QUEUE = os.environ.get("GATEWAY_QUEUE") or "gateway"


def broker_url() -> str:
    return os.environ.get("REDIS_URL") or "memory://"


app = Celery("edi_gateway", include=["celery_app.tasks"])
app.conf.update(
    broker_url=broker_url(),
    task_ignore_result=True,
    result_backend=None,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": 3600},
    task_default_queue=QUEUE,
    worker_hijack_root_logger=False,
    beat_schedule={
        "sweep": {"task": "gateway.sweep", "schedule": SWEEP_SECONDS},
    },
    timezone="UTC",
)
