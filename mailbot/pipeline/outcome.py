"""What processing leaves behind for one message: the columns of its
`processed_message` row, and its `Outcome` (the IMAP side effect still to apply
after the commit). Shared by the per-message path and the list batch path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mailbot.mime.incoming import Incoming
from mailbot.models import ProcessedMessage
from mailbot.sources import Envelope


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


def row_values(env: Envelope, msg: Incoming, now: datetime) -> dict[str, Any]:
    """The `processed_message` columns known before classification."""
    return {
        "source_key": env.key, "role": env.role, "mailbox": env.mailbox,
        "uidvalidity": env.uidvalidity, "uid": env.uid, "message_id": msg.message_id,
        "from_email": msg.from_email, "subject": msg.subject[:500],
        "sent_at": msg.date.astimezone(UTC) if msg.date else None, "processed_at": now,
    }


def effects_of(row: ProcessedMessage) -> tuple[str | None, bool]:
    """The IMAP side effect a recorded message calls for: (keyword, quarantine)."""
    keyword = row.tag if row.role == "list" and row.tag else None
    return keyword, row.status == "quarantined"
