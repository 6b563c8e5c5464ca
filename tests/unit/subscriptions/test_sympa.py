"""Keeping Sympa in step: owner commands, AUTH answers (only for commands we
sent), command reports, REVIEW reconciliation, the weekly REVIEW job."""

from __future__ import annotations

import asyncio
import json
import email
import email.policy
from email.message import EmailMessage


from mailbot.app import App
from mailbot.models import ProcessedMessage
from mailbot.models.subscriptions import SympaCommand, SympaReview
from mailbot.subscriptions import sympa
from mailbot.subscriptions.jobs import sympa_review
from tests.support.helpers import BOT
from tests.support.clock import Clock
from tests.support.subscriptions_kit import SYMPA, feed, mail, outbox, reply, rows, sympa_mail
from tests.support.sympa_responder import FakeSympa

NEW = "lena.garcia@ccas-bron.fr"


def as_message(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def subscribe_and_confirm(app: App) -> None:
    feed(app, mail(NEW, "subscribe", "", name="Léna Garcia"))
    feed(app, reply(outbox(app)[0], NEW, "oui"))


def test_auth_request_for_our_command_is_answered_once(app: App) -> None:
    subscribe_and_confirm(app)
    [command] = outbox(app, "sympa_command")
    robot = FakeSympa(owner=BOT)
    [auth] = robot.answer(as_message(command.raw))
    feed(app, auth)
    feed(app, auth.replace(b"Message-ID: <", b"Message-ID: <again-"))  # Sympa sent it twice
    answers = [r for r in outbox(app, "sympa_command") if r.subject.startswith("AUTH ")]
    assert len(answers) == 1 and answers[0].to_addr == SYMPA
    key = next(iter(robot.pending))
    assert answers[0].subject == f"AUTH {key} ADD qpv-hpf {NEW} Léna Garcia"
    [report] = robot.answer(as_message(answers[0].raw))
    feed(app, report)
    assert [c.state for c in rows(app, SympaCommand)] == ["done"]
    assert NEW in robot.members


def test_auth_request_we_did_not_cause_is_held_not_answered(app: App) -> None:
    feed(app, sympa_mail("AUTH 0123abcd ADD qpv-hpf mallory@evil.example Mallory",
                         "You've made a user subscription request to list qpv-hpf."))
    assert outbox(app) == []
    [row] = rows(app, ProcessedMessage)
    assert row.category == "sympa" and row.status == "held"


def test_forged_sympa_for_another_list_is_not_ours(app: App) -> None:
    feed(app, sympa_mail("AUTH 0123abcd ADD autre-liste x@y.fr", "request for autre-liste"))
    assert outbox(app) == []
    assert rows(app, ProcessedMessage)[0].category == "autoreply"


def test_command_report_failure_is_held_for_the_cotech(app: App) -> None:
    subscribe_and_confirm(app)
    [command] = outbox(app, "sympa_command")
    robot = FakeSympa(owner=BOT, mode="direct", refuse={NEW})
    [report] = robot.answer(as_message(command.raw))
    feed(app, report)
    assert [c.state for c in rows(app, SympaCommand)] == ["failed"]
    held = [r for r in rows(app, ProcessedMessage) if r.category == "sympa"]
    assert held[0].status == "held" and "Sympa a refusé" in held[0].reason


def test_already_subscriber_counts_as_done(app: App) -> None:
    subscribe_and_confirm(app)
    [command] = outbox(app, "sympa_command")
    robot = FakeSympa(owner=BOT, mode="direct", members={NEW: "Léna"})
    feed(app, robot.answer(as_message(command.raw))[0])
    assert [c.state for c in rows(app, SympaCommand)] == ["done"]


def test_parse_report_french_and_english() -> None:
    english = ("Command has been performed:\n\n> QUIET ADD qpv-hpf a@b.fr A\n\n"
               "User a@b.fr is now subscriber of list qpv-hpf.\n\n"
               "Command has been rejected:\n\n> QUIET DEL qpv-hpf c@d.fr\n\n"
               "  You are not allowed to perform this action.\n")
    assert [(a, x, s) for a, x, s, _ in sympa.parse_report(english)] == [
        ("ADD", "a@b.fr", "done"), ("DEL", "c@d.fr", "failed")]
    french = ("La commande a été exécutée :\n\n> QUIET DEL qpv-hpf c@d.fr\n\n"
              "L'utilisateur c@d.fr a été supprimé de la liste qpv-hpf.\n")
    assert [(a, s) for a, _, s, _ in sympa.parse_report(french)] == [("DEL", "done")]


def test_review_reply_is_reconciled_with_the_roster(app: App, clock: Clock) -> None:
    assert asyncio.run(sympa_review(app.services)).startswith("REVIEW envoyé")
    assert asyncio.run(sympa_review(app.services)).startswith("REVIEW déjà envoyé")
    clock.advance(days=7)
    assert asyncio.run(sympa_review(app.services)).startswith("REVIEW envoyé")
    review = outbox(app, "sympa_command")[0]
    assert review.subject == "REVIEW qpv-hpf" and review.to_addr == SYMPA
    on_sympa = {"mathieu.lefort@gmail.com": "Mathieu Lefort", "stranger@x.fr": "X"}
    [answer] = FakeSympa(owner=BOT, members=on_sympa).answer(as_message(review.raw))
    feed(app, answer)
    [stored] = rows(app, SympaReview)
    assert stored.sympa_count == 2 and stored.ours_count == 18
    differences = json.loads(stored.differences)
    assert "sur Sympa mais inconnu du robot : stranger@x.fr" in differences
    assert "inscrit chez nous mais absent de Sympa : s.nguyen@cooperer-habiter.coop" in differences
    assert not any("mathieu" in d for d in differences)
    assert rows(app, ProcessedMessage)[0].status == "done"


def test_unknown_sympa_mail_is_recorded_and_held(app: App) -> None:
    feed(app, sympa_mail("Message de qpv-hpf", "Bienvenue sur la liste qpv-hpf"))
    [row] = rows(app, ProcessedMessage)
    assert row.category == "sympa" and row.status == "held"
    assert outbox(app) == []


def test_command_line_quotes_no_header_injection(app: App) -> None:
    line = sympa.command_line(app.services, "ADD", "a@b.fr", "Evil\r\nBcc: x@y.fr")
    assert line == "QUIET ADD qpv-hpf a@b.fr Evil Bcc: x y.fr"
    assert sympa.command_line(app.services, "DEL", "a@b.fr", "Name") == "QUIET DEL qpv-hpf a@b.fr"
