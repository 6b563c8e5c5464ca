"""Mail sources behind one interface: IMAP (push by IDLE) and a local Maildir.

A source watches one folder with one role (`list` or `inbox`). It lists what
is new, fetches it without setting \\Seen, sets keywords, moves a message to
quarantine, and waits for news. It never decides anything about a message.
"""

from __future__ import annotations

from collections.abc import Iterator, Set
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

    def pending(self, known: Set[str]) -> list[Envelope]:
        """Messages whose key is not in `known`, oldest first."""
        ...

    def known_prefix(self) -> str:
        """The prefix of this folder's keys, to load `known` from the database."""
        ...

    def fetch(self, envelopes: list[Envelope], headers_only: bool
              ) -> Iterator[tuple[Envelope, bytes]]: ...

    def fetch_one(self, envelope: Envelope) -> bytes: ...

    def add_keyword(self, envelopes: list[Envelope], keyword: str) -> None: ...

    def quarantine(self, envelopes: list[Envelope]) -> None: ...

    def wait(self, timeout: float) -> bool:
        """Block until something may have arrived (True) or the timeout (False)."""
        ...

    def interrupt(self) -> None:
        """Make a blocked `wait` return soon (used at shutdown)."""
        ...
