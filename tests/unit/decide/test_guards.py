"""Guards: loops, Sympa, bounces, auto-replies and malformed mail, first hit wins."""

from __future__ import annotations

import pytest

from mailbot.decide.guards import GuardEnv, run_guards
from mailbot.mime.parse import parse_message
from mailbot.decide.replypolicy import refusal
from tests.support.helpers import BOT, sample

ENV = GuardEnv(bot_address=BOT, list_address="qpv-hpf@framalistes.org", list_name="qpv-hpf",
               list_id="qpv-hpf.framalistes.org", sympa_address="sympa@framalistes.org")


def parsed(raw: bytes):  # type: ignore[no-untyped-def]
    msg = parse_message(raw)
    msg.raw = raw
    return msg


def mail(headers: str, body: str = "Bonjour\n") -> bytes:
    return (headers.strip() + "\nMessage-ID: <t@x>\n\n" + body).replace("\n", "\r\n").encode()


@pytest.mark.parametrize("name, category", [
    ("bounce-postfix-user-unknown", "bounce"),
    ("autoreply-reponse-automatique", "autoreply"),
    ("malformed-missing-from", "malformed"),
    ("malformed-empty-pdf", "malformed"),
    ("other-question-to-bot", None),
])
def test_samples(name: str, category: str | None) -> None:
    hit = run_guards(parsed(sample("inbox", name)), ENV)
    assert (hit.category if hit else None) == category


def test_bounce_names_the_failed_address() -> None:
    hit = run_guards(parsed(sample("inbox", "bounce-postfix-user-unknown")), ENV)
    assert hit is not None and hit.details["address"] == "fabienne.roussel@hp-aura.org"
    assert hit.details["action"] == "failed"


def test_delayed_dsn_is_not_a_failure() -> None:
    raw = mail("""From: MAILER-DAEMON@mx.example.org
To: preuves-qpv@habitatparticipatif-france.fr
Subject: Delayed Mail (still being retried)
Content-Type: multipart/report; report-type=delivery-status; boundary="b"
""", """--b
Content-Type: text/plain

Your message is delayed.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; late@example.org
Action: delayed
Status: 4.4.1
--b--
""")
    hit = run_guards(parsed(raw), ENV)
    assert hit is not None and hit.category == "bounce" and hit.details["action"] == "delayed"


@pytest.mark.parametrize("header", [
    "Auto-Submitted: auto-replied", "X-Autoreply: yes", "X-Autorespond: yes",
    "Precedence: auto_reply",
    "X-Auto-Response-Suppress: All\nX-MS-Exchange-Inbox-Rules-Loop: a@b.fr",
])
def test_autoreply_headers(header: str) -> None:
    raw = mail(f"From: a@b.fr\nTo: {BOT}\nSubject: Re: hello\n{header}")
    hit = run_guards(parsed(raw), ENV)
    assert hit is not None and hit.category == "autoreply"


@pytest.mark.parametrize("subject", [
    "Réponse automatique : [QPV] Confirmez", "Absence du bureau", "Out of Office: x",
    "Automatic reply: hello", "Absente - Re: [QPV] Accusé",
])
def test_autoreply_subjects(subject: str) -> None:
    hit = run_guards(parsed(mail(f"From: a@b.fr\nTo: {BOT}\nSubject: {subject}")), ENV)
    assert hit is not None and hit.category == "autoreply"


def test_own_mail_is_a_loop() -> None:
    hit = run_guards(parsed(mail(f"From: {BOT}\nTo: a@b.fr\nSubject: x")), ENV)
    assert hit is not None and hit.guard == "loop"
    hit = run_guards(parsed(mail(f"From: a@b.fr\nX-Loop: {BOT}\nSubject: x")), ENV)
    assert hit is not None and hit.guard == "loop"


def test_sympa_only_from_the_robot_about_our_list() -> None:
    ours = mail("From: sympa@framalistes.org\nSubject: AUTH 1a2b3c ADD qpv-hpf x@y.fr X\n"
                "Auto-Submitted: auto-replied")
    hit = run_guards(parsed(ours), ENV)
    assert hit is not None and hit.category == "sympa"
    other_list = mail("From: sympa@framalistes.org\nSubject: AUTH 1a2b ADD autre-liste x@y.fr\n"
                      "Auto-Submitted: auto-replied")
    assert run_guards(parsed(other_list), ENV).category == "autoreply"  # type: ignore[union-attr]
    spoof = mail("From: sympa@evil.example\nSubject: AUTH 1a2b ADD qpv-hpf x@y.fr")
    hit = run_guards(parsed(spoof), ENV)
    assert hit is None or hit.category != "sympa"


@pytest.mark.parametrize("header", [
    "Precedence: list", "List-Id: <qpv-hpf.framalistes.org>", "Return-Path: <>",
    "Auto-Submitted: auto-generated", "X-Ack: no",
])
def test_reply_policy_refuses(header: str) -> None:
    assert refusal(parsed(mail(f"From: a@b.fr\nSubject: x\n{header}")), BOT) is not None


def test_reply_policy_allows_a_person() -> None:
    assert refusal(parsed(sample("inbox", "other-question-to-bot")), BOT) is None


def test_our_list_s_bulk_post_is_left_to_the_list_role() -> None:
    raw = mail("From: lettre@habitatparticipatif-france.fr\nTo: qpv-hpf@framalistes.org\n"
               "Subject: [qpv-hpf] Lettre\nList-Id: <qpv-hpf.framalistes.org>\nPrecedence: list\n"
               "List-Unsubscribe: <mailto:sympa@framalistes.org?subject=unsubscribe%20qpv-hpf>")
    assert run_guards(parsed(raw), ENV) is None


def test_another_list_s_post_to_the_bot_is_held_as_other() -> None:
    raw = mail(f"From: alice@foo.example\nTo: {BOT}\nSubject: Nouvelles\n"
               "List-Id: <news.foo.example>\nPrecedence: list")
    hit = run_guards(parsed(raw), ENV)
    assert hit is not None and (hit.guard, hit.category) == ("bulk", "other")
