"""What both paths of a message build around classification, written once.

The list batch (pipeline/batch.py) and the one-message boundary
(pipeline/message.py) read a message the same way:

* `list_fields`: the header fields a list post is fetched by;
* `Lookahead`: what a fetch batch reads once, ahead of its messages: which of
  its Message-IDs were never recorded (those need no query of their own) and
  the roster snapshot list posts are read against;
* `context`: the facts classification needs (sender, author, thread tag, the
  kind of our mail a message answers); `list_context` is its pure part for a
  list post;
* `row_values` and `verdict_values`: the columns of its `processed_message` row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mailbot import members
from mailbot.db import session_scope
from mailbot.decide import guards
from mailbot.decide.classify import Verdict
from mailbot.decide.facts import Context, MemberView
from mailbot.decide.rules import RuleSet
from mailbot.decide.tagging import AUTHOR_HEADERS, author_of, rule_headers
from mailbot.mime.headers import INCOMING_HEADERS
from mailbot.mime.incoming import Incoming
from mailbot.models import OutboxMessage, Post, ProcessedMessage
from mailbot.sources import Envelope
from mailbot.vocab import Role

CHUNK = 500  # ids per IN (...) query


def list_fields(rules: RuleSet) -> tuple[str, ...]:
    """The header fields a list post is read from (the parser's, the guards', the
    tagging's and every header a rule reads)."""
    return tuple(dict.fromkeys(
        (*INCOMING_HEADERS, *guards.HEADERS, *AUTHOR_HEADERS, *rule_headers(rules))))


class Lookahead:
    """One fetch batch's shared reads: its unrecorded Message-IDs and the list roster.

    Made per batch by whoever processes it, and handed down: no state on the pipeline.
    The roster is read once per batch (list posts never change it; a change made
    meanwhile by the inbox is seen from the next batch on).
    """

    def __init__(self, engine: Engine, message_ids: Iterable[str] = ()) -> None:
        ids = {i for i in message_ids if i}
        seen: set[str] = set()
        if ids:
            chosen = sorted(ids)
            with session_scope(engine) as session:
                for start in range(0, len(chosen), CHUNK):
                    seen.update(session.exec(select(ProcessedMessage.message_id).where(
                        col(ProcessedMessage.message_id).in_(chosen[start:start + CHUNK]))).all())
        self.unseen = ids - seen
        self._roster: dict[str, MemberView] | None = None

    def claim_unseen(self, message_id: str) -> bool:
        """True (once) for a Message-ID the batch lookup found unrecorded."""
        if message_id in self.unseen:
            self.unseen.discard(message_id)  # a second copy in the same batch is looked up
            return True
        return False

    def roster(self, session: Session) -> dict[str, MemberView]:
        """The roster snapshot for the batch's list posts."""
        if self._roster is None:
            self._roster = members.directory(session)
        return self._roster


def known_tags(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """Message-ID -> tag of the recorded, tagged posts among `ids`."""
    chosen, tags = sorted(set(ids)), dict[str, str]()
    for start in range(0, len(chosen), CHUNK):
        tags.update((m, t) for m, t in session.exec(
            select(Post.message_id, Post.tag).where(
                col(Post.message_id).in_(chosen[start:start + CHUNK]),
                col(Post.tag).is_not(None))).all() if t)
    return tags


def thread_tag(msg: Incoming, tags: Mapping[str, str]) -> str | None:
    """The tag of the nearest tagged post this message answers."""
    return next((tags[i] for i in msg.answers if i in tags), None)


def answered_kind(session: Session, msg: Incoming) -> str | None:
    """The kind of our own mail (outbox template) this message answers, nearest first."""
    ids = msg.answers
    if not ids:
        return None
    rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.message_id).in_(ids))).all()
    by_id = {r.message_id: r.kind for r in rows}
    return next((by_id[i] for i in ids if i in by_id), None)


def list_context(msg: Incoming, roster: Mapping[str, MemberView], tags: Mapping[str, str],
                 list_address: str) -> Context:
    """A list post's facts, from the roster snapshot and the known thread tags (pure)."""
    author_email = author_of(msg, list_address)
    return Context(role=Role.LIST, sender=roster.get(msg.from_email or ""),
                   author_email=author_email, author=roster.get(author_email or ""),
                   thread_tag=thread_tag(msg, tags))


def context(session: Session, role: str, msg: Incoming, ahead: Lookahead,
            list_address: str) -> Context:
    """The facts of one message, read from the database (both roles)."""
    tags = known_tags(session, msg.answers)
    if role == Role.LIST:
        return list_context(msg, ahead.roster(session), tags, list_address)
    return Context(role=role, sender=members.view(members.find(session, msg.from_email)),
                   author_email=msg.from_email, thread_tag=thread_tag(msg, tags),
                   in_reply_to_kind=answered_kind(session, msg))


def row_values(env: Envelope, msg: Incoming, now: datetime) -> dict[str, Any]:
    """The `processed_message` columns known before classification."""
    return {
        "source_key": env.key, "role": env.role, "mailbox": env.mailbox,
        "uidvalidity": env.uidvalidity, "uid": env.uid, "message_id": msg.message_id,
        "from_email": msg.from_email, "subject": msg.subject[:500],
        "sent_at": msg.date.astimezone(UTC) if msg.date else None, "processed_at": now,
    }


def verdict_values(verdict: Verdict, ctx: Context) -> dict[str, Any]:
    """The `processed_message` columns classification fills."""
    who = ctx.author or ctx.sender
    return {"category": verdict.category, "reason": verdict.reason,
            "hits": ",".join(verdict.hits), "tag": verdict.tag,
            "member_email": who.email if who else None}
