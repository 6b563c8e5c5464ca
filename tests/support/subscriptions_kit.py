"""Test kit for the subscriptions domain: messages written as people and Sympa write
them, fed straight through the real pipeline, and readers for the outbox and our
tables. The App and its clock are the shared fixtures (tests/conftest.py)."""

from __future__ import annotations

import email
import email.policy
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from sqlmodel import Session, col, select

from mailbot import members
from mailbot.app import App
from mailbot.models import Member, OutboxMessage
from mailbot.pipeline.outcome import Outcome
from mailbot.sources import Envelope
from tests.support.helpers import BOT

SYMPA = "sympa@framalistes.org"
LIST = "qpv-hpf@framalistes.org"
COTECH = "cotech-qpv@habitatparticipatif-france.fr"
AUTHSERV = "mx.habitatparticipatif-france.fr"
_uids = itertools.count(1)
# Mail clients write long Message-IDs as they are; Python's default policy would
# RFC 2047-encode an In-Reply-To longer than 78 characters.
CLIENT = email.policy.default.clone(max_line_length=998)


def feed(app: App, raw: bytes, role: str = "inbox") -> Outcome:
    """One message through the real pipeline (guards, rules, handler, outbox)."""
    uid = next(_uids)
    env = Envelope(role, "INBOX" if role == "inbox" else "qpv-hpf", 1, uid, "", len(raw))
    return app.pipeline.process(env, raw, False, lambda: raw)


def mail(frm: str, subject: str, body: str, *, to: str = BOT, name: str = "",
         in_reply_to: str | None = None, headers: dict[str, str] | None = None,
         html: str | None = None, date: datetime | None = None,
         authenticated: bool = True) -> bytes:
    """A person's mail to the bot; our server's Authentication-Results say dmarc=pass
    unless `headers` give their own or `authenticated` is False (issue #11: a stranger
    is answered only when our server authenticated the From)."""
    msg = EmailMessage(policy=CLIENT)
    if authenticated and "Authentication-Results" not in (headers or {}):
        domain = frm.rpartition("@")[2]
        msg["Authentication-Results"] = (f"{AUTHSERV}; spf=pass smtp.mailfrom={frm}; "
                                         f"dmarc=pass header.from={domain}")
    msg["From"] = f"{name} <{frm}>" if name else frm
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    msg["Message-ID"] = make_msgid(domain=frm.rpartition("@")[2] or "example.org")
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    for key, value in (headers or {}).items():
        msg[key] = value
    if html is not None and not body:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    return bytes(msg)


def reply(row: OutboxMessage, frm: str, body: str, *, quote: bool = True,
          headers: dict[str, str] | None = None, subject: str | None = None) -> bytes:
    """A human reply to one of our mails: Re: subject, threaded, the original quoted."""
    original = parsed(row)
    text = original.get_body(("plain",))
    quoted = "\n".join("> " + line for line in text.get_content().splitlines()) if (
        quote and text is not None) else ""
    return mail(frm, subject if subject is not None else f"Re: {row.subject}",
                f"{body}\n\nLe lundi, AMI QPV a écrit :\n{quoted}\n",
                in_reply_to=row.message_id, headers=headers)


def parsed(row: OutboxMessage) -> EmailMessage:
    msg = email.message_from_bytes(row.raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def text_of(row: OutboxMessage) -> str:
    body = parsed(row).get_body(("plain",))
    return body.get_content() if body is not None else ""


@contextmanager
def db(app: App) -> Iterator[Session]:
    with Session(app.engine, expire_on_commit=False) as s:
        yield s
        s.commit()


def outbox(app: App, kind: str | None = None, to: str | None = None) -> list[OutboxMessage]:
    with db(app) as s:
        stmt = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if kind is not None:
            stmt = stmt.where(OutboxMessage.kind == kind)
        if to is not None:
            stmt = stmt.where(OutboxMessage.to_addr == to)
        return list(s.exec(stmt).all())


def member(app: App, address: str) -> Member | None:
    with db(app) as s:
        return members.find(s, address)


def rows(app: App, model: Any) -> list[Any]:
    with db(app) as s:
        return list(s.exec(select(model)).all())


def sympa_mail(subject: str, body: str, *, in_reply_to: str | None = None) -> bytes:
    """A mail as the Sympa robot sends it (Auto-Submitted, its X-Loop)."""
    return mail(SYMPA, subject, body, in_reply_to=in_reply_to,
                headers={"Auto-Submitted": "auto-replied", "X-Loop": SYMPA})


def auth_results(dmarc: str) -> dict[str, str]:
    return {"Authentication-Results": f"{AUTHSERV}; spf=pass smtp.mailfrom=x; dmarc={dmarc}"}
