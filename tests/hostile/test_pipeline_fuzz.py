"""Mutated real messages through the WHOLE pipeline: nothing escapes, everything is recorded.

Each hypothesis example is a corpus message damaged by tests/hostile/mutations.py,
handed to the pipeline as the worker would hand it (list posts as their header
block, through the batch path of mailbot/listbatch.py; inbox mail whole) with a real SQLite database, the real rules,
handlers and templates. Whatever the damage: no exception leaves the pipeline,
the message has its `processed_message` row (handled, held, or quarantined with
a reason), and no reply the bot queued carries a header the sender smuggled in.

MAILBOT_FUZZ_EXAMPLES sets the number of examples (200 in CI; `bench/fuzz` runs
10,000).
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from email.parser import BytesHeaderParser

import pytest
from hypothesis import HealthCheck, given, settings
from sqlmodel import Session, col, select

from mailbot.app import App
from mailbot.models import OutboxMessage, ProcessedMessage
from mailbot.pipeline.outcome import Outcome
from mailbot.sources import Envelope
from tests.support.helpers import maildir_app
from tests.support.mutations import hostile_messages

EXAMPLES = int(os.environ.get("MAILBOT_FUZZ_EXAMPLES", "200"))
ALLOWED_HEADERS = {"from", "to", "subject", "date", "message-id", "in-reply-to", "references",
                   "auto-submitted", "x-auto-response-suppress", "x-loop", "x-mailer",
                   "mime-version", "content-type", "content-transfer-encoding", "reply-to",
                   "precedence", "list-id", "cc"}
STATS: Counter[str] = Counter()
_uids = itertools.count(1)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    bot = maildir_app(tmp_path_factory.mktemp("fuzz"))
    yield bot
    print(f"\nfuzzed messages by outcome: {dict(STATS)}")
    bot.engine.dispose()


def header_block(raw: bytes) -> bytes:
    for sep in (b"\r\n\r\n", b"\n\n"):
        at = raw.find(sep)
        if at >= 0:
            return raw[:at + len(sep)]
    return raw


def feed(app: App, raw: bytes, role: str) -> Outcome:
    """Hand one message to the pipeline as the worker does."""
    uid = next(_uids)
    raw = b"Message-ID: <fuzz-%d-%s@fuzz.test>\n" % (uid, role.encode()) + raw  # never a duplicate
    env = Envelope(role, "INBOX" if role == "inbox" else "qpv-hpf", 7, uid, "", len(raw),
                   "fuzz@localhost")
    if app.pipeline.fields(role) is None:
        return app.pipeline.process(env, raw, False, lambda: raw)
    # list posts: by their header block, through the batch path
    [outcome] = app.pipeline.take([env], OneMessage(raw))
    return outcome


class OneMessage:
    """A folder of one message, as the pipeline reads it (a Reader)."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def fetch(self, envelopes: list[Envelope], fields: Sequence[str] | None = None
              ) -> Iterator[tuple[Envelope, bytes]]:
        for env in envelopes:
            yield env, self.raw if fields is None else header_block(self.raw)

    def fetch_one(self, envelope: Envelope) -> bytes:
        return self.raw

    def size(self, envelope: Envelope) -> int:
        return len(self.raw)


def check_recorded(app: App, outcome: Outcome) -> ProcessedMessage:
    with Session(app.engine) as s:
        row = s.exec(select(ProcessedMessage).where(
            ProcessedMessage.source_key == outcome.envelope.key)).one()
        replies = s.exec(select(OutboxMessage).where(
            col(OutboxMessage.cause_message_id) == row.message_id)).all()
    assert row.status in {"done", "held", "quarantined", "duplicate"}, row.status
    if row.status == "quarantined":
        assert row.reason, "quarantined without a reason"
    for reply in replies:
        headers = BytesHeaderParser().parsebytes(reply.raw)
        names = {k.lower() for k in headers.keys()}
        assert names <= ALLOWED_HEADERS, f"unexpected header in a reply: {names - ALLOWED_HEADERS}"
        for name, value in headers.items():
            unfolded = str(value).replace("\r\n ", " ").replace("\n ", " ")
            assert "\n" not in unfolded and "\r" not in unfolded, (name, value)
        assert b"\nBcc:" not in reply.raw and b"\nX-Evil" not in reply.raw
    return row


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(case=hostile_messages())
def test_mutated_messages_never_escape_and_are_always_recorded(
        app: App, case: tuple[list[str], bytes]) -> None:
    """GIVEN a corpus message damaged in up to three ways WHEN the pipeline processes it, as
    an inbox message and as a list post THEN no exception escapes and each is recorded."""
    names, raw = case
    for role in ("inbox", "list"):
        outcome = feed(app, raw, role)
        row = check_recorded(app, outcome)
        STATS[f"{role}:{row.status}"] += 1
