"""Subscription commands written to the bot: subscribe, unsubscribe, change of
address, help, and confirmations (replies to our confirmation requests).

Every command gets exactly one reply to its sender saying what was understood
and what happens next; the confirmation itself goes to the affected address.
Mail we must not answer (replybot rule) changes nothing; a DMARC failure
reported by our own server holds the message for the COTECH.
"""

from __future__ import annotations

from typing import Any

from mailbot import members
from mailbot.handlers import Job
from mailbot.models import Member
from mailbot.subscriptions import commands, confirm, refresh, tokens
from mailbot.subscriptions.commands import Command as Parsed
from mailbot.subscriptions.mailer import Mailer


class Command:
    """Understands the command, asks the affected address to confirm, or confirms."""

    name = "command"
    description = "Commande d'abonnement (inscription, désinscription, adresse, aide)"

    def handle(self, job: Job) -> None:
        if job.must_not_act("commande"):
            return
        if job.verdict.values.get("action") == "confirm":
            confirm_reply(job, references(job))
            return
        own = references(job, quoted=False)  # a reference they wrote, not one we quoted
        if confirm.find(job.session, own):
            confirm_reply(job, own)
            return
        sender = job.msg.from_email or ""
        s = job.services.settings
        to_us = job.verdict.values.get("action") == "reply"  # our subject is not their words
        parsed = commands.parse_command("" if to_us else job.msg.subject, job.msg.text, sender,
                                        ignore=(s.bot.address, s.list.address, s.list.sympa,
                                                *s.cotech.recipients))
        job.row.reason = f"commande : {parsed.action}"
        if parsed.action == "unknown":
            job.hold("message au robot sans commande reconnue")
            if to_us:
                return  # a "merci" to our answer: no help ping-pong
        ACTIONS.get(parsed.action, _help)(job, parsed)


def references(job: Job, quoted: bool = True) -> list[str]:
    """References in the subject, the new text (and the quote), and our thread ids."""
    msg = job.msg
    return tokens.in_text(msg.subject, msg.text, msg.quoted if quoted else "") + tokens.in_thread(
        [i for i in [msg.in_reply_to, *reversed(msg.references)] if i])


def mailer(job: Job) -> Mailer:
    return Mailer(job.session, job.services, cause=job.msg.message_id, keys=job.replies)


def answer(job: Job, outcome: str, kind: str = "command_result", **extra: Any) -> None:
    sender = job.ctx.sender
    name = sender.name if sender else (job.msg.from_.name if job.msg.from_ else "")
    job.reply(kind, to_name=name, outcome=outcome, **extra)


def _member(job: Job) -> Member | None:
    return members.find(job.session, job.msg.from_email)


def _subscribe(job: Job, parsed: Parsed) -> None:
    sender = job.msg.from_email or ""
    target = parsed.address or sender
    member = members.find(job.session, target)
    if member is not None and member.status == "active":
        answer(job, "already_subscribed", address=target, member_address=member.email)
        return
    now = job.services.now()
    name = member.name if member else (job.msg.from_.name if job.msg.from_ and
                                       target == sender else "")
    previous = member.status if member and member.status != "pending" else None
    if member is None:
        member = Member(email=target, name=name, status="pending", created_at=now, updated_at=now)
    member.status = "pending"
    job.session.add(member)
    job.session.flush()
    request = confirm.ask(mailer(job), "subscribe", member.email, member=member, name=name,
                          asked_by=sender, previous_status=previous)
    if target != sender:
        answer(job, "confirm_sent", action="subscribe", address=member.email,
               reference=request.reference)


def _unsubscribe(job: Job, parsed: Parsed) -> None:
    sender = job.msg.from_email or ""
    member = _member(job)
    if parsed.address and (member is None or parsed.address not in
                           {member.email, *members.aliases(job.session, member)}):
        answer(job, "not_yours", action="unsubscribe", address=parsed.address)
        return
    if member is None or member.status == "left":
        named = commands.addresses(commands.new_lines(job.msg.text), [sender])
        if named:  # "please unsubscribe x@y" from someone who is not x@y
            answer(job, "not_yours", action="unsubscribe", address=named[0])
        else:
            answer(job, "not_subscribed", address=sender)
        return
    request = confirm.ask(mailer(job), "unsubscribe", member.email, member=member,
                          name=member.name, asked_by=sender)
    if member.email != sender:
        answer(job, "confirm_sent", action="unsubscribe", address=member.email,
               reference=request.reference)


def _change(job: Job, parsed: Parsed) -> None:
    sender = job.msg.from_email or ""
    member = _member(job)
    if member is None or member.status == "left":
        answer(job, "not_subscribed", address=sender)
        return
    new = parsed.new_address
    if not new:
        answer(job, "need_address")
        return
    if new == member.email:
        answer(job, "same_address", address=new)
        return
    owner = members.find(job.session, new)
    if owner is not None and owner.id != member.id:
        answer(job, "address_taken", address=new)
        return
    request = confirm.ask(mailer(job), "change_address", new, member=member, name=member.name,
                          asked_by=sender, old_address=member.email)
    answer(job, "confirm_sent", action="change_address", address=new, old_address=member.email,
           reference=request.reference)
    if member.email != sender:
        mailer(job).send("command_result", member.email, key=f"change-notice:{request.reference}",
                         to_name=member.name, outcome="change_notice", address=new,
                         old_address=member.email, reference=request.reference)


def _help(job: Job, parsed: Parsed) -> None:
    sender = job.ctx.sender
    job.reply("help", to_name=sender.name if sender else "",
              understood=parsed.action != "unknown",
              member=sender is not None and sender.status == "active")


ACTIONS = {"subscribe": _subscribe, "unsubscribe": _unsubscribe,
           "change_address": _change, "help": _help}


def confirm_reply(job: Job, refs: list[str]) -> None:
    """A reply to one of our confirmation requests (or a refresh reference sent here)."""
    request = confirm.find(job.session, refs)
    if request is None:
        entry = refresh.find_entry(job.session, refs, None)
        if entry is not None:
            from mailbot.handlers.refresh import answer_entry

            answer_entry(job, entry)
            return
        job.row.reason = "confirmation : référence inconnue"
        answer(job, "unknown", kind="confirm_result", reference=refs[0] if refs else "")
        return
    sender = job.msg.from_email or ""
    result = confirm.confirm(mailer(job), request, sender,
                             refused=commands.is_refusal(job.msg.text))
    job.row.reason = f"confirmation {request.reference} : {result.outcome}"
    answer(job, result.outcome, kind="confirm_result", reference=request.reference,
           action=request.action, address=request.address,
           old_address=request.old_address or "", sync=job.services.settings.list.sync)



def list_mistake(job: Job) -> bool:
    """A subscription command posted to the list by mistake: one private note to
    its author (never anything to the list); nothing is changed."""
    parsed = commands.list_command(job.msg.subject, job.msg.text)
    author = job.ctx.author_email
    s = job.services.settings
    if parsed is None or not author or author in (s.bot.address, s.list.address, s.list.sympa):
        return False
    name = job.ctx.author.name if job.ctx.author else ""
    return job.reply("list_command_note", to=author, to_name=name, private_list_exception=True,
                     key=f"list-note:{job.msg.message_id}", action=parsed.action,
                     post_subject=job.msg.subject)


HANDLER = Command()
