"""Mail sources behind one interface: IMAP (push by IDLE) and a local Maildir.

A source watches one folder with one role (`list` or `inbox`). It lists what
is new, fetches it without setting \\Seen, sets keywords, moves a message to
quarantine, and waits for news. It never decides anything about a message.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Envelope:
    """One message in a watched folder, before it is fetched."""

    role: str  # list | inbox
    mailbox: str
    uidvalidity: int
    uid: int
    name: str  # Maildir file key ("" for IMAP)
    size: int
    account: str = ""  # IMAP user@host: daemons sharing a database never share keys

    @property
    def key(self) -> str:
        """The idempotence key stored in processed_message.source_key."""
        if self.name:
            return f"maildir:{self.mailbox}/{self.name}"
        if self.account:
            return f"imap:{self.account}/{self.mailbox}/{self.uidvalidity}/{self.uid}"
        return f"imap:{self.mailbox}/{self.uidvalidity}/{self.uid}"


class MailSource(Protocol):
    """What the worker needs from a folder."""

    role: str
    mailbox: str

    def open(self) -> None: ...

    def close(self) -> None: ...

    def pending(self, known: Set[str], sizes: bool = True) -> list[Envelope]:
        """Messages whose key is not in `known`, oldest first (`sizes`: with their
        size, else 0: a folder read by header fields needs no size up front)."""
        ...

    def known_prefix(self) -> str:
        """The prefix of this folder's keys, to load `known` from the database."""
        ...

    def fetch(self, envelopes: list[Envelope], fields: Sequence[str] | None = None
              ) -> Iterator[tuple[Envelope, bytes]]:
        """The messages' bytes; with `fields`, a header block holding at least those fields."""
        ...

    def fetch_one(self, envelope: Envelope) -> bytes: ...

    def size(self, envelope: Envelope) -> int:
        """The message's size in bytes (before fetching a message listed without it)."""
        ...

    def add_keyword(self, envelopes: list[Envelope], keyword: str) -> None: ...

    def quarantine(self, envelopes: list[Envelope]) -> None: ...

    def wait(self, timeout: float) -> bool:
        """Block until something may have arrived (True) or the timeout (False)."""
        ...

    def interrupt(self) -> None:
        """Make a blocked `wait` return soon (used at shutdown)."""
        ...
