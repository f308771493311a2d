"""The baseline of bench/pipeline.py: a Celery app with one task that does nothing but count
itself done (one Redis INCR, so the bench knows when all have run), configured exactly like
`celery_app` - same broker, acks, prefetch, visibility timeout - and run by the same
`celery worker` command line.

    celery -A bench.noop_app worker ...   (with REDIS_URL, GATEWAY_QUEUE and BENCH_COUNTER set)
"""

from __future__ import annotations

import os
from functools import cache

import redis
from celery import Celery

from celery_app.app import app as gateway_app

NOOP_TASK = "bench.noop"
SAME_SETTINGS = (
    "broker_url",
    "task_ignore_result",
    "result_backend",
    "task_acks_late",
    "task_reject_on_worker_lost",
    "worker_prefetch_multiplier",
    "broker_connection_retry_on_startup",
    "broker_transport_options",
    "task_default_queue",
    "worker_hijack_root_logger",
    "timezone",
)

app = Celery("bench_noop", set_as_current=False)
app.conf.update({name: gateway_app.conf[name] for name in SAME_SETTINGS})


@cache
def _counter() -> redis.Redis:
    return redis.Redis.from_url(os.environ["REDIS_URL"])


@app.task(name=NOOP_TASK, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def noop() -> None:
    _counter().incr(os.environ["BENCH_COUNTER"])
