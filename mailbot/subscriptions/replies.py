"""Replies to our own requests: confirmations (reply-based tokens), answers to the
address-refresh campaign, and the one private note to a command posted to the list.

Also the small shared pieces of every subscription reply: the references a message
carries (`references`) and the one answer its sender gets (`answer`).
"""

from __future__ import annotations

from typing import Any

from mailbot import members
from mailbot.job import Job
from mailbot.models import Member
from mailbot.models.subscriptions import RefreshCampaign, RefreshEntry
from mailbot.subscriptions import commands, confirm, refresh, tokens


def references(job: Job, quoted: bool = True) -> list[str]:
    """References in the subject, the new text (and the quote), and our thread ids."""
    msg = job.msg
    return tokens.in_text(msg.subject, msg.text, msg.quoted if quoted else "") + tokens.in_thread(
        [i for i in [msg.in_reply_to, *reversed(msg.references)] if i])


def answer(job: Job, outcome: str, kind: str = "command_result", **extra: Any) -> None:
    sender = job.ctx.sender
    name = sender.name if sender else (job.msg.from_.name if job.msg.from_ else "")
    job.reply(kind, to_name=name, outcome=outcome, **extra)


def confirm_reply(job: Job, refs: list[str]) -> None:
    """A reply to one of our confirmation requests (or a refresh reference sent here)."""
    request = confirm.find(job.session, refs)
    if request is None:
        entry = refresh.find_entry(job.session, refs, None)
        if entry is not None:
            answer_entry(job, entry)
            return
        job.row.reason = "confirmation : référence inconnue"
        answer(job, "unknown", kind="confirm_result", reference=refs[0] if refs else "")
        return
    sender = job.msg.from_email or ""
    result = confirm.confirm(job.mailer(), request, sender,
                             refused=commands.is_refusal(job.msg.text))
    job.row.reason = f"confirmation {request.reference} : {result.outcome}"
    answer(job, result.outcome, kind="confirm_result", reference=request.reference,
           action=request.action, address=request.address,
           old_address=request.old_address or "", sync=job.services.settings.list.sync)


def answer_entry(job: Job, entry: RefreshEntry) -> None:
    sender = job.msg.from_email or ""
    member = job.session.get(Member, entry.member_id) if entry.member_id else None
    ignore = [*job.services.our_addresses, entry.address]
    if member is not None:
        ignore += [member.email, *members.aliases(job.session, member)]
    reply = commands.parse_refresh_reply(job.msg.text, ignore=ignore)
    outcome = refresh.answer(job.mailer(), entry, reply, sender)
    job.row.reason = f"mise à jour {entry.reference} : {outcome}"
    if outcome == "unclear":
        job.hold("réponse à la mise à jour des adresses non comprise")
    answer(job, outcome, kind="refresh_result", reference=entry.reference,
           address=entry.address, new_address=reply.new_address or "",
           deadline=refresh_deadline(job, entry))


def refresh_deadline(job: Job, entry: RefreshEntry) -> object:
    campaign = job.session.get(RefreshCampaign, entry.campaign_id)
    return campaign.deadline_at if campaign else None



def list_mistake(job: Job) -> bool:
    """A subscription command posted to the list by mistake: one private note to
    its author (never anything to the list); nothing is changed."""
    parsed = commands.list_command(job.msg.subject, job.msg.text)
    author = job.ctx.author_email
    if parsed is None or not author or author in job.services.our_addresses:
        return False
    name = job.ctx.author.name if job.ctx.author else ""
    return job.reply("list_command_note", to=author, to_name=name, private_list_exception=True,
                     key=f"list-note:{job.msg.message_id}", action=parsed.action,
                     post_subject=job.msg.subject)
