"""Dispatchers: how step ids reach a worker.

`CeleryDispatcher` sends the named task with the step id only (the broker carries ids, never
documents). It takes the Celery app as an argument so the gateway never imports `celery_app`;
the composition root wires them together. A failed send is logged and left to the sweeper: the
step is already committed as pending, so nothing is lost when the broker is down.

`BatchingDispatcher` is the web tier's: `dispatch` queues the ids and returns at once, and a
background thread sends what has queued up, several ids to a message (`run_steps`), so a busy
web process pays one broker message per batch instead of one per request, and no request
waits on the broker. It sends at most one message per `linger` (unless a full batch is
waiting): an id that arrives after a quiet spell goes out at once, and under load the ids of
each interval go together. Ids still queued when the process dies are not lost either: their steps
are committed as pending, and the sweeper dispatches them once the dispatch grace has passed.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any

log = logging.getLogger("gateway.dispatch")

RUN_STEP_TASK = "gateway.run_step"
RUN_STEPS_TASK = "gateway.run_steps"
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


class BatchingDispatcher:
    """Sends step ids from a background thread, up to `batch` of them per message.

    Messages go at least `linger` seconds apart: an id arriving after a quiet spell goes at
    once, one arriving sooner waits for the rest of the interval (or until `batch` ids wait),
    so the ids of the requests in flight go together. At 240 requests a second a message
    carried one or two ids when each waited 5 ms after the first - the broker's client cost
    the web tier a quarter of its CPU. One id goes out as `run_step`, several as one
    `run_steps`."""

    def __init__(self, app: Any, *, batch: int = 16, linger: float = 0.025):
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self._app = app
        self._batch = batch
        self._linger = linger
        self._pending: list[uuid.UUID] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closing = False
        self._exit_hook = False
        self._last_sent = float("-inf")

    def dispatch(self, step_ids: Sequence[uuid.UUID]) -> None:
        if not step_ids:
            return
        with self._wake:
            idle = not self._pending  # else the thread is lingering or will find these
            self._pending.extend(step_ids)
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._start()
            elif idle or len(self._pending) >= self._batch:
                self._wake.notify()

    def close(self, timeout: float = 5.0) -> None:
        """Send what is queued and stop the thread (the next `dispatch` starts it again)."""
        with self._wake:
            thread = self._thread if self._pid == os.getpid() else None
            self._closing = True
            self._wake.notify()
        if thread is not None:
            thread.join(timeout)
        with self._wake:
            self._closing = False
            left, self._pending = self._pending, []
            self._thread = None
        self._send(left)  # the thread did not start (or did not finish in time)

    def _start(self) -> None:
        # in a forked child the parent's thread does not exist: start one of our own
        self._pid = os.getpid()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="step-dispatcher", daemon=True)
        self._thread.start()
        if not self._exit_hook:  # a stopping server sends what it has queued
            atexit.register(self.close)
            self._exit_hook = True

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closing:
                    self._wake.wait()
                if not self._pending:
                    return
                send_at = self._last_sent + self._linger
                while (
                    not self._closing
                    and len(self._pending) < self._batch
                    and (left := send_at - time.monotonic()) > 0
                ):
                    self._wake.wait(left)
                ids, self._pending = self._pending, []
            self._last_sent = time.monotonic()
            self._send(ids)

    def _send(self, ids: list[uuid.UUID]) -> None:
        for start in range(0, len(ids), self._batch):
            chunk = [str(step_id) for step_id in ids[start : start + self._batch]]
            try:
                if len(chunk) == 1:
                    self._app.send_task(RUN_STEP_TASK, args=chunk)
                else:
                    self._app.send_task(RUN_STEPS_TASK, args=[chunk])
            except Exception:  # broker down: the sweeper re-dispatches from the database
                log.warning(
                    "could not dispatch steps %s; the sweeper will",
                    ", ".join(chunk),
                    exc_info=True,
                )
