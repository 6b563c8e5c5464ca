"""What the database says of a watched folder, for the worker: which of the keys it
lists are recorded, how far the folder has been read (its mark), and the rows whose
side effect is still to apply.

The mark is a hint, never the authority (`processed_message.source_key` is): it only
moves past UIDs that are recorded (processed, duplicate or quarantined), after their
commit, so a crash leaves it behind, never ahead. A pass lists the folder from its
mark (IMAP `UID n:*`, Maildir `new/`), so its cost follows what is new; a full pass
every `RECONCILE` (and whenever a folder has no mark: first run, new UIDVALIDITY)
lists everything, to find anything a mark might have stepped over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.engine import Engine
from sqlmodel import col, select, update

from mailbot.db import session_scope
from mailbot.models import FolderMark, ProcessedMessage
from mailbot.pipeline.outcome import Outcome, effects_of
from mailbot.pipeline.prepare import CHUNK
from mailbot.sources import Envelope

RECONCILE = timedelta(hours=1)


@dataclass
class Listing:
    """One pass over a folder: what it listed (oldest first), and which of those keys
    are recorded so far."""

    folder: str
    since: int | None  # None: a full pass
    envelopes: list[Envelope]
    recorded: set[str]

    @property
    def full(self) -> bool:
        return self.since is None

    def pending(self) -> list[Envelope]:
        return [e for e in self.envelopes if e.key not in self.recorded]

    def mark(self) -> int:
        """The first listed UID not recorded yet, else past the last one listed."""
        missing = (e.uid for e in self.envelopes if e.key not in self.recorded)
        last = max((e.uid for e in self.envelopes), default=(self.since or 1) - 1)
        return next(missing, last + 1)


class Ledger:
    """The worker's reads and writes of the folder's records."""

    def __init__(self, engine: Engine, now: Callable[[], datetime]) -> None:
        self.engine, self.now = engine, now

    def since(self, folder: str) -> int | None:
        """Where a pass of `folder` starts (None: a full pass is due)."""
        with session_scope(self.engine) as s:
            mark = s.get(FolderMark, folder)
        if mark is None or self.now() - mark.reconciled_at >= RECONCILE:
            return None
        return mark.uid_next

    def recorded(self, folder: str, keys: Iterable[str]) -> set[str]:
        """The keys among `keys` (all of `folder`) with a `processed_message` row: looked
        up by key, or, for a full pass's many keys, all the folder's keys read at once."""
        chosen, found = sorted(set(keys)), set[str]()
        if not chosen:
            return found
        with session_scope(self.engine) as s:
            if len(chosen) > 20 * CHUNK:
                found.update(s.exec(select(ProcessedMessage.source_key).where(
                    in_folder(folder))).all())
                return found & set(chosen)
            for start in range(0, len(chosen), CHUNK):
                found.update(s.exec(select(ProcessedMessage.source_key).where(
                    col(ProcessedMessage.source_key).in_(chosen[start:start + CHUNK]))).all())
        return found

    def advance(self, listing: Listing) -> None:
        """Record how far the folder is read (after the batch's commit)."""
        with session_scope(self.engine) as s:
            mark = s.get(FolderMark, listing.folder)
            if mark is None:
                mark = FolderMark(folder=listing.folder, reconciled_at=self.now())
            elif listing.full:
                mark.reconciled_at = self.now()
            mark.uid_next = listing.mark() if listing.full else max(
                mark.uid_next, listing.mark())
            s.add(mark)

    def unapplied(self, folder: str) -> list[Outcome]:
        """The recorded messages of `folder` whose side effect is not confirmed."""
        with session_scope(self.engine) as s:
            rows = s.exec(select(ProcessedMessage).where(
                in_folder(folder), ProcessedMessage.effects_done == False)).all()  # noqa: E712
        outcomes = []
        for row in rows:
            keyword, quarantine = effects_of(row)
            env = Envelope(row.role, row.mailbox, row.uidvalidity, row.uid,
                           row.source_key.rpartition("/")[2] if row.source_key.startswith(
                               "maildir:") else "", 0)
            outcomes.append(Outcome(env, row.category, row.status, row.tag, keyword,
                                    quarantine, 0, row.id))
        return outcomes

    def applied(self, ids: list[int]) -> None:
        """The side effects of these rows are applied."""
        if ids:
            with session_scope(self.engine) as s:
                s.exec(update(ProcessedMessage)
                       .where(col(ProcessedMessage.id).in_(ids)).values(effects_done=True))



def in_folder(folder: str) -> ColumnElement[bool]:
    """`source_key` starts with the folder's prefix (`_` and `%` in a folder's name taken
    as themselves). Not a key range: PostgreSQL orders strings by its collation, which
    may skip punctuation, so `>= 'box/7/' AND < 'box/70'` could miss keys there."""
    return col(ProcessedMessage.source_key).startswith(folder, autoescape=True)
