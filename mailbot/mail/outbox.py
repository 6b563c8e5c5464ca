"""The outbox: compose our mail, queue it in the caller's transaction, send it once.

Queueing happens inside the transaction that records the cause (a processed
message, a job run), under a unique `key`: queueing the same key twice is a
no-op, so a replayed message never queues a second reply.

Sending (`OutboxSender.flush`) follows this order for each row:
  1. mark the row `sending` and commit (UPDATE ... WHERE status = 'queued': of
     two daemons sharing one database, only one claims a row);
  2. hand the bytes to the transport (SMTP, or the local outbox folder);
  3. mark it `sent` and commit.
A crash between 2 and 3 leaves a `sending` row claimed by this daemon (its
`owner`: the account and folders it serves), which its next start sends
again with the same Message-ID: that window (the SMTP server's 250 reply to
our commit, microseconds) is the only place a duplicate can come from, and
receiving clients fold duplicates by Message-ID. A refused send goes back to
`queued` with exponential backoff; after MAX_ATTEMPTS it is `failed`. Daemons
sharing one database claim rows atomically, and never take over a row another
one is sending unless its claim is older than LEASE (that daemon died).

Every mail carries Auto-Submitted, our X-Loop and our own Message-ID; header
values are stripped of CR/LF so nothing a sender wrote can inject a header.
"""

from __future__ import annotations

import email.policy
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select, update

from mailbot.db import session_scope
from mailbot.errors import DeliveryError
from mailbot.models import OutboxMessage, utcnow
from mailbot.mail.render import Rendered

log = logging.getLogger(__name__)
# Lines may run to RFC 5322's 998: with the default 78, a long Message-ID in
# References is RFC 2047-encoded and threading breaks in every mail client.
OUTGOING = email.policy.default.clone(max_line_length=998)
_SPACES = re.compile(r"[ \t\r\n]+")  # not str.split(): no-break spaces must stay
MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=10)  # far longer than one SMTP send (its timeout is 30 s)


_BREAKS = frozenset("\x85\u2028\u2029")  # line breaks to str.splitlines() and the email policy


def clean_header(value: str) -> str:
    """One line, no control characters, no RFC 2047 word (the email package would decode
    "=?utf-8?q?=0D=0ABcc:...?=" back into a line break when folding): safe for any header."""
    line = "".join(ch if ch >= " " and ch not in _BREAKS else " " for ch in value)
    return _SPACES.sub(" ", line.replace("=?", "= ?")).strip(" ")


@dataclass(frozen=True)
class Identity:
    """Who we are on the wire."""

    address: str
    name: str

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "localhost"


def compose(me: Identity, to: str, rendered: Rendered, *, to_name: str = "",
            in_reply_to: str | None = None, references: Sequence[str] = (),
            auto: str = "auto-replied", extra: dict[str, str] | None = None) -> EmailMessage:
    """A complete MIME message (text, plus HTML alternative when rendered)."""
    msg = EmailMessage(policy=OUTGOING)
    msg["From"] = HeaderAddress(clean_header(me.name), addr_spec=me.address)
    msg["To"] = _address(to, to_name)
    msg["Subject"] = clean_header(rendered.subject)
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(idstring="mailbot", domain=me.domain)
    if in_reply_to and not in_reply_to.startswith("sha256:"):  # a digest is no Message-ID
        msg["In-Reply-To"] = f"<{clean_header(in_reply_to)}>"
        refs = [clean_header(r) for r in references if r] + [clean_header(in_reply_to)]
        msg["References"] = " ".join(f"<{r}>" for r in refs[-10:])
    msg["Auto-Submitted"] = auto
    msg["X-Auto-Response-Suppress"] = "All"
    msg["X-Loop"] = me.address
    msg["X-Mailer"] = "mailbot"
    for name, value in (extra or {}).items():
        msg[name] = clean_header(value)
    msg.set_content(rendered.text, charset="utf-8")
    if rendered.html:
        msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return msg


def _address(email: str, name: str) -> HeaderAddress | str:
    local, _, domain = email.partition("@")
    try:
        return HeaderAddress(clean_header(name), local, domain)
    except (ValueError, IndexError):
        return clean_header(email)


def queue(session: Session, key: str, kind: str, to: str, msg: EmailMessage,
          cause: str | None = None, daily_cap: int | None = None) -> OutboxMessage | None:
    """Queue a message under an idempotence key; None when the key already exists.

    With `daily_cap`, a recipient who already got that many mails from us in
    the last 24 hours gets this one as `suppressed` (recorded, never sent).
    """
    existing = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first()
    if existing is not None:
        return None
    status = "queued"
    if daily_cap is not None and sent_today(session, to) >= daily_cap:
        status = "suppressed"
        log.warning("daily cap reached for %s: %s suppressed", to, key)
    row = OutboxMessage(key=key, kind=kind, to_addr=to, subject=str(msg["Subject"]),
                        message_id=str(msg["Message-ID"]).strip("<>"), raw=bytes(msg),
                        status=status, cause_message_id=cause)
    session.add(row)
    session.flush()
    return row


