"""Mail sources behind one interface: IMAP (push by IDLE) and a local Maildir.

A source watches one folder with one role (`list` or `inbox`). It lists what
is new (everything, or only what arrived after the folder's mark: see
pipeline/ledger.py), fetches it without setting \\Seen, sets keywords, moves a
message to quarantine, and waits for news. It never decides anything about a
message.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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

    def pending(self, since: int | None = None) -> list[Envelope]:
        """The folder's messages, oldest first, without their size: all of them
        (`since` None: a full pass), or those that arrived since the mark `since`
        (IMAP: UID >= since; Maildir: those still in `new/`)."""
        ...

    def sized(self, envelopes: list[Envelope]) -> list[Envelope]:
        """The same messages with their size (those gone meanwhile left out): a folder
        read whole checks the size cap before fetching; one read by header fields
        needs no size up front."""
        ...

    def known_prefix(self) -> str:
        """The prefix of this folder's keys (at its UIDVALIDITY): the folder's name in
        the database."""
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

    def settle(self, envelopes: list[Envelope]) -> None:
        """Recorded messages leave what `pending(since)` lists (Maildir: `new/` to `cur/`;
        IMAP: nothing, the mark moves past them)."""
        ...

    def wait(self, timeout: float) -> bool:
        """Block until something may have arrived (True) or the timeout (False)."""
        ...

    def interrupt(self) -> None:
        """Make a blocked `wait` return soon (used at shutdown)."""
        ...
