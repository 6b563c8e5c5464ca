"""One message being handled (`Job`): the message, its context and verdict, the open
session, the services, and the means to act: hold, quarantine, reply, send.

Handlers and the domain actions they call (`subscriptions.actions`, `proofs`) all take a
Job; it lives here, apart from `handlers/`, so that the domain packages never import the
handler package that imports them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from mailbot.decide.classify import Verdict
from mailbot.decide.facts import Context
from mailbot.decide.replypolicy import Unsafe, refusal, stranger_refusal
from mailbot.decide.trust import assess
from mailbot.mail.mailer import Mailer
from mailbot.mime.incoming import Incoming
from mailbot.models import Member, ProcessedMessage
from mailbot.services import Services
from mailbot.vocab import Role, Status

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One message being handled: what it is, and the means to act on it."""

    session: Session
    services: Services
    msg: Incoming
    ctx: Context
    verdict: Verdict
    row: ProcessedMessage
    replies: list[str] = field(default_factory=list)  # outbox keys queued
    _stranger: tuple[Unsafe | None] | None = field(default=None, repr=False)

    def mailer(self) -> Mailer:
        """Our mail caused by this message: each key queued is remembered in ``replies``."""
        return Mailer(self.session, self.services, cause=self.msg.message_id, keys=self.replies)

    def hold(self, reason: str) -> None:
        """Keep the message for a human (listed in the digest)."""
        self.row.status = Status.HELD
        self.row.reason = reason

    def quarantine(self, reason: str) -> None:
        """Move the message to the quarantine folder after the commit."""
        self.row.status = Status.QUARANTINED
        self.row.reason = reason

    def must_not_act(self, what: str) -> bool:
        """True, with the reason recorded, when this message may change nothing: mail we
        must not answer (automatic, list-borne), or a sender our own server could not
        authenticate (DMARC failure, forged Authentication-Results: held for the COTECH)."""
        why_not = self.may_reply()
        if why_not is not None:
            self.row.reason = f"{what} ignorée : {why_not}"
            return True
        return self.unauthenticated(what)

    def unauthenticated(self, what: str, *, verified: bool = False) -> bool:
        """True, the message held for the COTECH, when our own server did not authenticate
        its sender (DMARC failure, forged Authentication-Results) or, with `verified`,
        gave no verdict at all. The one check for every message that would act: member
        commands and the Sympa robot's mail alike (`verified` for an AUTH we would answer)."""
        trust = assess(self.msg, self.services.settings.auth.authserv_id)
        if trust.trusted and (trust.verified or not verified):
            return False
        reason = (trust.reason if not trust.trusted
                  else f"aucun verdict de notre serveur ({trust.reason})")
        self.hold(f"{what} refusée : expéditeur non authentifié (DMARC/SPF) selon notre "
                  f"serveur — {reason}")
        return True

    def may_reply(self, private_list_exception: bool = False) -> str | None:
        """Why we must not answer, or None. List traffic is never answered,
        except by the one narrow private note to a command posted by mistake (DESIGN.md §4)."""
        if self.ctx.role == Role.LIST and not private_list_exception:
            return "message de la liste"
        if self.ctx.role == Role.LIST:
            return None if self.msg.from_ is not None else "pas d'expéditeur"
        why_not = refusal(self.msg, self.services.settings.bot.address)
        if why_not is not None or self.ctx.sender is not None:
            return why_not
        unsafe = self.stranger()
        return unsafe.reason if unsafe is not None else None

    def stranger(self) -> Unsafe | None:
        """An unknown sender we may not answer (not authenticated by our server, or a
        hostile message): held, or quarantined when hostile, the reason in French."""
        if self._stranger is None:
            ours = [*self.services.our_addresses, *self.session.exec(select(Member.email)).all()]
            known = {a.rpartition("@")[2].lower() for a in ours if "@" in a}
            unsafe = stranger_refusal(self.msg, self.services.settings.auth.authserv_id, known)
            self._stranger = (unsafe,)
            if unsafe is not None:
                (self.quarantine if unsafe.hostile else self.hold)(unsafe.reason)
        return self._stranger[0]

    def reply(self, kind: str, to: str | None = None, *, to_name: str = "",
              key: str | None = None, private_list_exception: bool = False,
              auto: str = "auto-replied", **context: Any) -> bool:
        """Render and queue a reply (once per key); False when policy forbids it."""
        why_not = self.may_reply(private_list_exception)
        if why_not is not None:
            log.info("%s: no reply (%s)", self.msg.message_id, why_not)
            return False
        address = to or self.msg.from_email
        if not address:
            return False
        return self.send(kind, address, to_name=to_name, key=key, auto=auto,
                         in_reply_to=self.msg.message_id, **context)

    def send(self, kind: str, to: str, *, to_name: str = "", key: str | None = None,
             auto: str = "auto-generated", in_reply_to: str | None = None,
             **context: Any) -> bool:
        """Queue a mail of ours (no reply policy: confirmations, notices)."""
        mailer = self.mailer()
        extra = {"subject": self.msg.subject, "received_at": self.msg.date, **context}
        return mailer.send(kind, to, key=key or f"{kind}:{self.msg.message_id}:{to}",
                           to_name=to_name, in_reply_to=in_reply_to,
                           references=self.msg.references if in_reply_to else (),
                           auto=auto, **extra)
