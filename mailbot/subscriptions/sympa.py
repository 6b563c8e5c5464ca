"""Driving the Sympa list as its owner: QUIET ADD / QUIET DEL / REVIEW sent to
the robot from our address, AUTH requests answered, command reports and
REVIEW replies read and reconciled with our roster.

An AUTH request is answered only when it comes from the configured robot
(the `sympa` guard), is about our list, and asks for a command WE sent and
have not had confirmed yet: a request we did not cause is held for a human,
so a forged ADD in our name cannot be confirmed by us. With `[list] sync =
"off"` nothing is sent to Sympa: the COTECH gets a mail saying what to change
by hand.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlmodel import Session, col, select

from mailbot import members
from mailbot.mime.incoming import Incoming
from mailbot.models import Member
from mailbot.models.subscriptions import SympaCommand, SympaReview
from mailbot.mail.outbox import clean_header
from mailbot.subscriptions import audit
from mailbot.subscriptions.commands import EMAIL_RE, clean_subject
from mailbot.mail.mailer import MailServices, Mailer

AUTH_RE = re.compile(r"^\s*auth\s+(\S+)\s+(.+?)\s*$", re.I)
OWNER_RE = re.compile(r"^\s*(?:quiet\s+)?(add|del|delete|review|who)\s+(\S+)(?:\s+(\S+@\S+))?", re.I)
CMD_LINE = re.compile(r"^\s*>\s*(?:auth\s+\S+\s+)?(.+?)\s*$", re.I)
HEAD_OK = re.compile(r"(performed|effectu|ex[ée]cut)", re.I)
HEAD_FAIL = re.compile(r"(rejected|rejet|refus|failed|[ée]chou|[ée]chec|internal server error|erreur)",
                       re.I)
BENIGN = re.compile(r"(already (a )?subscriber|d[ée]j[àa] abonn|not been found|pas [ée]t[ée] trouv|"
                    r"n'est pas abonn|is not subscribed)", re.I)
TOTAL_RE = re.compile(r"(total|nombre)[^:\n]*:\s*(\d+)", re.I)
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
    """Read one mail from the robot about our list: AUTH, REVIEW reply, report, or other."""
    subject = clean_subject(msg.subject)
    auth = AUTH_RE.match(subject)
    if auth:
        return _answer_auth(session, mailer, msg, now, auth.group(1), auth.group(2))
    list_name = mailer.services.settings.list.name.lower()
    text = full_text(msg)
    asked = re.match(rf"^(review|who)\s+{re.escape(list_name)}\b", subject, re.I)
    if (asked or TOTAL_RE.search(text)) and _roster_lines(text, mailer.services):
        return _review(session, mailer.services, msg, now)
    results = parse_report(text)
    if results:
        return _report(session, msg, now, results)
    return SympaOutcome("unknown", held=f"message du robot Sympa non reconnu : {msg.subject[:120]}")


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


def _answer_auth(session: Session, mailer: Mailer, msg: Incoming, now: datetime, key: str,
                 command: str) -> SympaOutcome:
    owner = OWNER_RE.match(command)
    list_name = mailer.services.settings.list.name.lower()
    if owner is None or owner.group(2).lower() != list_name:
        return SympaOutcome("auth", held=f"demande AUTH pour une autre commande ou liste : {command}")
    action = {"delete": "DEL", "who": "REVIEW"}.get(owner.group(1).lower(),
                                                     owner.group(1).upper())
    address = (owner.group(3) or "").lower() or None
    stmt = (select(SympaCommand)
            .where(SympaCommand.action == action, SympaCommand.address == address,
                   col(SympaCommand.state).in_(["sent", "auth_answered"]),
                   col(SympaCommand.created_at) >= now - AUTH_WINDOW)
            .order_by(col(SympaCommand.id).desc()))
    pending = session.exec(stmt).first()
    if pending is None:
        return SympaOutcome("auth", held=f"demande AUTH pour une commande que le robot n'a pas "
                                         f"envoyée : {command}")
    if pending.auth_key == key:
        return SympaOutcome("auth", notes=[f"AUTH {key} déjà confirmé"])
    mailer.to_sympa(f"AUTH {key} {command}", key=f"sympa-auth:{key}", in_reply_to=msg.message_id,
                    auto="auto-replied")
    pending.state, pending.auth_key, pending.updated_at = "auth_answered", key, now
    session.add(pending)
    return SympaOutcome("auth", notes=[f"AUTH {key} confirmé pour {pending.command}"])


def parse_report(text: str) -> list[tuple[str, str | None, str, str]]:
    """Sympa's "Results of your commands": (action, address, done|failed, detail) per command."""
    results: list[tuple[str, str | None, str, str]] = []
    heading = ""
    lines = text.splitlines()
    for i, raw in enumerate(lines):
        line = raw.strip()
        match = CMD_LINE.match(line)
        owner = OWNER_RE.match(match.group(1)) if match else None
        if owner is not None:
            detail = " ".join(_detail(lines[i + 1:]))
            action = {"delete": "DEL", "who": "REVIEW"}.get(owner.group(1).lower(),
                                                             owner.group(1).upper())
            status = "done" if BENIGN.search(detail) or (
                HEAD_OK.search(heading) and not HEAD_FAIL.search(detail)) else "failed"
            results.append((action, (owner.group(3) or "").lower() or None, status,
                            f"{heading} {detail}".strip()))
        elif line.endswith(":") and (HEAD_OK.search(line) or HEAD_FAIL.search(line)):
            heading = line
    return results


