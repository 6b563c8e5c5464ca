"""Tests of the real-server fixtures themselves (tests/support/servers.py)."""

from __future__ import annotations

import asyncio
import time

import aiosmtplib
import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from tests.support.servers import Dovecot, SmtpCapture

pytestmark = pytest.mark.integration


def _raw(subject: str, body: str = "Bonjour.\r\n") -> bytes:
    msgid = subject.replace(" ", "-")
    head = (
        "From: Habitante <habitante@example.org>\r\n"
        "To: bot@example.org\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{msgid}@example.org>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
    )
    return (head + body).encode("utf-8")


def _fetch_body(client: IMAPClient, folder: str, uid: int) -> bytes:
    client.select_folder(folder, readonly=True)
    data = client.fetch([uid], ["BODY.PEEK[]"])
    body: bytes = data[uid][b"BODY[]"]
    return body


# -- Dovecot -----------------------------------------------------------------


def test_append_fetch_round_trip(dovecot: Dovecot) -> None:
    raw = _raw("Demande de rendez-vous", "Accentué: é à ç\r\n")
    uid = dovecot.append("bot", "INBOX", raw)
    client = dovecot.client("bot")
    try:
        assert _fetch_body(client, "INBOX", uid) == raw
    finally:
        client.logout()
    assert dovecot.uids("bot", "INBOX") == [uid]
    # A missing folder is created on demand; the file lands in the user's Maildir.
    uid2 = dovecot.append("bot", "Archives", _raw("deux"))
    assert dovecot.uids("bot", "Archives") == [uid2]
    assert (dovecot.maildir("bot") / "cur").is_dir() or (dovecot.maildir("bot") / "new").is_dir()
    assert any((dovecot.maildir("bot") / ".Archives" / "new").iterdir())


def test_multiappend_returns_uids(dovecot: Dovecot) -> None:
    uids = dovecot.multiappend("bot", "INBOX", [_raw(f"m{i}") for i in range(30)])
    assert len(uids) == 30
    assert dovecot.uids("bot", "INBOX") == uids


def test_keyword_store_visible_from_another_connection(dovecot: Dovecot) -> None:
    uid = dovecot.append("bot", "INBOX", _raw("tag me"), flags=["\\Seen"])
    client = dovecot.client("bot")
    try:
        client.select_folder("INBOX")
        client.add_flags([uid], ["$MailbotDone"])
    finally:
        client.logout()
    flags = dovecot.keywords("bot", "INBOX")[uid]
    assert {"$MailbotDone", "\\Seen"} <= flags
    dovecot.create_folder("bot", "Vide")
    assert dovecot.keywords("bot", "Vide") == {}


def test_capabilities_and_move(dovecot: Dovecot) -> None:
    uid = dovecot.append("bot", "INBOX", _raw("move me"))
    dovecot.create_folder("bot", "Traite")
    client = dovecot.client("bot")
    try:
        for cap in (b"IDLE", b"MOVE", b"UIDPLUS", b"MULTIAPPEND"):
            assert client.has_capability(cap.decode())
        client.select_folder("INBOX")
        client.move([uid], "Traite")
    finally:
        client.logout()
    assert dovecot.uids("bot", "INBOX") == []
    assert len(dovecot.uids("bot", "Traite")) == 1


def test_idle_sees_exists_after_append_from_other_connection(dovecot: Dovecot) -> None:
    watcher = dovecot.client("bot")
    try:
        watcher.select_folder("INBOX")
        watcher.idle()
        dovecot.append("bot", "INBOX", _raw("push"))
        seen: list[tuple[object, ...]] = []
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and not any(r[1:2] == (b"EXISTS",) for r in seen):
            seen.extend(watcher.idle_check(timeout=0.5))
        watcher.idle_done()
        assert (1, b"EXISTS") in seen, seen
    finally:
        watcher.logout()


def test_failed_login_does_not_slow_the_next_one(dovecot: Dovecot) -> None:
    bad = IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=10)
    try:
        with pytest.raises(LoginError):
            bad.login("bot", "wrong")
    finally:
        bad.shutdown()
    started = time.monotonic()
    dovecot.client("bot").logout()
    assert time.monotonic() - started < 1.0


def test_restart_keeps_mail_and_port(dovecot: Dovecot) -> None:
    uid = dovecot.append("bot", "INBOX", _raw("survivor"), flags=["$Keep"])
    port = dovecot.port
    dovecot.restart()
    assert dovecot.port == port
    assert dovecot.uids("bot", "INBOX") == [uid]
    assert "$Keep" in dovecot.keywords("bot", "INBOX")[uid]
    assert dovecot.append("bot", "INBOX", _raw("after")) > uid


def test_stopped_dovecot_refuses_connections(dovecot: Dovecot) -> None:
    dovecot.stop()
    with pytest.raises(OSError):
        IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=2)
    dovecot.start()
    dovecot.client("bot").logout()


# -- SMTP capture --------------------------------------------------------------


def _send(capture: SmtpCapture, subject: str, to: tuple[str, ...] = ("a@example.org",)) -> None:
    async def go() -> None:
        await aiosmtplib.send(
            _raw(subject),
            sender="bot@example.org",
            recipients=list(to),
            hostname=capture.host,
            port=capture.port,
            timeout=10,
        )

    asyncio.run(go())


def test_smtp_capture_receives(smtp_capture: SmtpCapture) -> None:
    _send(smtp_capture, "Réponse", to=("a@example.org", "b@example.org"))
    (msg,) = smtp_capture.wait_for(1)
    assert msg.mail_from == "bot@example.org"
    assert msg.rcpt_tos == ["a@example.org", "b@example.org"]
    assert msg.raw == _raw("Réponse")
    assert msg.message["Subject"] == "Réponse"
    smtp_capture.clear()
    assert smtp_capture.messages == []


def test_smtp_capture_wait_for_times_out_clearly(smtp_capture: SmtpCapture) -> None:
    with pytest.raises(AssertionError, match="expected at least 1 message"):
        smtp_capture.wait_for(1, timeout=0.1)


def test_smtp_capture_stop_start_same_port(smtp_capture: SmtpCapture) -> None:
    port = smtp_capture.port
    smtp_capture.stop()
    with pytest.raises(aiosmtplib.SMTPConnectError):
        _send(smtp_capture, "pendant la panne")
    smtp_capture.start()
    assert smtp_capture.port == port
    _send(smtp_capture, "après la panne")
    assert [m.message["Subject"] for m in smtp_capture.wait_for(1)] == ["après la panne"]


def test_smtp_capture_fail_next(smtp_capture: SmtpCapture) -> None:
    smtp_capture.fail_next(2)
    for _ in range(2):
        with pytest.raises(aiosmtplib.SMTPResponseException) as info:
            _send(smtp_capture, "refusé")
        assert 400 <= info.value.code < 500
    _send(smtp_capture, "accepté")
    assert [m.message["Subject"] for m in smtp_capture.wait_for(1)] == ["accepté"]
