"""Driving the Sympa list as its owner: QUIET ADD / QUIET DEL / REVIEW sent to the
robot from our address; its mail read: AUTH requests, command reports, REVIEW answers.

Reading follows what Sympa really sends (`sympa_read`): status words and quoted
commands, compared with the commands we sent, never French sentences. What a
report means for a command (done, waiting for a validation, refused) and what
follows is `sympa_sync`; REVIEW answers are `sympa_review`.

An AUTH request is answered only when it comes From the configured robot, our own
server authenticated it (the handler's shared check, `Job.unauthenticated`), it is
about our list, and it asks for a command WE sent and Sympa has not settled, once:
a request we did not cause is held for a human, so a forged ADD in our name cannot
be confirmed by us. Sympa's AUTH drops our QUIET: the member also gets Sympa's own
welcome or removal notice, and our "C'est fait" says so (see README, "Sympa").
With `[list] sync = "off"` nothing is sent to Sympa: the COTECH gets a mail saying
what to change by hand.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlmodel import Session, select

from mailbot.mail.mailer import MailServices, Mailer
from mailbot.mail.outbox import clean_header
from mailbot.mime.incoming import Incoming
from mailbot.models.subscriptions import SympaCommand
from mailbot.subscriptions import sympa_read, sympa_review, sympa_sync

AUTH_WINDOW = timedelta(days=30)  # Sympa purges unconfirmed requests after 30 days


@dataclass
class SympaOutcome:
    """What a mail from the robot was, and whether a human must look at it."""

    kind: str  # auth | report | review | unknown
    held: str | None = None
    notes: list[str] = field(default_factory=list)


def command_line(services: MailServices, action: str, address: str = "", name: str = "") -> str:
    """`QUIET ADD qpv-hpf x@y Name`, `QUIET DEL qpv-hpf x@y`, `REVIEW qpv-hpf`."""
    list_name = services.settings.list.name
    if action == "REVIEW":
        return f"REVIEW {list_name}"
    safe_name = clean_header(name).replace("@", " ") if action == "ADD" else ""
    return " ".join(p for p in ("QUIET", action, list_name, address, safe_name) if p)


def send_owner_command(session: Session, mailer: Mailer, now: datetime, action: str,
                       address: str, name: str, why: str) -> SympaCommand:
    """Queue ADD or DEL (or tell the COTECH when sync is off); recorded once per `why`."""
    svc = mailer.services
    key = f"sympa:{action}:{address}:{why}"
    existing = session.exec(select(SympaCommand).where(SympaCommand.outbox_key == key)).first()
    if existing is not None:
        return existing
    line = command_line(svc, action, address, name)
    row = SympaCommand(command=line, action=action, address=address, outbox_key=key,
                       created_at=now, updated_at=now)
    if svc.settings.list.sync == "off":
        row.state = "manual"
        mailer.to_cotech("list_manual", key=key, action=action, address=address, name=name,
                         command=line)
    else:
        mailer.to_sympa(line, key=key)
    session.add(row)
    session.flush()
    return row


def send_review(session: Session, mailer: Mailer, now: datetime, key: str) -> bool:
    """Queue `REVIEW <list>` under `key`; False when that key was already used."""
    if session.exec(select(SympaCommand).where(SympaCommand.outbox_key == key)).first():
        return False
    line = command_line(mailer.services, "REVIEW")
    mailer.to_sympa(line, key=key)
    session.add(SympaCommand(command=line, action="REVIEW", outbox_key=key, created_at=now,
                             updated_at=now))
    return True


def handle_mail(session: Session, mailer: Mailer, msg: Incoming, now: datetime) -> SympaOutcome:
    """Read one mail from the robot or the list's `-request` address (the handler has
    already refused what our server did not authenticate)."""
    settings = mailer.services.settings
    auth = sympa_read.auth_request(msg.subject)
    if auth is not None:
        if msg.from_email != settings.list.sympa:
            return SympaOutcome("auth", held=f"demande AUTH venue d'ailleurs que du robot "
                                             f"{settings.list.sympa} : {msg.from_email}")
        return _answer_auth(mailer, msg, now, *auth)
    text = full_text(msg)
    items = sympa_read.report_items(text)
    ignore = {settings.list.address, settings.list.sympa}
    from_list = msg.from_email == request_address(mailer.services)
    if not items and (from_list or sympa_read.review_addresses(text, ignore)):
        return SympaOutcome("review", notes=sympa_review.read(mailer, text, msg.message_id, now))
    if items:
        return _report(mailer, msg, now, items)
    return SympaOutcome("unknown", held=f"message du robot Sympa non reconnu : {msg.subject[:120]}")


def request_address(services: MailServices) -> str:
    """The list's `-request` address, at the robot's domain: REVIEW answers come from it."""
    domain = services.settings.list.sympa.rpartition("@")[2]
    return f"{services.settings.list.name.lower()}-request@{domain}"


def full_text(msg: Incoming) -> str:
    """The whole plain-text body: Sympa's reports quote commands with "> ", which
    `Incoming.text` (new text only) sets aside."""
    if msg.raw:
        parsed = email.message_from_bytes(msg.raw, policy=email.policy.default)
        if isinstance(parsed, EmailMessage):
            part = parsed.get_body(("plain",))
            if part is not None:
                try:
                    return str(part.get_content())
                except (LookupError, ValueError):
                    pass
    return f"{msg.text}\n{msg.quoted}"


def _answer_auth(mailer: Mailer, msg: Incoming, now: datetime, key: str,
                 command: str) -> SympaOutcome:
    words = command.split()
    list_name = mailer.services.settings.list.name.lower()
    if len(words) < 3 or words[0].upper() not in ("ADD", "DEL") or words[1].lower() != list_name:
        return SympaOutcome("auth", held=f"demande AUTH pour une autre commande ou liste : {command}")
    item = sympa_read.ReportItem(command, None, "")
    ours = [c for c in sympa_sync.open_commands(mailer.session, words[0].upper())
            if c.created_at >= now - AUTH_WINDOW and sympa_read.match_score(item, c.command)]
    pending = next((c for c in reversed(ours) if c.state in ("sent", "waiting")), None)
    if pending is None:
        if any(c.auth_key == key for c in ours):
            return SympaOutcome("auth", notes=[f"AUTH {key} déjà confirmé"])
        return SympaOutcome("auth", held=f"demande AUTH pour une commande que le robot n'a pas "
                                         f"envoyée ou déjà confirmée : {command}")
    mailer.to_sympa(f"AUTH {key} {command}", key=f"sympa-auth:{key}", in_reply_to=msg.message_id,
                    auto="auto-replied")
    pending.state, pending.auth_key, pending.updated_at = "auth_answered", key, now
    mailer.session.add(pending)
    return SympaOutcome("auth", notes=[f"AUTH {key} confirmé pour {pending.command}"])


def _report(mailer: Mailer, msg: Incoming, now: datetime,
            items: list[sympa_read.ReportItem]) -> SympaOutcome:
    """Each open command the report is about takes the outcome its items give."""
    outcome = SympaOutcome("report")
    found: dict[int, tuple[SympaCommand, list[sympa_read.ReportItem]]] = {}
    commands = sympa_sync.open_commands(mailer.session)
    for item in items:
        scores = [(sympa_read.match_score(item, c.command), c) for c in commands]
        best = max((s for s, _ in scores), default=0)
        for score, command in scores:
            if score and score == best and command.id is not None:
                found.setdefault(command.id, (command, []))[1].append(item)
    if not found:
        quoted = " ; ".join(sorted({i.command for i in items}))[:300]
        outcome.held = f"rapport Sympa sur une commande que le robot n'attend pas : {quoted}"
        return outcome
    verify = False
    for command, its in found.values():
        verify |= _apply(mailer, msg, now, command, its, outcome.notes)
    if verify:
        send_review(mailer.session, mailer, now, f"sympa-review:check:{msg.message_id}")
        outcome.notes.append("REVIEW demandé pour vérifier la liste")
    return outcome


def _apply(mailer: Mailer, msg: Incoming, now: datetime, command: SympaCommand,
           items: list[sympa_read.ReportItem], notes: list[str]) -> bool:
    """One command's outcome from its report items; True when a REVIEW must decide."""
    outcomes = {i.outcome for i in items}
    detail = " ".join(dict.fromkeys(f"{i.status or ''} {i.detail}".strip() for i in items))
    label = f"{command.action} {command.address or ''}".strip()
    if "failed" in outcomes or "unknown" in outcomes:
        if command.action == "REVIEW":
            sympa_sync.settle(mailer, command, "failed", detail, now, message_id=msg.message_id)
            notes.append(f"{label} : refusé")
            return False
        command.state, command.detail, command.updated_at = "checking", detail[:1000], now
        mailer.session.add(command)
        notes.append(f"{label} : refusé ou inconnu, vérification par REVIEW")
        return True
    if "done" in outcomes:
        sympa_sync.settle(mailer, command, "done", detail, now, message_id=msg.message_id)
        notes.append(f"{label} : fait")
    elif command.state == "sent":  # waiting for a validation: the AUTH request follows
        command.state, command.detail, command.updated_at = "waiting", detail[:1000], now
        mailer.session.add(command)
        notes.append(f"{label} : en attente de validation")
    return False
