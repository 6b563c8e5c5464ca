"""List posts recorded a fetch batch at a time: the list folder's fast path.

A list post is read from its header fields, guarded, classified and tagged like
any message (the same pure functions and the same pipeline/prepare.py), then
every post of the batch is recorded in ONE transaction: bulk inserts of its
`processed_message` and `post` rows instead of an ORM session per message. The
exactly-once ordering of the package docstring is unchanged: nothing is visible
before the commit, the keywords are set after it.

A message leaves the fast path for `MessagePath.process` (its own transaction,
the whole message fetched when needed, quarantine with a reason on any error)
when it is anything but a plain new list post: a header block that does not
parse or calls for the body, a guard hit, a Message-ID seen before, a command
posted to the list by mistake (its author gets a private note). The posts
gathered before it are committed first, so it sees them, as it would one message
at a time. If a batch's transaction fails, each of its posts goes through
`MessagePath.process` alone: one bad row never costs the others.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlmodel import Session, SQLModel, col, select

from mailbot.db import session_scope
from mailbot.decide.classify import classify
from mailbot.decide.facts import MemberView
from mailbot.errors import StorageError
from mailbot.handlers.list_post import post_values
from mailbot.mime.incoming import Incoming
from mailbot.mime.parse import calls_for_body, parse_headers
from mailbot.models import Post, ProcessedMessage
from mailbot.pipeline.message import Loader, MessagePath
from mailbot.pipeline.outcome import Outcome
from mailbot.pipeline.prepare import (
    CHUNK,
    Lookahead,
    known_tags,
    list_context,
    row_values,
    verdict_values,
)
from mailbot.sources import Envelope
from mailbot.subscriptions.commands import list_command
from mailbot.vocab import Category, Status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ready:
    """A post classified on the fast path, waiting for its batch's commit."""

    envelope: Envelope
    data: bytes
    tag: str | None
    row: dict[str, Any]
    post: dict[str, Any]


class ListBatch:
    """One fetch batch of a list folder read by header fields, with its own state
    (`ahead`: the batch's Message-ID lookup and roster snapshot)."""

    def __init__(self, path: MessagePath, ahead: Lookahead,
                 loader: Callable[[Envelope], Loader]) -> None:
        self.path, self.ahead, self.loader = path, ahead, loader
        self.services = path.services

    def run(self, fetched: list[tuple[Envelope, bytes]]) -> list[Outcome]:
        parsed = [(env, data, _parsed(data)) for env, data in fetched]
        with session_scope(self.services.engine) as session:
            roster = self.ahead.roster(session)
            tags = known_tags(session, (i for _, _, m in parsed if m for i in m.answers))
        outcomes: list[Outcome] = []
        ready: list[Ready] = []
        for env, data, msg in parsed:
            fast = self._classify(env, data, msg, roster, tags) if msg else None
            if fast is not None:
                ready.append(fast)
                continue
            outcomes += self._record(ready)  # what this message may answer is committed
            ready = []
            outcome = self._alone(env, data)
            outcomes.append(outcome)
            if msg is not None and outcome.category == Category.LIST_POST and outcome.tag:
                tags.setdefault(msg.message_id, outcome.tag)
        return outcomes + self._record(ready)

    def _alone(self, env: Envelope, data: bytes) -> Outcome:
        return self.path.process(env, data, True, self.loader(env), self.ahead)

    def _classify(self, env: Envelope, data: bytes, msg: Incoming,
                  roster: Mapping[str, MemberView], tags: dict[str, str]) -> Ready | None:
        """The post's rows, or None when it must go through MessagePath.process."""
        if calls_for_body(msg) or not self.ahead.claim_unseen(msg.message_id):
            return None
        try:
            ready = self._ready(env, data, msg, roster, tags)
        except Exception:  # noqa: BLE001 - MessagePath.process quarantines it with the reason
            return None
        if ready is not None and ready.tag:
            tags.setdefault(msg.message_id, ready.tag)
        return ready

    def _ready(self, env: Envelope, data: bytes, msg: Incoming,
               roster: Mapping[str, MemberView], tags: Mapping[str, str]) -> Ready | None:
        services = self.services
        ctx = list_context(msg, roster, tags, services.settings.list.address)
        verdict = classify(msg, ctx, services.rules, services.guard_env)
        if verdict.category != Category.LIST_POST or list_command(msg.subject, msg.text):
            return None
        now = services.now()
        row = {**row_values(env, msg, now), **verdict_values(verdict, ctx), "status": Status.DONE,
               "effects_done": False}
        return Ready(env, data, verdict.tag, row, post_values(msg, ctx, verdict, now))

    def _record(self, ready: list[Ready]) -> list[Outcome]:
        """Commit the gathered posts together; one at a time if that fails."""
        if not ready:
            return []
        try:
            with session_scope(self.services.engine) as session:
                # Core executemany: the ORM's bulk path with RETURNING inserts row by row
                connection = session.connection()
                connection.execute(insert(_table(ProcessedMessage)), [r.row for r in ready])
                connection.execute(insert(_table(Post)), [r.post for r in ready])
                ids = _ids(session, [r.envelope.key for r in ready])
        except StorageError:
            raise
        except Exception as err:  # noqa: BLE001 - e.g. a key recorded meanwhile by another worker
            log.warning("batch of %d list posts not recorded together (%s); one at a time",
                        len(ready), err)
            return [self._alone(r.envelope, r.data) for r in ready]
        tags = Counter(r.tag or "sans étiquette" for r in ready)
        log.info("%d list posts recorded (%s)", len(ready),
                 ", ".join(f"{tag} {n}" for tag, n in sorted(tags.items())))
        for r in ready:
            log.debug("%s %s list_post tag=%s", r.envelope.key, r.row["message_id"], r.tag)
        return [Outcome(r.envelope, Category.LIST_POST, Status.DONE, r.tag, r.tag, False, 0,
                        ids[r.envelope.key]) for r in ready]


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, getattr(model, "__table__"))


def _ids(session: Session, keys: list[str]) -> dict[str, int]:
    """The row ids of the source keys just inserted."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), CHUNK):
        found.update((k, i) for i, k in session.exec(
            select(ProcessedMessage.id, ProcessedMessage.source_key).where(
                col(ProcessedMessage.source_key).in_(keys[start:start + CHUNK]))).all()
            if i is not None)
    return found


def _parsed(data: bytes) -> Incoming | None:
    """The header block read, or None (MessagePath.process then quarantines it with the reason)."""
    try:
        msg = parse_headers(data)
    except Exception:  # noqa: BLE001 - MalformedMessage and worse: the slow path says why
        return None
    msg.raw = data
    return msg
