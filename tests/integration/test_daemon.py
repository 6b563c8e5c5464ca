"""The daemon against a real Dovecot and a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot.app import App
from mailbot.models import OutboxMessage, ProcessedMessage
from tests.support.helpers import BOT, LIST_FOLDER, real_app, sample, wait_until, write_config
from tests.support.servers import Dovecot, SmtpCapture

pytestmark = pytest.mark.integration


def rows(app: App) -> list[ProcessedMessage]:
    with Session(app.engine) as s:
        return list(s.exec(select(ProcessedMessage).order_by(ProcessedMessage.id)).all())


def test_once_tags_list_posts_with_imap_keywords(tmp_path: Path, dovecot: Dovecot,
                                                  smtp_capture: SmtpCapture) -> None:
    """GIVEN list posts in the list folder WHEN run --once THEN GO/GT keywords are set
    on the server, rows recorded, and nothing is sent to anyone."""
    app = real_app(tmp_path, dovecot, smtp_capture)
    uids = {name: dovecot.append("bot", LIST_FOLDER, sample("list", name)) for name in (
        "list-go-question-formulaire", "list-go-reply-in-go-thread", "list-gt-compte-rendu-gt",
        "list-gt-anct-outlook", "list-cotech-go-logistique-ics", "list-unknown-sender",
        "list-habitants-iso8859")}
    summary = asyncio.run(app.run_once())
    assert summary.processed["list"] == 7
    flags = dovecot.keywords("bot", LIST_FOLDER)
    expected = {"list-go-question-formulaire": "GO", "list-go-reply-in-go-thread": "GO",
                "list-gt-compte-rendu-gt": "GT", "list-gt-anct-outlook": "GT",
                "list-cotech-go-logistique-ics": "GO", "list-habitants-iso8859": "HABITANTS"}
    for name, tag in expected.items():
        assert tag in flags[uids[name]], f"{name}: {flags[uids[name]]}"
    assert not flags[uids["list-unknown-sender"]] & {"GO", "GT", "HABITANTS"}
    assert all("\\Seen" not in f for f in flags.values()), "BODY.PEEK must not mark read"
    assert {r.tag for r in rows(app)} == {"GO", "GT", "HABITANTS", None}
    assert smtp_capture.messages == []


def test_once_is_idempotent(tmp_path: Path, dovecot: Dovecot, smtp_capture: SmtpCapture) -> None:
    """GIVEN a processed folder WHEN run --once again THEN nothing is processed or sent twice."""
    app = real_app(tmp_path, dovecot, smtp_capture)
    dovecot.append("bot", "INBOX", sample("inbox", "other-question-to-bot"))
    dovecot.append("bot", LIST_FOLDER, sample("list", "list-go-question-formulaire"))
    first = asyncio.run(app.run_once())
    assert first.processed == {"list": 1, "inbox": 1} and first.sent == 1
    second = asyncio.run(app.run_once())
    assert second.processed == {"list": 0, "inbox": 0} and second.sent == 0
    assert len(smtp_capture.messages) == 1
    assert len(rows(app)) == 2


def test_reply_headers_and_no_reply_to_bounces(tmp_path: Path, dovecot: Dovecot,
                                               smtp_capture: SmtpCapture) -> None:
    """GIVEN a question, a bounce, an auto-reply and a calendar invitation WHEN processed
    THEN only the human question is answered, with Auto-Submitted, X-Loop and our Message-ID."""
    app = real_app(tmp_path, dovecot, smtp_capture)
    for name in ("other-question-to-bot", "bounce-postfix-user-unknown",
                 "autoreply-reponse-automatique", "other-calendar-invitation"):
        dovecot.append("bot", "INBOX", sample("inbox", name))
    asyncio.run(app.run_once())
    [mail] = smtp_capture.messages
    msg = mail.message
    assert mail.rcpt_tos == ["karim.belkacem@orange.fr"]
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Loop"] == BOT
    assert msg["Message-ID"].endswith("@habitatparticipatif-france.fr>")
    assert msg["In-Reply-To"]
    assert msg["Subject"].startswith("[QPV]")
    categories = {r.category for r in rows(app)}
    assert {"bounce", "autoreply", "other"} <= categories


def test_malformed_goes_to_quarantine_folder(tmp_path: Path, dovecot: Dovecot,
                                             smtp_capture: SmtpCapture) -> None:
    """GIVEN a message with no From and garbage WHEN processed THEN both are moved to the
    quarantine folder with a reason, and the daemon goes on with the next message."""
    app = real_app(tmp_path, dovecot, smtp_capture)
    dovecot.append("bot", "INBOX", sample("inbox", "malformed-missing-from"))
    dovecot.append("bot", "INBOX", b"\x00\x01garbage" * 10)
    dovecot.append("bot", "INBOX", sample("inbox", "other-question-to-bot"))
    asyncio.run(app.run_once())
    assert len(dovecot.uids("bot", "Quarantaine")) == 2
    assert len(dovecot.uids("bot", "INBOX")) == 1
    quarantined = [r for r in rows(app) if r.status == "quarantined"]
    assert len(quarantined) == 2 and all(r.reason for r in quarantined)


def test_push_reply_arrives_without_polling(daemon: App, dovecot: Dovecot,
                                            smtp_capture: SmtpCapture) -> None:
    """GIVEN the daemon idling WHEN a question is appended THEN its reply reaches SMTP."""
    dovecot.append("bot", "INBOX", sample("inbox", "other-question-to-bot"))
    [mail] = smtp_capture.wait_for(1, timeout=15)
    assert mail.message["Subject"].startswith("[QPV]")

    def sent() -> bool:
        with Session(daemon.engine) as s:
            return s.exec(select(OutboxMessage)).one().status == "sent"

    wait_until(sent, what="the outbox row marked sent")


def test_reconnects_after_dovecot_restart(daemon: App, dovecot: Dovecot,
                                          smtp_capture: SmtpCapture) -> None:
    """GIVEN the daemon idling WHEN Dovecot restarts and mail arrives meanwhile
    THEN the daemon reconnects and handles it."""
    dovecot.stop()
    dovecot.start()
    dovecot.append("bot", LIST_FOLDER, sample("list", "list-gt-compte-rendu-gt"))
    wait_until(lambda: any(r.tag == "GT" for r in rows(daemon)), timeout=20,
               what="the post appended while Dovecot was down")
    wait_until(lambda: any("GT" in f for f in dovecot.keywords("bot", LIST_FOLDER).values()),
               what="the GT keyword")


def test_uidvalidity_change_neither_reprocesses_nor_skips(tmp_path: Path, dovecot: Dovecot,
                                                          smtp_capture: SmtpCapture) -> None:
    """GIVEN a processed inbox WHEN the folder is recreated (new UIDVALIDITY) with the same
    messages plus a new one THEN old ones are recognised by Message-ID (no second reply) and
    the new one is handled; seen flags set by a person change nothing."""
    app = real_app(tmp_path, dovecot, smtp_capture)
    dovecot.append("bot", LIST_FOLDER, sample("list", "list-go-question-formulaire"))
    dovecot.append("bot", LIST_FOLDER, sample("list", "list-gt-compte-rendu-gt"), flags=["\\Seen"])
    asyncio.run(app.run_once())
    client = dovecot.client("bot")
    try:
        old_validity = client.select_folder(LIST_FOLDER)[b"UIDVALIDITY"]
        client.close_folder()
        client.delete_folder(LIST_FOLDER)
        client.create_folder(LIST_FOLDER)
        new_validity = client.select_folder(LIST_FOLDER)[b"UIDVALIDITY"]
    finally:
        client.logout()
    assert new_validity != old_validity
    for name in ("list-go-question-formulaire", "list-gt-compte-rendu-gt",
                 "list-habitants-iso8859"):
        dovecot.append("bot", LIST_FOLDER, sample("list", name))
    summary = asyncio.run(app.run_once())
    assert summary.processed["list"] == 3
    statuses = sorted(r.status for r in rows(app) if r.uidvalidity == new_validity)
    assert statuses == ["done", "duplicate", "duplicate"]
    flags = dovecot.keywords("bot", LIST_FOLDER)
    assert sorted(tag for f in flags.values() for tag in f & {"GO", "GT", "HABITANTS"}) == [
        "GO", "GT", "HABITANTS"], "duplicates get their original's keyword back"


def test_check_logs_in_and_reports_a_bad_password(tmp_path: Path, dovecot: Dovecot,
                                                  smtp_capture: SmtpCapture,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`mailbot check` logs in to IMAP and SMTP; a wrong password fails with exit 1 and the
    password never appears in the output."""
    from mailbot.cli import main

    dovecot.create_folder("bot", LIST_FOLDER)
    cfg = write_config(tmp_path, dovecot=dovecot, smtp=smtp_capture)
    assert main(["--config", str(cfg), "check"]) == 0
    assert "ÉCHEC" not in capsys.readouterr().out
    cfg.write_text(cfg.read_text().replace('password = "secret"', 'password = "wrong-pw-42"'))
    assert main(["--config", str(cfg), "check"]) == 1
    out = capsys.readouterr().out
    assert "ÉCHEC   IMAP" in out and "wrong-pw-42" not in out