#: Rows never sent as such: suppressed by the cap, or deferred then grouped (proofs.grouped).
NOT_SENT = ("suppressed", "deferred", "grouped")


def sent_today(session: Session, to: str) -> int:
    """How many mails we queued for this address in the last 24 hours."""
    since = utcnow() - timedelta(days=1)
    stmt = select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.to_addr == to, col(OutboxMessage.created_at) >= since,
        col(OutboxMessage.status).not_in(NOT_SENT))
    return int(session.exec(stmt).one())


class Transport(Protocol):
    """Where finished mail goes: an SMTP server, or a local folder."""

    async def send(self, raw: bytes, sender: str, recipients: list[str]) -> None: ...


class OutboxSender:
    """Delivers queued rows through a transport, each row once."""

    def __init__(self, engine: Engine, transport: Transport, envelope_from: str,
                 owner: str = "") -> None:
        self.engine = engine
        self.transport = transport
        self.envelope_from = envelope_from
        self.owner = owner  # which daemon claims rows: another one sharing the database
        # never takes over a row it is sending, unless its claim is older than LEASE

    def recover(self) -> int:
        """At start: rows this daemon left `sending` when it died (and rows whose claim
        has lapsed) go back to the queue; another daemon's rows in flight stay its own."""
        return self._requeue(mine=True)

    def _requeue(self, mine: bool) -> int:
        lapsed = or_(col(OutboxMessage.claimed_at).is_(None),
                     col(OutboxMessage.claimed_at) < utcnow() - LEASE)
        whose = or_(col(OutboxMessage.claimed_by) == self.owner, lapsed) if mine else lapsed
        with session_scope(self.engine) as s:
            result = s.exec(update(OutboxMessage)
                            .where(col(OutboxMessage.status) == "sending", whose)
                            .values(status="queued"))
            return int(result.rowcount or 0)

    def _due(self, limit: int) -> list[int]:
        with session_scope(self.engine) as s:
            stmt = (select(OutboxMessage.id).where(OutboxMessage.status == "queued",
                                                   col(OutboxMessage.next_attempt_at) <= utcnow())
                    .order_by(col(OutboxMessage.id)).limit(limit))
            return [i for i in s.exec(stmt).all() if i is not None]

    async def flush(self, limit: int = 500) -> int:
        """Send every due row; return how many were sent."""
        self._requeue(mine=False)  # a daemon that died for good leaves rows to take over
        sent = 0
        try:
            for row_id in self._due(limit):
                if await self._send_one(row_id):
                    sent += 1
        finally:
            close = getattr(self.transport, "close", None)  # one SMTP connection per flush
            if close is not None:
                await close()
        return sent

    async def _send_one(self, row_id: int) -> bool:
        with session_scope(self.engine) as s:
            # claimed atomically: of two daemons sharing the database, one sends the row
            claim = s.exec(update(OutboxMessage)
                           .where(col(OutboxMessage.id) == row_id,
                                  col(OutboxMessage.status) == "queued")
                           .values(status="sending", attempts=col(OutboxMessage.attempts) + 1,
                                   claimed_by=self.owner, claimed_at=utcnow()))
            if claim.rowcount != 1:
                return False
            row = s.get(OutboxMessage, row_id)
            assert row is not None
            raw, to, attempts = row.raw, row.to_addr, row.attempts
        try:
            await self.transport.send(raw, self.envelope_from, [to])
        except DeliveryError as err:
            self._failed(row_id, attempts, str(err))
            return False
        with session_scope(self.engine) as s:
            row = s.get(OutboxMessage, row_id)
            assert row is not None
            row.status, row.sent_at = "sent", utcnow()
            s.add(row)
        log.info("sent %s to %s", row_id, to)
        return True

    def _failed(self, row_id: int, attempts: int, error: str) -> None:
        delay = timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))
        with session_scope(self.engine) as s:
            row = s.get(OutboxMessage, row_id)
            assert row is not None
            row.last_error = error[:1000]
            row.status = "failed" if attempts >= MAX_ATTEMPTS else "queued"
            row.next_attempt_at = utcnow() + delay
            s.add(row)
        log.warning("delivery of outbox row %s failed (attempt %s): %s", row_id, attempts, error)
