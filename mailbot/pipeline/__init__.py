"""One message, end to end, exactly once: the boundary between the worker and the rules.

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
  4. the outbox sender delivers rows after their commit (see mail/outbox.py).

Any exception in step 2 rolls the transaction back; the message is then
recorded as `quarantined` with the reason, in a fresh transaction, and moved
to the quarantine folder. If even that record cannot be written (database
down), the error rises to the worker, which retries later: nothing is lost.

The package, one message's path:

  worker.py          lists what is new, hands `Pipeline.take` a fetch batch, applies
                     the side effects of its outcomes;
  __init__.py        `Pipeline`: the worker's face: which fields a folder is read by,
                     and `take`: size cap, fetch, one `Lookahead`, then either path;
  prepare.py         what both paths build: fields, Lookahead, Context, row values;
  message.py         `MessagePath`: one message in one transaction (step 2), quarantine;
  batch.py           `ListBatch`: plain list posts read by header fields, one
                     transaction per fetch batch (same ordering); the rest to message.py;
  outcome.py         `Outcome`: what is left to apply after the commit (step 3);
  ledger.py          the worker's view of a folder's records: which listed keys are
                     recorded (step 1), the folder's mark (a pass lists what is new),
                     the rows whose side effect is still to apply (step 3, at start);
  replay.py          a held or quarantined message processed again (the web page).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from mailbot.decide.tagging import needs_body
from mailbot.errors import MalformedMessage
from mailbot.handlers import Handler
from mailbot.mime.headers import scan_message_id
from mailbot.pipeline.batch import ListBatch
from mailbot.pipeline.message import Loader, MessagePath
from mailbot.pipeline.outcome import Outcome
from mailbot.pipeline.prepare import Lookahead, list_fields
from mailbot.services import Services
from mailbot.sources import Envelope
from mailbot.vocab import Role

__all__ = ["Loader", "Outcome", "Pipeline", "Reader"]


class Reader(Protocol):
    """What the pipeline reads a fetch batch through (a MailSource is one)."""

    def fetch(self, envelopes: list[Envelope], fields: Sequence[str] | None = None
              ) -> Iterator[tuple[Envelope, bytes]]: ...

    def fetch_one(self, envelope: Envelope) -> bytes: ...

    def size(self, envelope: Envelope) -> int: ...


class Pipeline:
    """Takes fetch batches from the worker; both paths below it."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.path = MessagePath(services)
        self.limits = self.path.limits
        self.headers_suffice = not needs_body(services.rules)
        self.list_fields = list_fields(services.rules)  # see fields()

    @property
    def handlers(self) -> dict[str, Handler]:
        return self.path.handlers

    def fields(self, role: str) -> tuple[str, ...] | None:
        """The header fields a folder's messages are fetched by (None: whole messages).
        List posts are tagged from their headers unless a keyword rule reads bodies."""
        return self.list_fields if role == Role.LIST and self.headers_suffice else None

    def take(self, envelopes: list[Envelope], reader: Reader) -> list[Outcome]:
        """One fetch batch of one folder, processed: those over the size cap recorded
        unread; list posts read by header fields recorded together (pipeline.batch);
        anything else one message at a time (pipeline.message)."""
        if not envelopes:
            return []
        fields = self.fields(envelopes[0].role)
        limit = self.limits.max_bytes
        outcomes = [self.path.reject(e, f"message trop volumineux ({e.size} octets)")
                    for e in envelopes if e.size > limit]
        small = [e for e in envelopes if e.size <= limit]

        def loader(env: Envelope) -> Loader:
            return lambda: self._load(reader, env)

        if fields is None:
            ahead = Lookahead(self.services.engine)
            return outcomes + [self.path.process(env, data, False, loader(env), ahead)
                               for env, data in reader.fetch(small)]
        fetched = list(reader.fetch(small, fields))
        # header blocks are small: their Message-IDs are looked up at once (an id read
        # differently from the parser only costs that message its own query)
        ahead = Lookahead(self.services.engine, (scan_message_id(d) for _, d in fetched))
        return outcomes + ListBatch(self.path, ahead, loader).run(fetched)

    def process(self, env: Envelope, data: bytes, headers_only: bool, load: Loader) -> Outcome:
        """One message alone, outside any batch (tests, tools)."""
        return self.path.process(env, data, headers_only, load)

    def _load(self, reader: Reader, env: Envelope) -> bytes:
        """A message whole, when its header fields are not enough (listed without its
        size: the size cap is checked first)."""
        size = env.size or reader.size(env)
        if size > self.limits.max_bytes:
            raise MalformedMessage(f"message trop volumineux ({size} octets)")
        return reader.fetch_one(env)