def _detail(rest: list[str]) -> list[str]:
    out: list[str] = []
    for raw in rest:
        line = raw.strip().lstrip("> ").strip()
        if CMD_LINE.match(raw.strip()) and OWNER_RE.match(raw.strip().lstrip("> ")):
            break
        if raw.strip().endswith(":") and (HEAD_OK.search(raw) or HEAD_FAIL.search(raw)):
            break
        if line.startswith("---"):
            break
        if line:
            out.append(line)
    return out[:4]


def _report(session: Session, msg: Incoming, now: datetime,
            results: list[tuple[str, str | None, str, str]]) -> SympaOutcome:
    outcome = SympaOutcome("report")
    failures = []
    for action, address, status, detail in results:
        stmt = (select(SympaCommand)
                .where(SympaCommand.action == action, SympaCommand.address == address,
                       col(SympaCommand.state).in_(["sent", "auth_answered"]))
                .order_by(col(SympaCommand.id)))
        row = session.exec(stmt).first()
        if row is not None:
            row.state, row.detail, row.updated_at = status, detail[:1000], now
            session.add(row)
        label = f"{action} {address or ''}".strip()
        outcome.notes.append(f"{label} : {status}")
        if action != "REVIEW":
            audit.record(session, now, "sympa", address or "", "synced" if status == "done"
                         else "sympa_error", message_id=msg.message_id, detail=f"{label} : {detail}")
        if status == "failed":
            failures.append(f"{label} ({detail[:200]})")
    if failures:
        outcome.held = "Sympa a refusé : " + " ; ".join(failures)
    return outcome


def _roster_lines(text: str, services: MailServices) -> list[tuple[str, str]]:
    """(address, name) for each subscriber line of a REVIEW reply."""
    ours = {services.settings.list.address, services.settings.list.sympa}
    found: list[tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        match = EMAIL_RE.match(line)
        if not match:
            continue
        address = match.group(0).lower()
        if address in ours or any(a == address for a, _ in found):
            continue
        rest = line[match.end():].strip(" -")
        found.append((address, rest.rsplit(" - ", 1)[0].strip() if " - " in rest else rest))
    return found


def _review(session: Session, services: MailServices, msg: Incoming, now: datetime) -> SympaOutcome:
    text = full_text(msg)
    on_sympa = {a for a, _ in _roster_lines(text, services)}
    differences = reconcile(session, on_sympa)
    total = TOTAL_RE.search(text)
    if total and int(total.group(2)) != len(on_sympa):
        differences.append(f"REVIEW annonce {total.group(2)} abonnés, {len(on_sympa)} lus")
    active = session.exec(select(Member).where(Member.status == "active")).all()
    if not session.exec(select(SympaReview).where(SympaReview.message_id == msg.message_id)).first():
        session.add(SympaReview(message_id=msg.message_id, received_at=now,
                                sympa_count=len(on_sympa), ours_count=len(active),
                                differences=json.dumps(differences, ensure_ascii=False)))
    for row in session.exec(select(SympaCommand).where(
            SympaCommand.action == "REVIEW",
            col(SympaCommand.state).in_(["sent", "auth_answered"]))).all():
        row.state, row.updated_at = "done", now
        session.add(row)
    notes = differences or ["la liste Sympa et le robot sont d'accord"]
    return SympaOutcome("review", notes=notes)


def reconcile(session: Session, on_sympa: set[str]) -> list[str]:
    """The differences between Sympa's subscribers and our active members, in French."""
    active = {m.email: m for m in session.exec(select(Member).where(Member.status == "active"))}
    differences: list[str] = []
    covered: set[str] = set()
    for address in sorted(on_sympa - set(active)):
        member = members.find(session, address)
        if member is None:
            differences.append(f"sur Sympa mais inconnu du robot : {address}")
        elif member.status == "left":
            differences.append(f"désinscrit chez nous mais encore sur Sympa : {address}")
        elif member.status == "pending":
            differences.append(f"en attente de confirmation chez nous mais déjà sur Sympa : "
                               f"{address}")
        else:
            covered.add(member.email)
            differences.append(f"sur Sympa sous {address}, adresse secondaire de {member.email}")
    for address in sorted(set(active) - on_sympa - covered):
        differences.append(f"inscrit chez nous mais absent de Sympa : {address}")
    return differences


def last_differences(session: Session, until: datetime | None = None) -> list[str]:
    stmt = select(SympaReview)
    if until is not None:
        stmt = stmt.where(col(SympaReview.received_at) < until)
    row = session.exec(stmt.order_by(col(SympaReview.received_at).desc())).first()
    return list(json.loads(row.differences)) if row else []
