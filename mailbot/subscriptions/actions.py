"""Subscription requests written to the bot, once understood: subscribe, unsubscribe,
change of address, help. Each asks the AFFECTED address to confirm (DESIGN.md §5) and
tells the sender what happens next; nothing changes before that confirmation.
"""

from __future__ import annotations

from mailbot import members
from mailbot.job import Job
from mailbot.models import Member
from mailbot.subscriptions import commands, confirm
from mailbot.subscriptions.commands import Command as Parsed
from mailbot.subscriptions.replies import answer


def _sender_member(job: Job) -> Member | None:
    return members.find(job.session, job.msg.from_email)


def subscribe(job: Job, parsed: Parsed) -> None:
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
    request = confirm.ask(job.mailer(), "subscribe", member.email, member=member, name=name,
                          asked_by=sender, previous_status=previous)
    if target != sender:
        answer(job, "confirm_sent", action="subscribe", address=member.email,
               reference=request.reference)


def unsubscribe(job: Job, parsed: Parsed) -> None:
    sender = job.msg.from_email or ""
    member = _sender_member(job)
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
    request = confirm.ask(job.mailer(), "unsubscribe", member.email, member=member,
                          name=member.name, asked_by=sender)
    if member.email != sender:
        answer(job, "confirm_sent", action="unsubscribe", address=member.email,
               reference=request.reference)


def change_address(job: Job, parsed: Parsed) -> None:
    sender = job.msg.from_email or ""
    member = _sender_member(job)
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
    request = confirm.ask(job.mailer(), "change_address", new, member=member, name=member.name,
                          asked_by=sender, old_address=member.email)
    answer(job, "confirm_sent", action="change_address", address=new, old_address=member.email,
           reference=request.reference)
    if member.email != sender:
        job.mailer().send("command_result", member.email, key=f"change-notice:{request.reference}",
                         to_name=member.name, outcome="change_notice", address=new,
                         old_address=member.email, reference=request.reference)


def help_(job: Job, parsed: Parsed) -> None:
    sender = job.ctx.sender
    job.reply("help", to_name=sender.name if sender else "",
              understood=parsed.action != "unknown",
              member=sender is not None and sender.status == "active")


ACTIONS = {"subscribe": subscribe, "unsubscribe": unsubscribe,
           "change_address": change_address, "help": help_}
