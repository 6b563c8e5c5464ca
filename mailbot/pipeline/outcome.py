"""What processing leaves behind for one message: its `Outcome`, the side effect still
to apply after the commit (a keyword, or the move to quarantine). Shared by both paths
and by the worker's recovery.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailbot.models import ProcessedMessage
from mailbot.sources import Envelope
from mailbot.vocab import Role, Status


@dataclass(frozen=True)
class Outcome:
    """What happened to one message, and the side effect still to apply."""

    envelope: Envelope
    category: str
    status: str
    tag: str | None
    keyword: str | None  # IMAP keyword to set (list posts)
    quarantine: bool
    replies: int
    row_id: int | None


def effects_of(row: ProcessedMessage) -> tuple[str | None, bool]:
    """The IMAP side effect a recorded message calls for: (keyword, quarantine)."""
    keyword = row.tag if row.role == Role.LIST and row.tag else None
    return keyword, row.status == Status.QUARANTINED
