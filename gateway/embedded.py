"""The embedded mode: the whole gateway in one process (`edi-gateway serve`).

SQLite under the data directory, a real Celery worker and beat running in threads of this
process on Celery's in-memory transport (the same tasks and code path as production, not
`task_always_eager`), the demo ERP as the default route, and the HTTP API on a local port.
The broker holds nothing that matters: after a restart the database sweeper finds every step
that was pending or running and dispatches it again.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("gateway.embedded")


@dataclass(slots=True)
class Embedded:
    """A started embedded gateway: its settings, Celery app and threads."""

    settings: Any
    runtime: Any
    celery: Any
    threads: list[threading.Thread]

    def stop(self) -> None:
        control = getattr(self.celery, "control", None)
        if control is not None:
            try:
                self.celery.control.shutdown()
            except Exception:  # the in-memory broker may already be gone
                log.debug("worker shutdown broadcast failed", exc_info=True)


def prepare(data_dir: Path | None) -> Any:
    """Settings for the embedded mode, with the data directory created and migrated."""
    if data_dir is not None:
        os.environ["GATEWAY_DATA_DIR"] = str(data_dir)
    os.environ.pop("REDIS_URL", None)  # the embedded broker is in memory
    from gateway.settings import Settings
    from gateway.store import migrate

    settings = Settings()
    if settings.is_postgresql:
        from gateway.settings import ConfigurationError

        raise ConfigurationError(
            "`serve` is the embedded mode (SQLite); with DATABASE_URL pointing at PostgreSQL "
            "run `edi-gateway web`, `celery -A celery_app worker` and `celery -A celery_app beat`",
            setting="database_url",
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.database_url)
    return settings


def start_background(settings: Any) -> Embedded:
    """Start the in-process worker and beat; returns once both threads run."""
    from celery.beat import Service

    from celery_app.app import app
    from gateway.commands.admin import ensure_default_demo_target
    from gateway.pipeline.dispatch import CeleryDispatcher
    from gateway.wiring import build_runtime

    app.conf.broker_url = "memory://localhost/"
    app.conf.worker_redirect_stdouts = False
    runtime = build_runtime(dispatcher=CeleryDispatcher(app), settings=settings)
    ensure_default_demo_target(runtime.sessions)
    import celery_app.tasks  # noqa: F401  (registers the tasks with the app)

    worker = app.Worker(
        pool="solo",
        concurrency=1,
        loglevel="WARNING",
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        hostname=f"embedded@{os.getpid()}",
        quiet=True,  # no banner: `serve` prints what matters
    )
    worker_thread = threading.Thread(target=worker.start, name="celery-worker", daemon=True)
    beat = Service(app, schedule_filename=str(settings.data_dir / "beat-schedule"))
    beat_thread = threading.Thread(target=beat.start, name="celery-beat", daemon=True)
    worker_thread.start()
    beat_thread.start()
    return Embedded(settings, runtime, app, [worker_thread, beat_thread])
