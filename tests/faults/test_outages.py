"""The daemon's servers go away: the SMTP server down, Dovecot restarted during IDLE.

Both run the daemon in-process (`App.run()` in a thread) against a real Dovecot
and a real SMTP sink on loopback. tests/integration/test_daemon.py already shows
a restart followed by new mail; here mail arrives *while* Dovecot is down
(delivered into its Maildir behind its back) and the reconnection is timed.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot import app as app_module
from mailbot.mail import outbox as outbox_module
from mailbot.app import App
from mailbot.models import OutboxMessage, ProcessedMessage, utcnow
from tests.faults.harness import InProcess, pause
from tests.support.apps import build_app
from tests.support.mailgen import list_post, question
from tests.support.helpers import LIST_FOLDER, wait_until
from tests.support.servers import Dovecot, SmtpCapture

pytestmark = pytest.mark.integration


def outbox_rows(app: App) -> list[OutboxMessage]:
    with Session(app.engine) as s:
        return list(s.exec(select(OutboxMessage)).all())


def processed_rows(app: App) -> list[ProcessedMessage]:
    with Session(app.engine) as s:
        return list(s.exec(select(ProcessedMessage)).all())


def test_smtp_down_replies_wait_in_outbox_then_go_once(
        tmp_path: Path, dovecot: Dovecot, smtp_capture: SmtpCapture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN the SMTP server down WHEN questions arrive THEN the replies wait in the outbox
    (queued, with the error); WHEN it is back and the backoff has passed THEN each is
    delivered exactly once."""
    monkeypatch.setattr(app_module, "OUTBOX_RETRY_SECONDS", 0.3)
    smtp_capture.stop()
    app = build_app(tmp_path, dovecot=dovecot, smtp=smtp_capture)
    with InProcess(app) as daemon:
        for n in range(4):
            dovecot.append("bot", "INBOX", question(f"down{n}", n))
        wait_until(lambda: len(outbox_rows(app)) == 4 and all(
            r.attempts >= 1 and r.status == "queued" and r.last_error
            for r in outbox_rows(app)), timeout=20, what="4 replies queued after a failure")
        assert all("SMTP" in r.last_error for r in outbox_rows(app))
        pause(1.0)  # several flush rounds while down: nothing is retried before its backoff
        assert {r.attempts for r in outbox_rows(app)} == {1}
        assert smtp_capture.messages == []

        smtp_capture.start()
        real_now = utcnow
        monkeypatch.setattr(outbox_module, "utcnow", lambda: real_now() + timedelta(hours=1))
        daemon.app._notify(0)
        wait_until(lambda: all(r.status == "sent" for r in outbox_rows(app)), timeout=20,
                   what="the queued replies sent once the server is back")
        pause(1.0)  # more flush rounds: nothing goes twice
    captured = Counter(m.message["Message-ID"].strip() for m in smtp_capture.messages)
    assert len(captured) == 4 and set(captured.values()) == {1}
    assert {r.attempts for r in outbox_rows(app)} == {2}


def test_smtp_refusing_with_4xx_retries_later(
        tmp_path: Path, dovecot: Dovecot, smtp_capture: SmtpCapture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN an SMTP server answering 451 WHEN a reply is sent THEN it stays queued with the
    server's answer as last_error, and goes once on a later attempt."""
    smtp_capture.fail_next(1)
    app = build_app(tmp_path, dovecot=dovecot, smtp=smtp_capture)
    with InProcess(app) as daemon:
        dovecot.append("bot", "INBOX", question("busy", 1))
        wait_until(lambda: [r.last_error for r in outbox_rows(app) if r.last_error],
                   what="a refused delivery")
        [row] = outbox_rows(app)
        assert row.status == "queued" and "451" in row.last_error
        real_now = utcnow
        monkeypatch.setattr(outbox_module, "utcnow", lambda: real_now() + timedelta(hours=1))
        daemon.app._notify(0)
        smtp_capture.wait_for(1)
        wait_until(lambda: outbox_rows(app)[0].status == "sent", what="the row sent")
    assert len(smtp_capture.messages) == 1


def deliver_behind_dovecot(dovecot: Dovecot, folder: str, raw: bytes, name: str) -> None:
    """Put a message straight into the stopped server's Maildir, as its LDA would."""
    base = dovecot.maildir("bot") / ("" if folder == "INBOX" else f".{folder}")
    target = base / "new" / f"{int(time.time())}.{name}.mailgen"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(raw)
    if os.geteuid() == 0:
        owner = dovecot.maildir("bot").stat()
        os.chown(target, owner.st_uid, owner.st_gid)


def test_dovecot_down_during_idle_reconnects_within_10s_and_misses_nothing(
        tmp_path: Path, dovecot: Dovecot, smtp_capture: SmtpCapture) -> None:
    """GIVEN the daemon idling WHEN Dovecot stops, mail arrives in its Maildir meanwhile, and
    it comes back after several seconds THEN both folders reconnect within 10 s of its return
    and the mail that arrived during the outage is handled (tagged, answered)."""
    app = build_app(tmp_path, dovecot=dovecot, smtp=smtp_capture)
    with InProcess(app) as daemon:
        dovecot.stop()
        wait_until(lambda: not any(w.connected.is_set() for w in app.workers), timeout=10,
                   what="both folders to notice the server is gone")
        deliver_behind_dovecot(dovecot, LIST_FOLDER, list_post("outage-post", 3), "p")
        deliver_behind_dovecot(dovecot, "INBOX", question("outage-q", 7), "q")
        pause(6.0)  # long enough for the reconnection backoff to grow past its first steps
        dovecot.start()
        back = time.monotonic()
        wait_until(daemon.connected, timeout=10, interval=0.05,
                   what="both folders reconnected within 10 s")
        reconnect = time.monotonic() - back
        wait_until(lambda: len(processed_rows(app)) == 2, timeout=10,
                   what="the mail that arrived during the outage")
        smtp_capture.wait_for(1, timeout=10)
    print(f"reconnected {reconnect:.2f} s after Dovecot came back")
    rows = {r.role: r for r in processed_rows(app)}
    assert rows["list"].tag == "GT" and rows["inbox"].status == "held"
    assert "GT" in dovecot.keywords("bot", LIST_FOLDER)[rows["list"].uid]
    assert len(smtp_capture.messages) == 1
