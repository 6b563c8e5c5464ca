"""List posts: index the post and its GO/GT tag (the keyword is set after commit)."""

from __future__ import annotations

from mailbot.handlers import Job
from mailbot.models import Post


class ListPost:
    """Records a list post in the thread index; never answers the list."""

    name = "list_post"
    description = "Message distribué par la liste"

    def handle(self, job: Job) -> None:
        msg = job.msg
        job.row.tag = job.verdict.tag  # the pipeline already skipped a Message-ID seen before
        thread = msg.references[0] if msg.references else (msg.in_reply_to or msg.message_id)
        author = job.ctx.author
        job.session.add(Post(
            message_id=msg.message_id, thread_id=thread, subject=msg.subject,
            author_email=job.ctx.author_email, author_name=author.name if author else
            (msg.from_.name if msg.from_ else ""),
            tag=job.verdict.tag, tag_reason=job.verdict.tag_step,
            posted_at=msg.date or job.services.now(),
        ))
        from mailbot.handlers.command import list_mistake  # issue 4: private note only

        list_mistake(job)


HANDLER = ListPost()
