"""Outbox claims: a daemon takes back its own rows after a crash, never another
live daemon's row in flight, and a lapsed claim of a dead daemon."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from mailbot import db
from mailbot.models import OutboxMessage, utcnow
from mailbot.mail.outbox import LEASE, OutboxSender


class Sink:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        self.sent.append(raw)


def test_claims(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'o.sqlite3'}")
    db.migrate(engine)
    now = utcnow()
    with Session(engine) as s:
        for key, owner, at in (("mine", "A", now), ("theirs", "B", now),
                               ("lapsed", "B", now - LEASE - timedelta(seconds=1))):
            s.add(OutboxMessage(key=key, to_addr="x@y.fr", raw=key.encode(), status="sending",
                                claimed_by=owner, claimed_at=at))
        s.commit()
    sink = Sink()
    sender = OutboxSender(engine, sink, "bot@x.fr", owner="A")
    assert sender.recover() == 2  # its own row, and the lapsed claim
    assert asyncio.run(sender.flush()) == 2
    assert sorted(sink.sent) == [b"lapsed", b"mine"]
    with Session(engine) as s:
        rows = {r.key: r for r in s.exec(select(OutboxMessage)).all()}
    assert rows["theirs"].status == "sending", "another live daemon's row is left to it"
    assert rows["mine"].status == rows["lapsed"].status == "sent"
    assert rows["mine"].claimed_by == "A"
