"""How far a watched folder has been read: the high-water mark of each folder.

A pass of the worker lists only what arrived after its folder's mark (IMAP:
`UID n:*`), so its cost follows what is new, not what is archived. The mark is
a hint, never the authority: `processed_message.source_key` stays the
exactly-once key, and a periodic full pass (`reconciled_at`) finds anything a
mark might have stepped over.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from mailbot.models.core import utcnow


class FolderMark(SQLModel, table=True):
    """One folder at one UIDVALIDITY (the prefix of its source keys) and its mark."""

    __tablename__ = "folder_mark"
    folder: str = Field(primary_key=True)  # the folder's source-key prefix (imap:acct/box/validity/)
    uid_next: int = 0  # every message of the folder below this UID is recorded
    reconciled_at: datetime = Field(default_factory=utcnow)  # the last full pass
