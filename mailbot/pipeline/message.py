"""One message, exactly once: the per-message boundary (see the package docstring for
the ordering). Parse, guard, classify and handle a message in ONE transaction that
also records it; any error ends in quarantine with a reason, never upward, except
a storage error, which rises to the worker (it retries later: nothing is lost).
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from mailbot.db import session_scope
from mailbot.decide.classify import classify
from mailbot.errors import MalformedMessage, MessageError, StorageError
from mailbot.handlers import Handler, Job, registry
from mailbot.mime.headers import scan_message_id
from mailbot.mime.incoming import Incoming
from mailbot.mime.parse import Limits, calls_for_body, parse_headers, parse_message
from mailbot.models import ProcessedMessage
from mailbot.pipeline.outcome import Outcome, effects_of
from mailbot.pipeline.prepare import Lookahead, context, row_values, verdict_values
from mailbot.services import Services
from mailbot.sources import Envelope
from mailbot.vocab import Category, Status

log = logging.getLogger(__name__)
Loader = Callable[[], bytes]


class MessagePath:
    """Processes one fetched message; the only place message errors are caught."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.handlers: dict[str, Handler] = registry()
        self.limits = Limits(max_bytes=services.settings.bot.max_message_bytes)

    def process(self, env: Envelope, data: bytes, headers_only: bool, load: Loader,
                ahead: Lookahead | None = None) -> Outcome:
        """Process one message; message errors end in quarantine, never upward."""
        ahead = ahead or Lookahead(self.services.engine)
        try:
            with session_scope(self.services.engine) as session:
                # the worker listed only keys not yet recorded; a concurrent recording
                # of the same key fails the unique source_key below (IntegrityError)
                msg = self._parse(data, headers_only, load)
                row, replies = self._handle(session, env, msg, ahead)
            return outcome(env, row, replies)
        except StorageError:
            raise
        except IntegrityError as err:  # a concurrent worker recorded it first
            log.warning("%s: recorded concurrently (%s)", env.key, err.orig)
            with session_scope(self.services.engine) as session:
                done = _already(session, env)
            if done is None:
                raise StorageError(f"{env.key}: cannot record: {err.orig}") from err
            return outcome(env, done, 0)
        except Exception as err:  # noqa: BLE001 - the per-message boundary
            return self.quarantine(env, data, err)

    def reject(self, env: Envelope, reason: str) -> Outcome:
        """Record a message we will not even fetch (over the size cap) as quarantined."""
        return self.quarantine(env, b"", MalformedMessage(reason), f"rejected:{env.key}")

    def _parse(self, data: bytes, headers_only: bool, load: Loader) -> Incoming:
        if headers_only:
            msg = parse_headers(data)
            if not calls_for_body(msg):
                msg.raw = data
                return msg
            data = load()  # guards may need the body
        msg = parse_message(data, self.limits)
        msg.raw = data
        return msg

    def _handle(self, session: Session, env: Envelope, msg: Incoming, ahead: Lookahead
                ) -> tuple[ProcessedMessage, int]:
        now = self.services.now()
        original = self._seen_message_id(session, env.role, msg.message_id, ahead)
        if original is not None:
            row = ProcessedMessage(**row_values(env, msg, now), category=original.category,
                                   tag=original.tag, status=Status.DUPLICATE,
                                   reason=f"déjà traité ({original.source_key})",
                                   member_email=original.member_email)
            session.add(row)
            session.flush()
            return row, 0
        ctx = context(session, env.role, msg, ahead, self.services.settings.list.address)
        verdict = classify(msg, ctx, self.services.rules, self.services.guard_env)
        row = ProcessedMessage(**row_values(env, msg, now), **verdict_values(verdict, ctx))
        job = Job(session, self.services, msg, ctx, verdict, row)
        self.handlers[verdict.category].handle(job)
        session.add(row)
        session.flush()
        log.info("%s %s %s tag=%s status=%s replies=%d", env.key, msg.message_id,
                 verdict.category, verdict.tag, row.status, len(job.replies))
        return row, len(job.replies)

    def _seen_message_id(self, session: Session, role: str, message_id: str,
                         ahead: Lookahead) -> ProcessedMessage | None:
        if ahead.claim_unseen(message_id):  # not in the database when the batch began
            return None
        # by message_id alone: with role in the WHERE, SQLite (no statistics) picks the
        # role index and scans every row of the folder, making a backfill quadratic
        stmt = (select(ProcessedMessage.id, ProcessedMessage.role, ProcessedMessage.status)
                .where(ProcessedMessage.message_id == message_id)
                .order_by(col(ProcessedMessage.id)))
        first = next((i for i, r, status in session.exec(stmt).all()
                      if r == role and status != Status.DUPLICATE), None)
        return session.get(ProcessedMessage, first) if first is not None else None

    def quarantine(self, env: Envelope, data: bytes, err: Exception,
                   message_id: str | None = None) -> Outcome:
        """Record the message as quarantined with the error as its reason (read in the
        COTECH's digest), in a fresh transaction."""
        reason = str(err) if isinstance(err, MessageError) else (
            f"erreur interne pendant le traitement ({type(err).__name__} : {err})")
        if not isinstance(err, MessageError):
            log.error("%s: handler crashed, quarantined:\n%s", env.key, traceback.format_exc())
        else:
            log.warning("%s: quarantined: %s", env.key, reason)
        category = Category.MALFORMED if isinstance(err, MalformedMessage) else Category.OTHER
        with session_scope(self.services.engine) as session:
            done = _already(session, env)
            if done is not None:
                return outcome(env, done, 0)
            row = ProcessedMessage(
                source_key=env.key, role=env.role, mailbox=env.mailbox,
                uidvalidity=env.uidvalidity, uid=env.uid,
                message_id=message_id or _fallback_id(data),
                category=category, status=Status.QUARANTINED, reason=reason[:2000],
                processed_at=self.services.now())
            session.add(row)
            session.flush()
        return outcome(env, row, 0)


def outcome(env: Envelope, row: ProcessedMessage, replies: int) -> Outcome:
    """The Outcome of a recorded row."""
    keyword, quarantine = effects_of(row)
    return Outcome(env, row.category, row.status, row.tag, keyword, quarantine, replies, row.id)


def _already(session: Session, env: Envelope) -> ProcessedMessage | None:
    return session.exec(select(ProcessedMessage).where(
        ProcessedMessage.source_key == env.key)).first()


def _fallback_id(data: bytes) -> str:
    return scan_message_id(data) or "sha256:" + hashlib.sha256(data).hexdigest()
