"""One message, end to end, exactly once: the per-message boundary.

The ordering that makes processing exactly-once across crashes (SIGKILL at
any instant):

  1. skip the message if its source key (mailbox, UIDVALIDITY, UID) is in
     `processed_message`; a Message-ID already seen in the same role is
     recorded as a duplicate and gets only the keyword of the original;
  2. parse, guard, classify and handle it inside ONE database transaction
     that also inserts the `processed_message` row and every outbox row
     (unique keys). Until that commit nothing is visible: a crash before it
     leaves no trace and the message is processed again from scratch;
  3. after the commit, apply the IMAP side effect (keyword, or move to
     quarantine). Both are idempotent (a keyword set twice is one keyword; a
     MOVE of a UID already gone is a no-op), then set `effects_done`. At
     start, rows whose `effects_done` is false get their effect again;
  4. the outbox sender delivers rows after their commit (see outbox.py).

List posts read by their header fields go through mailbot/listbatch.py: the same
ordering, with one commit for a whole fetch batch of plain posts.

Any exception in step 2 rolls the transaction back; the message is then
recorded as `quarantined` with the reason, in a fresh transaction, and moved
to the quarantine folder. If even that record cannot be written (database
down), the error rises to the worker, which retries later: nothing is lost.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import traceback
from collections.abc import Callable, Iterable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from mailbot import members

from mailbot.decide import guards
from mailbot.decide.classify import classify
from mailbot.db import session_scope
from mailbot.errors import MalformedMessage, MessageError, StorageError
from mailbot.decide.facts import Context, MemberView
from mailbot.handlers import Handler, Job, registry
from mailbot.mime.incoming import Incoming
from mailbot.pipeline.batch import ListBatch, known_tags, thread_tag
from mailbot.mime.headers import INCOMING_HEADERS, scan_message_id
from mailbot.models import OutboxMessage, ProcessedMessage
from mailbot.mime.parse import Limits, calls_for_body, parse_headers, parse_message
from mailbot.pipeline.outcome import Outcome, effects_of, row_values
from mailbot.services import Services
from mailbot.sources import Envelope
from mailbot.decide.tagging import AUTHOR_HEADERS, author_of, needs_body, rule_headers

log = logging.getLogger(__name__)
Loader = Callable[[], bytes]


class Pipeline:
    """Processes fetched messages; the only place message errors are caught."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.handlers: dict[str, Handler] = registry()
        self.limits = Limits(max_bytes=services.settings.bot.max_message_bytes)
        self.headers_suffice = not needs_body(services.rules)
        # a list post is read from these header fields alone (see fetch_fields)
        self.list_fields = tuple(dict.fromkeys(
            (*INCOMING_HEADERS, *guards.HEADERS, *AUTHOR_HEADERS, *rule_headers(services.rules))))
        self._batch = threading.local()  # per worker thread: roster snapshot, unseen ids

    def begin_batch(self, message_ids: Iterable[str] = ()) -> None:
        """A new fetch batch of this thread's folder: the roster snapshot used for list
        posts is read again, and the batch's Message-IDs are looked up in one query (those
        never seen need no query of their own)."""
        self._batch.roster = None
        ids = {i for i in message_ids if i}
        seen: set[str] = set()
        if ids:
            chosen = sorted(ids)
            with session_scope(self.services.engine) as session:
                for start in range(0, len(chosen), 500):
                    seen.update(session.exec(select(ProcessedMessage.message_id).where(
                        col(ProcessedMessage.message_id).in_(chosen[start:start + 500]))).all())
        self._batch.unseen = ids - seen

    def claim_unseen(self, message_id: str) -> bool:
        """True (once) for a Message-ID the batch lookup found unrecorded."""
        unseen: set[str] = getattr(self._batch, "unseen", set())
        if message_id in unseen:
            unseen.discard(message_id)  # a second copy in the same batch is looked up
            return True
        return False

    def list_roster(self, session: Session) -> dict[str, MemberView]:
        """The roster for list posts, read once per batch (list posts never change it;
        a change made meanwhile by the inbox is seen from the next batch on)."""
        roster: dict[str, MemberView] | None = getattr(self._batch, "roster", None)
        if roster is None:
            roster = self._batch.roster = members.directory(session)
        return roster

    def wants_headers_only(self, role: str) -> bool:
        """List posts are tagged from their headers unless a keyword rule reads bodies."""
        return role == "list" and self.headers_suffice

    def fetch_fields(self, role: str) -> tuple[str, ...] | None:
        """The header fields a folder's messages are fetched by (None: whole messages)."""
        return self.list_fields if self.wants_headers_only(role) else None

    def process_batch(self, fetched: Iterable[tuple[Envelope, bytes]], headers_only: bool,
                      loader: Callable[[Envelope], Loader]) -> list[Outcome]:
        """A fetch batch: list posts read by their header fields are recorded together
        (mailbot.pipeline.batch); anything else one message at a time."""
        if headers_only:
            return ListBatch(self, loader).run(list(fetched))
        return [self.process(env, data, False, loader(env)) for env, data in fetched]

    def process(self, env: Envelope, data: bytes, headers_only: bool, load: Loader) -> Outcome:
        """Process one message; message errors end in quarantine, never upward."""
        try:
            with session_scope(self.services.engine) as session:
                # the worker listed only keys not yet recorded; a concurrent recording
                # of the same key fails the unique source_key below (IntegrityError)
                msg = self._parse(data, headers_only, env, load)
                row, replies = self._handle(session, env, msg)
            return self._outcome(env, row, replies)
        except StorageError:
            raise
        except IntegrityError as err:  # a concurrent worker recorded it first
            log.warning("%s: recorded concurrently (%s)", env.key, err.orig)
            with session_scope(self.services.engine) as session:
                done = self._already(session, env)
            if done is None:
                raise StorageError(f"{env.key}: cannot record: {err.orig}") from err
            return self._outcome(env, done, 0)
        except Exception as err:  # noqa: BLE001 - the per-message boundary
            return self._quarantine(env, data, err)

    def reject(self, env: Envelope, reason: str) -> Outcome:
        """Record a message we will not even fetch (over the size cap) as quarantined."""
        return self._quarantine(env, b"", MalformedMessage(reason), f"rejected:{env.key}")

    def _already(self, session: Session, env: Envelope) -> ProcessedMessage | None:
        stmt = select(ProcessedMessage).where(ProcessedMessage.source_key == env.key)
        return session.exec(stmt).first()

    def _parse(self, data: bytes, headers_only: bool, env: Envelope, load: Loader) -> Incoming:
        if headers_only:
            msg = parse_headers(data)
            if calls_for_body(msg):
                data, headers_only = load(), False  # guards may need the body
            else:
                msg.raw = data
                return msg
        msg = parse_message(data, self.limits)
        msg.raw = data
        return msg

    def _handle(self, session: Session, env: Envelope, msg: Incoming
                ) -> tuple[ProcessedMessage, int]:
        row = ProcessedMessage(**row_values(env, msg, self.services.now()))
        original = self._seen_message_id(session, env.role, msg.message_id)
        if original is not None:
            row.category, row.tag, row.status = original.category, original.tag, "duplicate"
            row.reason = f"déjà traité ({original.source_key})"
            row.member_email = original.member_email
            session.add(row)
            session.flush()
            return row, 0
        ctx = self._context(session, env.role, msg)
        verdict = classify(msg, ctx, self.services.rules, self.services.guard_env)
        row.category, row.reason, row.hits = verdict.category, verdict.reason, ",".join(verdict.hits)
        row.tag = verdict.tag
        who = ctx.author or ctx.sender
        row.member_email = who.email if who else None
        job = Job(session, self.services, msg, ctx, verdict, row)
        self.handlers[verdict.category].handle(job)
        session.add(row)
        session.flush()
        log.info("%s %s %s tag=%s status=%s replies=%d", env.key, msg.message_id,
                 verdict.category, verdict.tag, row.status, len(job.replies))
        return row, len(job.replies)

    def _seen_message_id(self, session: Session, role: str, message_id: str
                         ) -> ProcessedMessage | None:
        if self.claim_unseen(message_id):  # not in the database when the batch began
            return None
        # by message_id alone: with role in the WHERE, SQLite (no statistics) picks the
        # role index and scans every row of the folder, making a backfill quadratic
        stmt = (select(ProcessedMessage.id, ProcessedMessage.role, ProcessedMessage.status)
                .where(ProcessedMessage.message_id == message_id)
                .order_by(col(ProcessedMessage.id)))
        first = next((i for i, r, status in session.exec(stmt).all()
                      if r == role and status != "duplicate"), None)
        return session.get(ProcessedMessage, first) if first is not None else None

    def _context(self, session: Session, role: str, msg: Incoming) -> Context:
        if role != "list":
            return Context(role=role, sender=members.view(members.find(session, msg.from_email)),
                           author_email=msg.from_email,
                           thread_tag=self._thread_tag(session, msg),
                           in_reply_to_kind=self._answered_kind(session, msg))
        roster = self.list_roster(session)
        author_email = author_of(msg, self.services.settings.list.address)
        return Context(role=role, sender=roster.get(msg.from_email or ""),
                       author_email=author_email, author=roster.get(author_email or ""),
                       thread_tag=self._thread_tag(session, msg))

    def _thread_tag(self, session: Session, msg: Incoming) -> str | None:
        return thread_tag(msg, known_tags(session, msg.answers))

    def _answered_kind(self, session: Session, msg: Incoming) -> str | None:
        ids = msg.answers
        if not ids:
            return None
        rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.message_id).in_(ids))).all()
        by_id = {r.message_id: r.kind for r in rows}
        return next((by_id[i] for i in ids if i in by_id), None)

    def _quarantine(self, env: Envelope, data: bytes, err: Exception,
                    message_id: str | None = None) -> Outcome:
        reason = str(err) if isinstance(err, MessageError) else (  # read in the COTECH's digest
            f"erreur interne pendant le traitement ({type(err).__name__} : {err})")
        if not isinstance(err, MessageError):
            log.error("%s: handler crashed, quarantined:\n%s", env.key, traceback.format_exc())
        else:
            log.warning("%s: quarantined: %s", env.key, reason)
        category = "malformed" if isinstance(err, MalformedMessage) else "other"
        with session_scope(self.services.engine) as session:
            done = self._already(session, env)
            if done is not None:
                return self._outcome(env, done, 0)
            row = ProcessedMessage(
                source_key=env.key, role=env.role, mailbox=env.mailbox,
                uidvalidity=env.uidvalidity, uid=env.uid, message_id=message_id or _fallback_id(data),
                category=category, status="quarantined", reason=reason[:2000],
                processed_at=self.services.now())
            session.add(row)
            session.flush()
        return self._outcome(env, row, 0)

    def _outcome(self, env: Envelope, row: ProcessedMessage, replies: int) -> Outcome:
        keyword, quarantine = effects_of(row)
        return Outcome(env, row.category, row.status, row.tag, keyword, quarantine,
                       replies, row.id)


def _fallback_id(data: bytes) -> str:
    return scan_message_id(data) or "sha256:" + hashlib.sha256(data).hexdigest()
