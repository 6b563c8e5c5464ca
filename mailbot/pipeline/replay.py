"""Process a held or quarantined message again, exactly once, through the pipeline.

The message was recorded under its source key; to process it again, one
transaction sets its row aside (status `replayed`, source key and Message-ID
prefixed `replaced:<id>:`, so neither idempotence check still sees it) on the
condition that it is still held or quarantined, and runs `before` (e.g. record
the sender's address as a member's alias) in the same transaction. Then
`Pipeline.process` handles the bytes under the original envelope, exactly as
the worker would; the caller then applies its IMAP effect (`Worker.apply`).

Exactly once: the conditional UPDATE lets one caller set the row aside; if the
daemon's worker, seeing the key free again, processes the message first,
`Pipeline.process` meets the unique source key and returns that outcome.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from sqlmodel import Session, col

from mailbot.db import session_scope
from mailbot.models import ProcessedMessage
from mailbot.pipeline import Pipeline
from mailbot.pipeline.outcome import Outcome
from mailbot.sources import Envelope
from mailbot.vocab import Status

REPLAYABLE = (Status.HELD, Status.QUARANTINED)


def set_aside(session: Session, row_id: int) -> bool:
    """Mark the row replayed and free its keys; False when it is no longer held."""
    m = ProcessedMessage
    done = session.execute(
        update(m).where(col(m.id) == row_id, col(m.status).in_(REPLAYABLE))
        .values(status=Status.REPLAYED,
                source_key="replaced:" + str(row_id) + ":" + col(m.source_key),
                message_id="replaced:" + str(row_id) + ":" + col(m.message_id)))
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def replay(pipeline: Pipeline, row_id: int, env: Envelope, data: bytes,
           before: Callable[[Session], None] | None = None) -> Outcome | None:
    """Process the message of row `row_id` again; its new outcome, or None when it was
    no longer held (someone else acted first)."""
    with session_scope(pipeline.services.engine) as session:
        if before is not None:
            before(session)
        if not set_aside(session, row_id):
            session.rollback()
            return None
    return pipeline.process(env, data, False, lambda: data)
