"""Acknowledgements past the daily cap: grouped for an authenticated member, never dropped.

The per-address daily cap (`[bot] max_replies_per_address_per_day`) is a loop
guard: past it, our mail to that address is recorded as `suppressed` and
never sent. That stays so for anyone unknown, unauthenticated or robotic. But
an AMO who forwards fifteen thank-you mails in an afternoon is ordinary, and
she must learn that the rest were filed. So:

* `defer` (the proof handler, in the message's transaction): when her
  acknowledgement was suppressed by the cap and our server authenticated her
  as a roster member, the row becomes `deferred` instead (recorded, not sent,
  and not counted by the cap);
* `run` (the job "proof_acks", every few minutes): for each address with
  deferred rows, once she has been quiet for `QUIET` (no deferred row newer),
  ONE mail "proof_ack_grouped" lists everything filed from those messages and
  her dossier as it is now; the deferred rows become `grouped`. That mail is
  not capped (it is the cap's own catch-up), but there is at most one per
  address per quiet period, only for members our server authenticated:
  loop safety is unchanged.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from mailbot.mail.mailer import Mailer
from mailbot.models import OutboxMessage
from mailbot.models.core import utcnow
from mailbot.models.proofs import Proof
from mailbot.proofs.labels import UNUSABLE, label
from mailbot.proofs.ack import invoice_line, missing_text
from mailbot.proofs.dossiers import dossier_for
from mailbot.services import Services

log = logging.getLogger(__name__)

KIND = "proof_ack_grouped"
DEFERRED = "deferred"
GROUPED = "grouped"
QUIET = timedelta(minutes=20)  # no new deferred acknowledgement for this long: send the group


def defer(session: Session, key: str) -> bool:
    """Turn a cap-suppressed acknowledgement into a deferred one; False when it was not."""
    row = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first()
    if row is None or row.status != "suppressed":
        return False
    row.status = DEFERRED
    session.add(row)
    session.flush()
    log.info("daily cap reached for %s: acknowledgement %s deferred, to be grouped", row.to_addr, key)
    return True


def due(session: Session, now: datetime, quiet: timedelta = QUIET) -> dict[str, list[OutboxMessage]]:
    """Deferred rows per address whose newest is older than the quiet period."""
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.status == DEFERRED)
                        .order_by(col(OutboxMessage.id))).all()
    by_address: dict[str, list[OutboxMessage]] = {}
    for row in rows:
        by_address.setdefault(row.to_addr, []).append(row)
    return {address: group for address, group in by_address.items()
            if all(_naive(r.created_at) <= _naive(now) - quiet for r in group)}


def _naive(when: datetime) -> datetime:
    return when.replace(tzinfo=None)


def _message(session: Session, row: OutboxMessage) -> dict[str, Any]:
    proofs = session.exec(select(Proof).where(Proof.message_id == (row.cause_message_id or ""))
                          .order_by(col(Proof.id))).all()
    files = [{"name": p.filename, "kind_label": label(p.kind), "duplicate": p.duplicate_of_id is not None,
              "unusable": p.kind == UNUSABLE, "why": p.problems.split("\n")[0] if p.problems else "",
              "forwarded": p.source == "forward"} for p in proofs]
    subject = proofs[0].subject if proofs else ""
    received = proofs[0].received_at if proofs else row.created_at
    return {"subject": subject, "received_at": _aware(received), "files": files}


def _aware(when: datetime) -> datetime:
    """Stored instants are UTC; SQLite gives them back naive."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def run(session: Session, services: Services, now: datetime | None = None) -> str:
    """Send the grouped acknowledgements that are due; a French summary for the job log.

    Time is the outbox's own clock (`utcnow`, as its rows' `created_at`)."""
    sent = 0
    for address, rows in due(session, now or utcnow()).items():
        dossier = dossier_for(session, services.settings, address)
        messages = [m for m in (_message(session, r) for r in rows) if m["files"]]
        mailer = Mailer(session, services)
        if dossier is not None and messages:
            mailer.send(KIND, address, key=f"{KIND}:{address}:{rows[-1].id}", to_name=dossier.name,
                        capped=False, auto="auto-replied", messages=messages,
                        count=sum(len(m["files"]) for m in messages), dossier=dossier,
                        missing_text=missing_text(dossier), invoice_line=invoice_line(dossier))
            sent += 1
        for row in rows:
            row.status = GROUPED
            session.add(row)
    session.flush()
    return f"{sent} accusé(s) de réception groupé(s)"
