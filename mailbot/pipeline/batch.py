"""List posts recorded a fetch batch at a time: the list folder's fast path.

A list post is read from its header fields, guarded, classified and tagged like
any message (the same pure functions), then every post of the batch is recorded
in ONE transaction: bulk inserts of its `processed_message` and `post` rows
instead of an ORM session per message. The exactly-once ordering of pipeline.py
is unchanged: nothing is visible before the commit, the keywords are set after it.

A message leaves the fast path for `Pipeline.process` (its own transaction, the
whole message fetched when needed, quarantine with a reason on any error) when it
is anything but a plain new list post: a header block that does not parse or calls
for the body, a guard hit, a Message-ID seen before, a command posted to the list
by mistake (its author gets a private note). The posts gathered before it are
committed first, so it sees them, as it would one message at a time. If a batch's
transaction fails, each of its posts goes through `Pipeline.process` alone: one
bad row never costs the others.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert
from sqlmodel import Session, SQLModel, col, select

from mailbot.decide.classify import classify
from mailbot.db import session_scope
from mailbot.errors import StorageError
from mailbot.decide.facts import Context, MemberView
from mailbot.handlers.list_post import post_values
from mailbot.mime.incoming import Incoming
from mailbot.models import Post, ProcessedMessage
from mailbot.mime.parse import calls_for_body, parse_headers
from mailbot.pipeline.outcome import Outcome, row_values
from mailbot.sources import Envelope
from mailbot.subscriptions.commands import list_command
from mailbot.decide.tagging import author_of

if TYPE_CHECKING:
    from mailbot.pipeline import Loader, Pipeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ready:
    """A post classified on the fast path, waiting for its batch's commit."""

    envelope: Envelope
    data: bytes
    tag: str | None
    row: dict[str, Any]
    post: dict[str, Any]


def thread_tag(msg: Incoming, tags: Mapping[str, str]) -> str | None:
    """The tag of the nearest tagged post this message answers."""
    return next((tags[i] for i in msg.answers if i in tags), None)


def known_tags(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """Message-ID -> tag of the recorded, tagged posts among `ids`."""
    chosen, tags = sorted(set(ids)), dict[str, str]()
    for start in range(0, len(chosen), 500):
        tags.update((m, t) for m, t in session.exec(
            select(Post.message_id, Post.tag).where(
                col(Post.message_id).in_(chosen[start:start + 500]),
                col(Post.tag).is_not(None))).all() if t)
    return tags


class ListBatch:
    """One fetch batch of a list folder read by header fields."""

    def __init__(self, pipeline: Pipeline, loader: Callable[[Envelope], Loader]) -> None:
        self.pipeline, self.loader = pipeline, loader
        self.services = pipeline.services

    def run(self, fetched: list[tuple[Envelope, bytes]]) -> list[Outcome]:
        parsed = [(env, data, _parsed(data)) for env, data in fetched]
        with session_scope(self.services.engine) as session:
            roster = self.pipeline.list_roster(session)
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
            outcome = self.pipeline.process(env, data, True, self.loader(env))
            outcomes.append(outcome)
            if msg is not None and outcome.category == "list_post" and outcome.tag:
                tags.setdefault(msg.message_id, outcome.tag)
        return outcomes + self._record(ready)

    def _classify(self, env: Envelope, data: bytes, msg: Incoming,
                  roster: Mapping[str, MemberView], tags: dict[str, str]) -> Ready | None:
        """The post's rows, or None when it must go through Pipeline.process."""
        if calls_for_body(msg) or not self.pipeline.claim_unseen(msg.message_id):
            return None
        try:
            ready = self._ready(env, data, msg, roster, tags)
        except Exception:  # noqa: BLE001 - Pipeline.process quarantines it with the reason
            return None
        if ready is not None and ready.tag:
            tags.setdefault(msg.message_id, ready.tag)
        return ready

    def _ready(self, env: Envelope, data: bytes, msg: Incoming,
               roster: Mapping[str, MemberView], tags: Mapping[str, str]) -> Ready | None:
        services = self.services
        author_email = author_of(msg, services.settings.list.address)
        ctx = Context(role=env.role, sender=roster.get(msg.from_email or ""),
                      author_email=author_email, author=roster.get(author_email or ""),
                      thread_tag=thread_tag(msg, tags))
        verdict = classify(msg, ctx, services.rules, services.guard_env)
        if verdict.category != "list_post" or list_command(msg.subject, msg.text):
            return None
        now = services.now()
        who = ctx.author or ctx.sender
        row = {**row_values(env, msg, now), "category": verdict.category,
               "reason": verdict.reason, "hits": ",".join(verdict.hits), "tag": verdict.tag,
               "member_email": who.email if who else None, "status": "done",
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
            return [self.pipeline.process(r.envelope, r.data, True, self.loader(r.envelope))
                    for r in ready]
        tags = Counter(r.tag or "sans étiquette" for r in ready)
        log.info("%d list posts recorded (%s)", len(ready),
                 ", ".join(f"{tag} {n}" for tag, n in sorted(tags.items())))
        for r in ready:
            log.debug("%s %s list_post tag=%s", r.envelope.key, r.row["message_id"], r.tag)
        return [Outcome(r.envelope, "list_post", "done", r.tag, r.tag, False, 0,
                        ids[r.envelope.key]) for r in ready]


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, getattr(model, "__table__"))


def _ids(session: Session, keys: list[str]) -> dict[str, int]:
    """The row ids of the source keys just inserted."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        found.update((k, i) for i, k in session.exec(
            select(ProcessedMessage.id, ProcessedMessage.source_key).where(
                col(ProcessedMessage.source_key).in_(keys[start:start + 500]))).all()
            if i is not None)
    return found


def _parsed(data: bytes) -> Incoming | None:
    """The header block read, or None (Pipeline.process then quarantines it with the reason)."""
    try:
        msg = parse_headers(data)
    except Exception:  # noqa: BLE001 - MalformedMessage and worse: the slow path says why
        return None
    msg.raw = data
    return msg
