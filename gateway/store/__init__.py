"""The store: SQLAlchemy models, engines and sessions, migrations, and the small functions
the pipeline uses to change state.

    engine = make_engine(settings.database_url)
    migrate(settings.database_url)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        message = create_message(session, direction=..., channel=..., payload=raw)
        record_event(session, message_id=message.id, kind="received")
"""

from gateway.store.blobs import load_blob, store_blob
from gateway.store.control_numbers import (
    MAX_CONTROL_NUMBER,
    next_control_number,
    take_control_numbers,
)
from gateway.store.engine import make_engine, make_session_factory, normalize_url, session_scope
from gateway.store.errors import AppendOnlyError, MigrationError, StoreError
from gateway.store.events import record_event, timeline
from gateway.store.messages import create_message
from gateway.store.migrate import migrate
from gateway.store.steps import (
    DEFAULT_BACKOFF,
    Backoff,
    bury_lost_steps,
    claim_batch,
    claim_step,
    claim_steps,
    claimable_steps,
    defer_step,
    ensure_step,
    ensure_step_id,
    expired_steps,
    fail_step,
    finish_step,
    finish_steps,
    renew_lease,
    replay_step,
)

__all__ = [
    "DEFAULT_BACKOFF",
    "MAX_CONTROL_NUMBER",
    "AppendOnlyError",
    "Backoff",
    "MigrationError",
    "StoreError",
    "bury_lost_steps",
    "claim_batch",
    "claim_step",
    "claim_steps",
    "claimable_steps",
    "create_message",
    "defer_step",
    "ensure_step",
    "ensure_step_id",
    "expired_steps",
    "fail_step",
    "finish_step",
    "finish_steps",
    "load_blob",
    "make_engine",
    "make_session_factory",
    "migrate",
    "next_control_number",
    "normalize_url",
    "record_event",
    "renew_lease",
    "replay_step",
    "session_scope",
    "store_blob",
    "take_control_numbers",
    "timeline",
]
