"""The worker of one watched folder: list what is new, fetch in batches,
process each message, apply the side effects, wait for news; reconnect with
backoff after any source or storage error.

It runs in a thread (imapclient is blocking); `on_processed` tells the event
loop that replies may be waiting in the outbox.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy.engine import Engine
from sqlmodel import col, select, update

from mailbot.db import session_scope
from mailbot.errors import MalformedMessage, SourceError, StorageError
from mailbot.mime.headers import scan_message_id
from mailbot.models import ProcessedMessage
from mailbot.pipeline import Pipeline
from mailbot.pipeline.outcome import Outcome, effects_of
from mailbot.sources import Envelope, MailSource

log = logging.getLogger(__name__)
# capped at 8 s: after an outage of any length the server is found again within 10 s
BACKOFF = (1.0, 2.0, 4.0, 8.0)


class Worker:
    """Drives one source through the pipeline."""

    def __init__(self, source: MailSource, pipeline: Pipeline, batch: int = 200,
                 on_processed: Callable[[int], None] | None = None) -> None:
        self.source, self.pipeline, self.batch = source, pipeline, batch
        self.on_processed = on_processed or (lambda n: None)
        self.stop_event = threading.Event()
        self.connected = threading.Event()

    @property
    def engine(self) -> Engine:
        return self.pipeline.services.engine

    def known(self) -> set[str]:
        prefix = self.source.known_prefix()
        with session_scope(self.engine) as s:
            keys = s.exec(select(ProcessedMessage.source_key)
                          .where(col(ProcessedMessage.source_key).startswith(prefix))).all()
        return set(keys)

    def recover(self) -> int:
        """Re-apply side effects committed but not confirmed before a crash."""
        prefix = self.source.known_prefix()
        with session_scope(self.engine) as s:
            rows = s.exec(select(ProcessedMessage).where(
                col(ProcessedMessage.source_key).startswith(prefix),
                ProcessedMessage.effects_done == False)).all()  # noqa: E712
        outcomes = []
        for row in rows:
            keyword, quarantine = effects_of(row)
            env = Envelope(row.role, row.mailbox, row.uidvalidity, row.uid,
                           row.source_key.rpartition("/")[2] if row.source_key.startswith(
                               "maildir:") else "", 0)
            outcomes.append(Outcome(env, row.category, row.status, row.tag, keyword,
                                    quarantine, 0, row.id))
        self.apply(outcomes)
        return len(outcomes)

    def run_once(self) -> int:
        """Process everything pending now; return how many messages were handled."""
        fields = self.pipeline.fetch_fields(self.source.role)
        pending = self.source.pending(self.known(), sizes=fields is None)
        done = 0
        for start in range(0, len(pending), self.batch):
            outcomes = self._process_batch(pending[start:start + self.batch])
            self.apply(outcomes)
            done += len(outcomes)
            if any(o.replies for o in outcomes):
                self.on_processed(sum(o.replies for o in outcomes))
            if self.stop_event.is_set():
                break
        return done

    def _process_batch(self, batch: list[Envelope]) -> list[Outcome]:
        fields = self.pipeline.fetch_fields(batch[0].role)
        limit = self.pipeline.limits.max_bytes
        small = [e for e in batch if e.size <= limit]
        outcomes = [self.pipeline.reject(e, f"message trop volumineux ({e.size} octets)")
                    for e in batch if e.size > limit]
        fetched: Iterable[tuple[Envelope, bytes]] = self.source.fetch(small, fields)
        if fields is not None:  # header blocks are small: look their Message-IDs up at once
            fetched = list(fetched)
            # an id read differently from the parser only costs that message its own query
            self.pipeline.begin_batch(scan_message_id(data) for _, data in fetched)
        else:
            self.pipeline.begin_batch()
        return outcomes + self.pipeline.process_batch(fetched, fields is not None, self._loader)

    def _loader(self, env: Envelope) -> Callable[[], bytes]:
        """How the pipeline fetches a message whole, when its header fields are not enough
        (listed without its size: the size cap is checked first)."""
        def load() -> bytes:
            size = env.size or self.source.size(env)
            if size > self.pipeline.limits.max_bytes:
                raise MalformedMessage(f"message trop volumineux ({size} octets)")
            return self.source.fetch_one(env)
        return load

    def apply(self, outcomes: Iterable[Outcome]) -> None:
        """Set keywords and move quarantined messages, then record it (idempotent)."""
        by_keyword: dict[str, list[Envelope]] = defaultdict(list)
        to_quarantine: list[Envelope] = []
        ids: list[int] = []
        for o in outcomes:
            if o.row_id is None:
                continue
            ids.append(o.row_id)
            if o.quarantine:
                to_quarantine.append(o.envelope)
            elif o.keyword:
                by_keyword[o.keyword].append(o.envelope)
        for keyword, envs in by_keyword.items():
            self.source.add_keyword(envs, keyword)
        if to_quarantine:
            self.source.quarantine(to_quarantine)
        if ids:
            with session_scope(self.engine) as s:
                s.exec(update(ProcessedMessage)
                       .where(col(ProcessedMessage.id).in_(ids)).values(effects_done=True))

    def run_forever(self, idle_timeout: float) -> None:
        """Connect, catch up, wait for news, forever; reconnect after errors."""
        failures = 0
        while not self.stop_event.is_set():
            try:
                self.source.open()
                self.connected.set()
                self.recover()
                failures = 0
                while not self.stop_event.is_set():
                    self.run_once()
                    if self.stop_event.is_set():
                        break
                    self.source.wait(idle_timeout)
            except (SourceError, StorageError) as err:
                delay = BACKOFF[min(failures, len(BACKOFF) - 1)]
                failures += 1
                log.warning("%s: %s; retrying in %.0f s", self.source.mailbox, err, delay)
                self.connected.clear()
                self.stop_event.wait(delay)
            finally:
                self.source.close()

    def stop(self) -> None:
        self.stop_event.set()
        self.source.interrupt()
