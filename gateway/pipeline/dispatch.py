"""Dispatchers: how step ids reach a worker.

`CeleryDispatcher` sends the named task with the step id only (the broker carries ids, never
documents). It takes the Celery app as an argument so the gateway never imports `celery_app`;
the composition root wires them together. A failed send is logged and left to the sweeper: the
step is already committed as pending, so nothing is lost when the broker is down.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

log = logging.getLogger("gateway.dispatch")

RUN_STEP_TASK = "gateway.run_step"
SWEEP_TASK = "gateway.sweep"


class CeleryDispatcher:
    def __init__(self, app: Any):
        self._app = app

    def dispatch(self, step_ids: Sequence[uuid.UUID]) -> None:
        for step_id in step_ids:
            try:
                self._app.send_task(RUN_STEP_TASK, args=[str(step_id)])
            except Exception:  # broker down: the sweeper re-dispatches from the database
                log.warning("could not dispatch step %s; the sweeper will", step_id, exc_info=True)
