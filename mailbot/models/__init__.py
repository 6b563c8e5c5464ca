"""SQLModel tables, one module per domain; importing this package registers them all.

core: members, processed messages, list posts, outbox.
marks: how far each watched folder has been read.
proofs, subscriptions, jobs: filled by their own issues; web: sign-in links, action log.
"""

from mailbot.models.core import (
    Member,
    MemberAlias,
    OutboxMessage,
    Post,
    ProcessedMessage,
    utcnow,
)
from mailbot.models import proofs as proofs  # noqa: F401  (registers tables)
from mailbot.models import subscriptions as subscriptions  # noqa: F401
from mailbot.models import jobs as jobs  # noqa: F401
from mailbot.models import web as web  # noqa: F401
from mailbot.models.marks import FolderMark

__all__ = ["FolderMark", "Member", "MemberAlias", "OutboxMessage", "Post", "ProcessedMessage", "utcnow"]
