"""Subscription commands written to the bot: subscribe, unsubscribe, change of
address, help, and confirmations (replies to our confirmation requests).

Every command gets exactly one reply to its sender saying what was understood
and what happens next; the confirmation itself goes to the affected address.
Mail we must not answer (replybot rule) changes nothing; a DMARC failure
reported by our own server holds the message for the COTECH.
"""

from __future__ import annotations

from mailbot.job import Job
from mailbot.subscriptions import actions, commands, confirm
from mailbot.subscriptions.replies import confirm_reply, references


#: the reason shown to people (`mailbot messages`, the digest), in their words
ACTION_WORDS = {"subscribe": "inscription", "unsubscribe": "désinscription",
                "change_address": "changement d'adresse", "help": "aide",
                "unknown": "non reconnue"}


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
        to_us = job.verdict.values.get("action") == "reply"  # our subject is not their words
        parsed = commands.parse_command("" if to_us else job.msg.subject, job.msg.text, sender,
                                        ignore=job.services.our_addresses,
                                        lists=(job.services.settings.list.name,
                                               job.services.settings.list.address))
        job.row.reason = f"commande\u00a0: {ACTION_WORDS.get(parsed.action, parsed.action)}"
        if parsed.action == "unknown":
            job.hold("message au robot sans commande reconnue")
            if to_us:
                return  # a "merci" to our answer: no help ping-pong
        actions.ACTIONS.get(parsed.action, actions.help_)(job, parsed)


HANDLER = Command()
