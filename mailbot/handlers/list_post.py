"""List posts: index the post and its GO/GT tag (the keyword is set after commit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mailbot.decide.classify import Verdict
from mailbot.decide.facts import Context
from mailbot.job import Job
from mailbot.subscriptions.replies import list_mistake
from mailbot.mime.incoming import Incoming
from mailbot.models import Post


def post_values(msg: Incoming, ctx: Context, verdict: Verdict, now: datetime) -> dict[str, Any]:
    """The `post` row of a list post (the thread index and the digest's source)."""
    thread = msg.references[0] if msg.references else (msg.in_reply_to or msg.message_id)
    author = ctx.author
    return {
        "message_id": msg.message_id, "thread_id": thread, "subject": msg.subject,
        "author_email": ctx.author_email,
        "author_name": author.name if author else (msg.from_.name if msg.from_ else ""),
        "tag": verdict.tag, "tag_reason": verdict.tag_step, "posted_at": msg.date or now,
    }


class ListPost:
    """Records a list post in the thread index; never answers the list."""

    name = "list_post"
    description = "Message distribué par la liste"

    def handle(self, job: Job) -> None:
        job.row.tag = job.verdict.tag  # the pipeline already skipped a Message-ID seen before
        job.session.add(Post(**post_values(job.msg, job.ctx, job.verdict, job.services.now())))
        list_mistake(job)


HANDLER = ListPost()
