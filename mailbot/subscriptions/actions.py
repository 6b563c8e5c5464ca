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
    """The member the request names (a colleague who left), else the sender's own
    membership: that member's address confirms. A stranger naming a member is refused
    without a word to the member (the bot is no one's way to mail our members)."""
    sender = job.msg.from_email or ""
    own = _sender_member(job)
    member = members.find(job.session, parsed.address) if parsed.address else own
    if parsed.address and own is None and member is not None:
        answer(job, "not_yours", action="unsubscribe", address=parsed.address)
        return
    if member is None or member.status == "left":
        answer(job, "not_subscribed", address=parsed.address or sender)
        return
    request = confirm.ask(job.mailer(), "unsubscribe", member.email, member=member,
                          name=member.name, asked_by=sender)
    if member.email != sender:
        answer(job, "confirm_sent", action="unsubscribe", address=member.email,
               reference=request.reference)


def _named(job: Job, skip: list[str]) -> list[str]:
    """The addresses the request names (subject and new text), ours and `skip` left out."""
    lines = [commands.normalise(job.msg.subject), *commands.new_lines(job.msg.text)]
    return commands.addresses(lines, [*skip, *job.services.our_addresses])


def _named_member(job: Job, skip: list[str]) -> Member | None:
    """A member named in the request other than the sender ("Claire's new address is ...")."""
    for address in _named(job, skip):
        member = members.find(job.session, address)
        if member is not None and member.status != "left":
            return member
    return None


def _unknown_named(job: Job, skip: list[str]) -> str | None:
    """The first address the request names that is no member's."""
    return next((a for a in _named(job, skip) if members.find(job.session, a) is None), None)


def change_address(job: Job, parsed: Parsed) -> None:
    """The sender's address, or a colleague's the request names: confirmed from the NEW
    address, the old one told."""
    sender = job.msg.from_email or ""
    new = parsed.new_address
    asker = _sender_member(job)  # only a member may speak for a colleague
    named = _named_member(job, [sender, new or ""]) if asker is not None else None
    current = members.find(job.session, new) if new and asker is not None else None
    if current is not None and current.email != sender and current.status != "left":
        # "Thomas (old@x) is now new@y": the member's address is the old one
        other = _unknown_named(job, [sender, current.email])
        named, new = (current, other) if other else (named, new)
    member = named if named is not None else _sender_member(job)
    if member is None or member.status == "left":
        answer(job, "not_subscribed", address=sender)
        return
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
