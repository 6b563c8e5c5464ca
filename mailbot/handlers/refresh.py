"""Replies to the address-refresh campaign: keep ("OK"), a new address (then
confirmed from it), STOP, or unclear (asked again, held for a human).

Matched by reference (subject, text, quote), by thread (our Message-IDs carry
the reference) and by sender. Auto-replies and read receipts never get here
(guards); mail we must not answer changes nothing.
"""

from __future__ import annotations

from mailbot.job import Job
from mailbot.subscriptions import confirm, refresh
from mailbot.subscriptions.replies import answer, answer_entry, confirm_reply, references


class RefreshReply:
    """Applies one answer to the subscriber's campaign entry."""

    name = "refresh_reply"
    description = "Réponse à la mise à jour des adresses"

    def handle(self, job: Job) -> None:
        if job.must_not_act("réponse"):
            return
        refs = references(job)
        entry = refresh.find_entry(job.session, refs, job.msg.from_email)
        if entry is None:
            if confirm.find(job.session, refs) is not None:
                confirm_reply(job, refs)
                return
            job.hold("réponse à la mise à jour des adresses sans référence connue")
            answer(job, "unknown", kind="refresh_result")
            return
        answer_entry(job, entry)


HANDLER = RefreshReply()
