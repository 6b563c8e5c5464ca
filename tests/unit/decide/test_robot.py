"""The robot-mail decision: each signal, their order, and what happens when they disagree."""

from __future__ import annotations

import pytest

from mailbot.decide.robot import judge
from mailbot.decide.robotsignals import read, signals
from mailbot.mime.incoming import Incoming
from mailbot.mime.parse import parse_message


def parsed(raw: bytes) -> Incoming:
    msg = parse_message(raw)
    msg.raw = raw
    return msg


def mail(headers: str, body: str = "Bonjour,\nune question.\n") -> Incoming:
    return parsed((headers.strip() + "\nMessage-ID: <t@x>\n\n" + body).replace("\n", "\r\n").encode())


PERSON = "From: Claire <claire@example.fr>\nTo: bot@example.org\nSubject: Question"
DSN_BODY = """--b
Content-Type: text/plain

Delivery failed.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; gone@example.net
Action: failed
Status: 5.1.1
--b--
"""


def test_a_person_is_no_robot() -> None:
    verdict = judge(mail(PERSON))
    assert verdict.category is None and not verdict.is_robot


def test_delivery_report_without_report_type_is_a_bounce() -> None:
    msg = mail("From: gateway@example.org\nTo: bot@example.org\nSubject: Hello\n"
               'Content-Type: multipart/mixed; boundary="b"', DSN_BODY)
    verdict = judge(msg)
    assert verdict.category == "bounce"
    assert verdict.details == {"action": "failed", "address": "gone@example.net"}


def test_report_inside_a_forward_is_not_the_message_s_own() -> None:
    body = ("--o\nContent-Type: text/plain\n\nPouvez-vous corriger mon adresse ?\n--o\n"
            "Content-Type: message/rfc822\n\nFrom: MAILER-DAEMON@mx.example.org\n"
            'Subject: Undelivered\nContent-Type: multipart/report; boundary="b"\n\n'
            + DSN_BODY + "--o--\n")
    msg = mail("From: Claire <claire@example.fr>\nTo: bot@example.org\n"
               'Subject: TR: Undelivered\nContent-Type: multipart/mixed; boundary="o"', body)
    assert judge(msg).category in ("unsure", None)


@pytest.mark.parametrize("sender", [
    "MAILER-DAEMON@mx.example.org", "postmaster@example.org", "Mail.Delivery.System@example.org",
])
def test_a_mail_server_writing_is_a_bounce_whatever_the_subject(sender: str) -> None:
    assert judge(mail(f"From: {sender}\nTo: bot@example.org\nSubject: Subscribe")).category == "bounce"


def test_null_sender_is_a_daemon() -> None:
    msg = mail(f"Return-Path: <>\n{PERSON}")
    assert [s.kind for s in signals(read(msg))] == ["daemon"]
    assert judge(msg).category == "bounce"


@pytest.mark.parametrize("sender", [
    "news-request@example.org", "list-owner@example.org", "list-bounces@example.org",
    "owner-list@example.org", "noreply@example.org", "no-reply@example.org",
    "donotreply@example.org", "no-reply+abc@example.org",
])
def test_service_senders_are_bulk(sender: str) -> None:
    assert judge(mail(f"From: {sender}\nTo: bot@example.org\nSubject: Inscription")).category == "bulk"


@pytest.mark.parametrize("header", [
    "Precedence: bulk", "Precedence: junk", "Precedence: list", "List-Id: <news.example.org>",
    "List-Unsubscribe: <mailto:leave@example.org>",
])
def test_bulk_and_other_lists(header: str) -> None:
    assert judge(mail(f"{PERSON}\n{header}")).category == "bulk"


@pytest.mark.parametrize("header", [
    "Auto-Submitted: auto-replied", "Auto-Submitted: auto-generated", "X-Autoreply: yes",
    "X-Autorespond: yes", "X-Auto-Response-Suppress: All",
    "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent", "Precedence: auto_reply",
])
def test_auto_replies_by_header(header: str) -> None:
    assert judge(mail(f"{PERSON}\n{header}")).category == "autoreply"


def test_auto_submitted_no_is_a_person() -> None:
    assert judge(mail(f"{PERSON}\nAuto-Submitted: no")).category is None


@pytest.mark.parametrize("subject", [
    "Réponse automatique : absent", "Absence du bureau", "Out of Office: back Monday",
    "AUTO: Marie is out of the office", "Automatic reply: hello",
])
def test_auto_replies_by_subject(subject: str) -> None:
    assert judge(mail(f"From: a@example.fr\nTo: bot@example.org\nSubject: {subject}")).category \
        == "autoreply"


