"""The pipeline on the embedded default: local Maildir in, local outbox folder out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot.app import App
from mailbot.job import Job
from mailbot.models import OutboxMessage
from mailbot.sources.maildir import MaildirSource
from tests.support.helpers import BOT, deliver, maildir_app, processed_rows, sample


def outbox_rows(app: App) -> list[OutboxMessage]:
    with Session(app.engine) as s:
        return list(s.exec(select(OutboxMessage)).all())


def test_embedded_default_tags_and_writes_outbox_files(tmp_path: Path) -> None:
    """GIVEN a Maildir WHEN run once THEN list posts get Dovecot-style keywords and the
    reply to a question lands as an .eml file in data/outbox."""
    app = maildir_app(tmp_path)
    maildir = tmp_path / "maildir"
    deliver(maildir, "list", "1.a", sample("list", "list-gt-compte-rendu-gt"))
    deliver(maildir, "inbox", "2.b", sample("inbox", "other-question-to-bot"))
    summary = asyncio.run(app.run_once())
    assert summary.processed == {"list": 1, "inbox": 1} and summary.sent == 1
    assert (maildir / "list" / "dovecot-keywords").read_text() == "0 GT\n"
    [cur] = list((maildir / "list" / "cur").iterdir())
    assert cur.name.endswith(":2,a")
    source = MaildirSource(maildir, "list", "list", "quarantine")
    [env] = source.pending()
    assert source.keywords(env) == {"GT"}
    [eml] = list((tmp_path / "data" / "outbox").glob("*.eml"))
    assert b"X-Envelope-To: karim.belkacem@orange.fr" in eml.read_bytes()


def test_same_message_id_twice_is_handled_once(tmp_path: Path) -> None:
    """GIVEN the same message delivered twice (new key, same Message-ID) THEN one reply."""
    app = maildir_app(tmp_path)
    maildir = tmp_path / "maildir"
    deliver(maildir, "inbox", "1.a", sample("inbox", "other-question-to-bot"))
    deliver(maildir, "inbox", "2.a", sample("inbox", "other-question-to-bot"))
    asyncio.run(app.run_once())
    statuses = [r.status for r in processed_rows(app)]
    assert sorted(statuses) == ["duplicate", "held"]
    assert len(outbox_rows(app)) == 1


def test_a_crashing_handler_quarantines_and_the_run_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a handler that raises WHEN processing THEN that message is quarantined with the
    error, its partial work rolled back, and the next message is still processed."""
    app = maildir_app(tmp_path)
    maildir = tmp_path / "maildir"
    deliver(maildir, "inbox", "1.a", sample("inbox", "other-question-to-bot"))
    deliver(maildir, "list", "2.b", sample("list", "list-gt-compte-rendu-gt"))
    other = app.pipeline.handlers["other"]

    def boom(job: Job) -> None:
        job.reply("forwarded_to_cotech")  # queued, then rolled back
        raise RuntimeError("handler exploded")

    monkeypatch.setattr(other, "handle", boom)
    asyncio.run(app.run_once())
    rows = {r.role: r for r in processed_rows(app)}
    assert rows["inbox"].status == "quarantined"
    assert rows["inbox"].reason == (
        "erreur interne pendant le traitement (RuntimeError : handler exploded)")
    assert rows["list"].tag == "GT"
    assert outbox_rows(app) == []
    assert len(list((maildir / "quarantine" / "cur").iterdir())) == 1


def test_daily_cap_suppresses_replies_beyond_it(tmp_path: Path) -> None:
    """GIVEN a cap of 2 replies per address per day WHEN 4 questions arrive THEN 2 are sent
    and 2 recorded as suppressed."""
    app = maildir_app(tmp_path)
    object.__setattr__(app.services.settings.bot, "max_replies_per_address_per_day", 2)
    maildir = tmp_path / "maildir"
    raw = sample("inbox", "other-question-to-bot")
    for n in range(4):
        unique = raw.replace(b"Message-ID: <", f"Message-ID: <{n}".encode(), 1)
        deliver(maildir, "inbox", f"{n}.q", unique)
    summary = asyncio.run(app.run_once())
    assert summary.sent == 2
    assert sorted(r.status for r in outbox_rows(app)) == ["sent", "sent", "suppressed", "suppressed"]


def test_garbage_is_quarantined_not_fatal(tmp_path: Path) -> None:
    app = maildir_app(tmp_path)
    maildir = tmp_path / "maildir"
    deliver(maildir, "inbox", "1.x", b"\xff\xfe\x00not a message at all")
    deliver(maildir, "inbox", "2.x", b"")
    summary = asyncio.run(app.run_once())
    assert summary.processed["inbox"] == 2
    assert {r.status for r in processed_rows(app)} == {"quarantined"}
    assert all(r.reason for r in processed_rows(app))


def test_our_own_mail_is_never_answered(tmp_path: Path) -> None:
    app = maildir_app(tmp_path)
    raw = (f"From: {BOT}\r\nTo: {BOT}\r\nSubject: [QPV] test\r\nMessage-ID: <own@x>\r\n\r\n"
           "Bonjour\r\n").encode()
    deliver(tmp_path / "maildir", "inbox", "1.o", raw)
    asyncio.run(app.run_once())
    [row] = processed_rows(app)
    assert row.hits == "guard:loop"
    assert outbox_rows(app) == []
