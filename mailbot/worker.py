"""The worker of one watched folder: list what is new, hand it to the pipeline in
fetch batches, apply the side effects, wait for news; reconnect with backoff after
any source or storage error.

A pass lists the folder from its mark (pipeline/ledger.py: IMAP `UID n:*`, Maildir
`new/`), so it costs what arrived, not what is archived; a full pass now and then
finds anything the mark stepped over. It runs in a thread (imapclient is blocking);
`on_processed` tells the event loop that replies may be waiting in the outbox.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable

from mailbot.errors import SourceError, StorageError
from mailbot.pipeline import Outcome, Pipeline
from mailbot.pipeline.ledger import Ledger, Listing
from mailbot.sources import Envelope, MailSource

log = logging.getLogger(__name__)
# capped at 8 s: after an outage of any length the server is found again within 10 s
BACKOFF = (1.0, 2.0, 4.0, 8.0)
# a folder read by header fields (about 1 kB a message) takes batches this many times
# larger: after a batch's keyword STOREs, Dovecot's Maildir reads the whole folder
# directory again, which on a 100,000-message folder cost more than the posts themselves
HEADER_BATCHES = 5


class Worker:
    """Drives one source through the pipeline."""

    def __init__(self, source: MailSource, pipeline: Pipeline, batch: int = 200,
                 on_processed: Callable[[int], None] | None = None) -> None:
        self.source, self.pipeline, self.batch = source, pipeline, batch
        self.ledger = Ledger(pipeline.services.engine, pipeline.services.now)
        self.on_processed = on_processed or (lambda n: None)
        self.stop_event = threading.Event()
        self.connected = threading.Event()

    def recover(self) -> int:
        """Re-apply side effects committed but not confirmed before a crash."""
        outcomes = self.ledger.unapplied(self.source.known_prefix())
        self.apply(outcomes)
        return len(outcomes)

    def run_once(self) -> int:
        """Process everything pending now; return how many messages were handled."""
        listing = self._listing()
        # recorded before and still listed (Maildir: in new/ after a crash or an upgrade)
        self.source.settle([e for e in listing.envelopes if e.key in listing.recorded])
        pending = listing.pending()
        size = self.batch * HEADER_BATCHES
        if self.pipeline.fields(self.source.role) is None:
            pending = self.source.sized(pending)  # the size cap is checked before fetching
            size = self.batch
        done, unapplied = 0, []
        for start in range(0, len(pending), size):
            outcomes = self.pipeline.take(pending[start:start + size], self.source)
            unapplied += outcomes
            listing.recorded.update(o.envelope.key for o in outcomes if o.row_id is not None)
            self.ledger.advance(listing)
            done += len(outcomes)
            if any(o.replies for o in outcomes):
                self.on_processed(sum(o.replies for o in outcomes))
            if self.stop_event.is_set():
                break
        # The side effects of the whole pass at once: one STORE per keyword, since a server
        # may rescan a large folder after each one. Until then the rows say effects_done
        # false, and a crash leaves them to `recover` at the next connection.
        self.apply(unapplied)
        if not self.stop_event.is_set() and (listing.full or listing.mark() != listing.since):
            self.ledger.advance(listing)
        return done

    def _listing(self) -> Listing:
        folder = self.source.known_prefix()
        since = self.ledger.since(folder)
        listed = self.source.pending(since)
        return Listing(folder, since, listed, self.ledger.recorded(folder, (e.key for e in listed)))

    def apply(self, outcomes: Iterable[Outcome]) -> None:
        """Set keywords and move quarantined messages, then record it (idempotent)."""
        by_keyword: dict[str, list[Envelope]] = defaultdict(list)
        to_quarantine: list[Envelope] = []
        to_settle: list[Envelope] = []
        ids: list[int] = []
        for o in outcomes:
            if o.row_id is None:
                continue
            ids.append(o.row_id)
            if o.quarantine:
                to_quarantine.append(o.envelope)
                continue
            to_settle.append(o.envelope)
            if o.keyword:
                by_keyword[o.keyword].append(o.envelope)
        for keyword, envs in by_keyword.items():
            self.source.add_keyword(envs, keyword)
        if to_quarantine:
            self.source.quarantine(to_quarantine)
        if to_settle:
            self.source.settle(to_settle)
        self.ledger.applied(ids)

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
