"""The web tier's `BatchingDispatcher`: every id handed to it reaches the broker exactly once,
several to a message, and a failing broker loses nothing that the sweeper would not find."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from gateway.pipeline.dispatch import RUN_STEP_TASK, RUN_STEPS_TASK, BatchingDispatcher


class FakeCelery:
    """Records what `send_task` was asked to send; optionally fails the first `fail` sends
    or blocks every send until `release` is set."""

    def __init__(self, fail: int = 0, block: bool = False):
        self.sent: list[tuple[str, list[Any]]] = []
        self.fail = fail
        self.release = threading.Event()
        if not block:
            self.release.set()
        self.sending = threading.Event()

    def send_task(self, name: str, args: list[Any]) -> None:
        self.sending.set()
        self.release.wait(10)
        if self.fail:
            self.fail -= 1
            raise ConnectionError("broker down")
        self.sent.append((name, args))

    def ids(self) -> list[str]:
        out: list[str] = []
        for name, args in self.sent:
            out.extend(args if name == RUN_STEP_TASK else args[0])
        return out


def test_every_id_is_sent_once_and_a_lone_id_as_run_step() -> None:
    app = FakeCelery()
    dispatcher = BatchingDispatcher(app, linger=0)
    one = uuid.uuid4()
    dispatcher.dispatch([one])
    dispatcher.close()
    assert app.sent == [(RUN_STEP_TASK, [str(one)])]


def test_ids_queued_while_a_message_is_sent_go_out_together_in_batches() -> None:
    app = FakeCelery(block=True)
    dispatcher = BatchingDispatcher(app, batch=4, linger=0)
    first = uuid.uuid4()
    dispatcher.dispatch([first])
    assert app.sending.wait(10)  # the thread is stuck sending the first id
    rest = [uuid.uuid4() for _ in range(10)]
    for step_id in rest:
        dispatcher.dispatch([step_id])
    app.release.set()
    dispatcher.close()
    assert app.ids() == [str(i) for i in [first, *rest]]  # all, once, in order
    assert [name for name, _ in app.sent] == [RUN_STEP_TASK] + [RUN_STEPS_TASK] * 3
    assert [len(args[0]) for name, args in app.sent if name == RUN_STEPS_TASK] == [4, 4, 2]


def test_a_failed_send_is_logged_and_later_ids_still_go(caplog: pytest.LogCaptureFixture) -> None:
    app = FakeCelery(fail=1)
    dispatcher = BatchingDispatcher(app, linger=0)
    lost, kept = uuid.uuid4(), uuid.uuid4()
    with caplog.at_level(logging.WARNING, logger="gateway.dispatch"):
        dispatcher.dispatch([lost])
        dispatcher.close()
        dispatcher.dispatch([kept])  # a closed dispatcher starts again
        dispatcher.close()
    assert app.ids() == [str(kept)]
    assert f"could not dispatch steps {lost}; the sweeper will" in caplog.text


def test_close_sends_what_is_queued() -> None:
    app = FakeCelery()
    dispatcher = BatchingDispatcher(app, batch=100, linger=30)  # would wait long without close
    ids = [uuid.uuid4() for _ in range(5)]
    dispatcher.dispatch(ids)
    dispatcher.close(timeout=60)
    assert sorted(app.ids()) == sorted(str(i) for i in ids)
    assert len(app.sent) == 1


def test_a_lone_id_goes_at_once_and_a_busy_interval_goes_in_one_message() -> None:
    app = FakeCelery()
    dispatcher = BatchingDispatcher(app, batch=16, linger=2.0)
    first = uuid.uuid4()
    dispatcher.dispatch([first])
    assert wait_until(lambda: len(app.sent) == 1)  # no wait after a quiet spell
    burst = [uuid.uuid4() for _ in range(5)]
    for step_id in burst:
        dispatcher.dispatch([step_id])
    assert wait_until(lambda: len(app.sent) == 2, timeout=5)  # the rest of the interval
    assert app.sent[1] == (RUN_STEPS_TASK, [[str(i) for i in burst]])
    full = [uuid.uuid4() for _ in range(16)]
    dispatcher.dispatch(full)  # a full batch does not wait for the interval to end
    assert wait_until(lambda: len(app.sent) == 3, timeout=1.5)
    dispatcher.close()
    assert app.ids() == [str(i) for i in [first, *burst, *full]]


def wait_until(condition: Callable[[], bool], timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()
