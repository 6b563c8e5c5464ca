"""Replies to the address-refresh campaign: keep ("OK"), a new address (then
confirmed from it), STOP, or unclear (asked again, held for a human).

Matched by reference (subject, text, quote), by thread (our Message-IDs carry
the reference) and by sender. Auto-replies and read receipts never get here
(guards); mail we must not answer changes nothing.
"""

from __future__ import annotations

from mailbot import members
from mailbot.handlers import Job
from mailbot.handlers.command import answer, confirm_reply, mailer, references
from mailbot.models import Member
from mailbot.models.subscriptions import RefreshCampaign, RefreshEntry
from mailbot.subscriptions import commands, confirm, refresh


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


def answer_entry(job: Job, entry: RefreshEntry) -> None:
    sender = job.msg.from_email or ""
    member = job.session.get(Member, entry.member_id) if entry.member_id else None
    s = job.services.settings
    ignore = [s.bot.address, s.list.address, s.list.sympa, *s.cotech.recipients, entry.address]
    if member is not None:
        ignore += [member.email, *members.aliases(job.session, member)]
    reply = commands.parse_refresh_reply(job.msg.text, ignore=ignore)
    outcome = refresh.answer(mailer(job), entry, reply, sender)
    job.row.reason = f"mise à jour {entry.reference} : {outcome}"
    if outcome == "unclear":
        job.hold("réponse à la mise à jour des adresses non comprise")
    answer(job, outcome, kind="refresh_result", reference=entry.reference,
           address=entry.address, new_address=reply.new_address or "",
           deadline=refresh_deadline(job, entry))


def refresh_deadline(job: Job, entry: RefreshEntry) -> object:
    campaign = job.session.get(RefreshCampaign, entry.campaign_id)
    return campaign.deadline_at if campaign else None


HANDLER = RefreshReply()