def test_failures_found_make_a_bounce_whatever_the_subject() -> None:
    body = ("This is the mail system.\n\n<gone@example.net>: host mx.example.net said: 550 5.1.1 "
            "User unknown (in reply to RCPT TO command)\n")
    msg = mail("From: gateway@example.org\nTo: bot@example.org\nSubject: Inscription", body)
    verdict = judge(msg)
    if any(s.name == "failures" for s in verdict.signals):
        assert verdict.category == "bounce"


def test_bounce_subject_alone_is_held_not_answered() -> None:
    verdict = judge(mail("From: a@example.fr\nTo: bot@example.org\nSubject: Mail delivery failed"))
    assert verdict.category == "unsure" and verdict.is_robot


def test_bounce_subject_with_bulk_headers_is_a_bounce() -> None:
    msg = mail("From: admin@example.org\nTo: bot@example.org\nPrecedence: bulk\n"
               "Subject: Non-Delivery: your message")
    assert judge(msg).category == "bounce"


def test_delayed_report_is_delayed() -> None:
    msg = mail("From: MAILER-DAEMON@mx.example.org\nTo: bot@example.org\nSubject: Delayed Mail\n"
               'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
               DSN_BODY.replace("Action: failed", "Action: delayed").replace("5.1.1", "4.4.1"))
    assert judge(msg).details["action"] == "delayed"


def test_failures_alone_in_a_person_s_reply_are_held() -> None:
    # flufl.bounce's LLNL detector reads ", x@y," in any quoted To: line as a failure
    body = "Hello\n\n----- Original Message -----\nTo: a@example.com, gone@example.net, c@example.org\n"
    verdict = judge(mail("From: a@example.fr\nTo: bot@example.org\nSubject: Re: Test", body))
    assert verdict.category in ("unsure", None)


ORANGE_STYLE = ("Bonjour,\n\nVotre message n'a pas pu être remis à son destinataire :\n"
                "  gone@example.fr\n  550 5.1.1 Adresse du destinataire inconnue\n")


def test_french_isp_plain_text_notice_is_a_bounce() -> None:
    raw = ("From: Service Messagerie <service.messagerie@example-fai.fr>\nTo: bot@example.org\n"
           "Subject: Message non remis\nMessage-ID: <t@x>\nMIME-Version: 1.0\n"
           "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
           + ORANGE_STYLE).replace("\n", "\r\n").encode("latin-1")
    verdict = judge(parsed(raw))
    assert verdict.category == "bounce"
    assert "diagnostic" in {s.name for s in verdict.signals}


def test_a_person_quoting_an_smtp_error_is_a_person() -> None:
    body = "Bonjour, je reçois « 550 5.1.1 user unknown » en écrivant à la liste. Que faire ?\n"
    assert judge(mail(PERSON, body)).category is None


def test_version_numbers_and_addresses_are_no_smtp_status() -> None:
    body = "Envoyé avec PHP/5.3.3 depuis 10.4.5.6 ; merci de m'inscrire.\n"
    msg = mail("From: liste-admin@example.org\nTo: bot@example.org\nSubject: Inscription", body)
    assert "diagnostic" not in {s.name for s in judge(msg).signals}


def test_our_own_list_s_plain_posts_are_never_scanned(monkeypatch: pytest.MonkeyPatch) -> None:
    # flufl.bounce's scan costs milliseconds a message: a post our list distributed, with no
    # robot sign in its header fields, is judged without it (the list role files it, nobody
    # answers it); another list's post, or ours with a robot sign, is still read in full.
    from mailbot.decide import robotsignals

    scanned: list[bool] = []

    def scan(tree: object) -> tuple[set[str], set[str]]:
        scanned.append(True)
        return set(), set()

    monkeypatch.setattr(robotsignals, "scan_failures", scan)
    ours = "List-Id: <qpv-hpf.framalistes.org>\nPrecedence: list\n"
    post = mail(PERSON + "\n" + ours)
    assert judge(post, own_list_id="qpv-hpf.framalistes.org").category is None and scanned == []
    assert judge(mail(PERSON + "\nList-Id: <autre.example.org>")).category == "bulk"
    assert scanned == [True]
    auto = mail(PERSON + "\n" + ours + "Auto-Submitted: auto-replied")
    assert judge(auto, own_list_id="qpv-hpf.framalistes.org").category == "autoreply"
    assert scanned == [True, True]
