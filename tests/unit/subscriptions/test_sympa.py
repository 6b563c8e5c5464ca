"""Keeping Sympa in step, as Sympa 6.2.70 really answers (tests/support/sympa_responder.py
writes what tests/fixtures/sympa/ holds): owner commands, AUTH answers (only for commands
we sent, only from the authenticated robot), command reports read by their status words,
refusals checked against the list, REVIEW answers from `-request`, the weekly REVIEW job."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path

from mailbot.app import App
from mailbot.models import ProcessedMessage
from mailbot.models.subscriptions import SubscriptionAudit, SympaCommand, SympaReview
from mailbot.subscriptions import sympa, sympa_sync
from mailbot.subscriptions.jobs import sympa_review
from tests.support.clock import Clock
from tests.support.helpers import BOT
from tests.support.subscriptions_kit import (
    AUTHSERV,
    COTECH,
    SYMPA,
    db,
    feed,
    mail,
    outbox,
    reply,
    rows,
    text_of,
)
from tests.support.sympa_responder import FakeSympa

NEW = "lena.garcia@ccas-bron.fr"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sympa"


def as_message(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def subscribe_and_confirm(app: App) -> None:
    feed(app, mail(NEW, "subscribe", "", name="Léna Garcia"))
    feed(app, reply(outbox(app)[0], NEW, "oui"))


def robot_mail(subject: str, body: str, *, frm: str = SYMPA, dmarc: str | None = "pass",
               domain: str = "framalistes.org") -> bytes:
    """A mail as the robot sends it, with the Authentication-Results our server writes."""
    headers = {"Auto-Submitted": "auto-replied", "X-Loop": SYMPA}
    if dmarc is not None:
        headers["Authentication-Results"] = (f"{AUTHSERV}; spf=pass smtp.mailfrom={domain}; "
                                             f"dmarc={dmarc} header.from={domain}")
    return mail(frm, subject, body, headers=headers, authenticated=dmarc is not None)


def answer_all(app: App, robot: FakeSympa) -> int:
    """Sympa answers every command in our outbox it has not seen; its mail is read."""
    answers: list[bytes] = []
    for row in outbox(app, "sympa_command"):
        if row.message_id not in robot.answered:
            robot.answered.add(row.message_id)
            answers += robot.answer(as_message(row.raw))
    for raw in answers:
        feed(app, raw)
    return len(answers)


def states(app: App) -> dict[str, str]:
    return {f"{c.action} {c.address or ''}".strip(): c.state for c in rows(app, SympaCommand)}


def done_mails(app: App) -> list[str]:
    return [text_of(r) for r in outbox(app, "sympa_done", to=NEW)]


def test_direct_add_is_done_when_the_report_says_so_and_recorded_once(app: App) -> None:
    subscribe_and_confirm(app)
    [confirmed] = outbox(app, "confirm_result", to=NEW)
    assert "C'est fait" not in text_of(confirmed) and "en cours" in text_of(confirmed)
    with db(app) as s:
        assert sympa_sync.labels(s)[NEW] == "ADD en attente de Sympa"
    robot = FakeSympa(owner=BOT, mode="direct")
    assert answer_all(app, robot) == 1
    assert states(app) == {f"ADD {NEW}": "done"} and NEW in robot.members
    synced = [a for a in rows(app, SubscriptionAudit) if a.action == "sympa"]
    assert [a.state for a in synced] == ["synced"]  # Sympa quotes the ADD twice
    [done] = done_mails(app)
    assert "C'est fait" in done and "message de bienvenue" not in done  # QUIET held
    with db(app) as s:
        assert NEW not in sympa_sync.labels(s)


def test_auth_request_for_our_command_is_answered_once(app: App) -> None:
    subscribe_and_confirm(app)
    robot = FakeSympa(owner=BOT, mode="auth")
    [command] = outbox(app, "sympa_command")
    report, auth = robot.answer(as_message(command.raw))
    robot.answered.add(command.message_id)
    feed(app, report)
    assert states(app) == {f"ADD {NEW}": "waiting"}  # "sent_to_user" is not done
    feed(app, auth)
    feed(app, auth.replace(b"Message-Id: <", b"Message-Id: <again-"))  # the same, twice
    answers = [r for r in outbox(app, "sympa_command") if r.subject.startswith("AUTH ")]
    key = next(iter(robot.pending))
    assert [(a.subject, a.to_addr) for a in answers] == [
        (f"AUTH {key} ADD qpv-hpf {NEW} Léna Garcia", SYMPA)]
    assert states(app) == {f"ADD {NEW}": "auth_answered"} and done_mails(app) == []
    assert answer_all(app, robot) == 1
    assert states(app) == {f"ADD {NEW}": "done"}
    assert [n["To"] for n in robot.notices] == [NEW]  # AUTH dropped QUIET: Sympa wrote too
    [done] = done_mails(app)
    assert "message de bienvenue" in done


def test_del_with_auth_then_done_names_sympas_removal_notice(app: App) -> None:
    leaver = "toitsdublosne@gmail.com"
    feed(app, mail(leaver, "désinscription", "Merci de me désinscrire."))
    feed(app, reply(outbox(app, "confirm_unsubscribe")[0], leaver, "oui"))
    robot = FakeSympa(owner=BOT, mode="auth", members={leaver: "Toits du Blosne"})
    assert answer_all(app, robot) == 1  # the AUTH request alone: no report for a DEL
    assert states(app) == {f"DEL {leaver}": "auth_answered"}
    assert answer_all(app, robot) == 1  # the report: removed
    assert states(app) == {f"DEL {leaver}": "done"} and leaver not in robot.members
    [done] = outbox(app, "sympa_done", to=leaver)
    assert "avis de désinscription" in text_of(done)


def test_auth_needs_our_servers_verdict_and_never_dmarc_fail(app: App) -> None:
    subscribe_and_confirm(app)
    command = f"ADD qpv-hpf {NEW} Léna Garcia"
    feed(app, robot_mail(f"AUTH 0123456789abcdef {command}", "…", dmarc="fail"))
    feed(app, robot_mail(f"AUTH 1123456789abcdef {command}", "…", dmarc=None))
    feed(app, robot_mail(f"AUTH 2123456789abcdef {command}", "…", frm="sympa@framalistes-org.fr",
                         domain="framalistes-org.fr"))
    assert [r for r in outbox(app, "sympa_command") if r.subject.startswith("AUTH")] == []
    robot_rows = [r for r in rows(app, ProcessedMessage) if r.subject.startswith("AUTH")]
    assert [(r.category, r.status) for r in robot_rows][:2] == [("sympa", "held")] * 2
    assert "dmarc=fail" in robot_rows[0].reason
    assert robot_rows[2].category != "sympa"
    assert states(app) == {f"ADD {NEW}": "sent"}


def test_auth_request_we_did_not_cause_is_held_not_answered(app: App) -> None:
    feed(app, robot_mail("AUTH 0123abcd ADD qpv-hpf mallory@evil.example Mallory",
                         "Vous avez demandé un abonnement à la liste qpv-hpf."))
    assert outbox(app) == []
    [row] = rows(app, ProcessedMessage)
    assert row.category == "sympa" and row.status == "held"


def test_forged_sympa_for_another_list_is_not_ours(app: App) -> None:
    feed(app, robot_mail("AUTH 0123abcd ADD autre-liste x@y.fr", "request for autre-liste"))
    assert outbox(app) == []
    assert rows(app, ProcessedMessage)[0].category == "autoreply"


def test_refusal_is_checked_by_review_then_reaches_the_cotech(app: App) -> None:
    subscribe_and_confirm(app)
    robot = FakeSympa(owner=BOT, mode="direct", refuse={NEW})
    answer_all(app, robot)  # rejected: no status word
    assert states(app) == {f"ADD {NEW}": "checking", "REVIEW": "sent"}
    answer_all(app, robot)  # the REVIEW answer: NEW is not on the list
    assert states(app) == {f"ADD {NEW}": "failed", "REVIEW": "done"}
    [told] = outbox(app, "sympa_refused", to=COTECH)
    assert f"ADD qpv-hpf {NEW}" in text_of(told) and "À faire" in text_of(told)
    assert done_mails(app) == []
    with db(app) as s:
        assert sympa_sync.labels(s)[NEW] == "ADD refusé par Sympa"
    robot.members[NEW] = "Léna Garcia"  # the COTECH adds her by hand, then asks a REVIEW
    assert asyncio.run(sympa_review(app.services)).startswith("REVIEW envoyé")
    answer_all(app, robot)
    assert states(app)[f"ADD {NEW}"] == "done" and len(done_mails(app)) == 1
    assert len(outbox(app, "sympa_refused")) == 1


def test_already_subscribed_or_already_gone_is_done(app: App) -> None:
    subscribe_and_confirm(app)
    robot = FakeSympa(owner=BOT, mode="direct", members={NEW: "Léna"})
    answer_all(app, robot)  # "déjà abonné": a failure in Sympa's words
    answer_all(app, robot)  # the REVIEW shows her there
    assert states(app) == {f"ADD {NEW}": "done", "REVIEW": "done"}
    assert outbox(app, "sympa_refused") == [] and len(done_mails(app)) == 1


def test_review_of_an_unknown_list_reaches_the_cotech(app: App) -> None:
    assert asyncio.run(sympa_review(app.services)).startswith("REVIEW envoyé")
    answer_all(app, FakeSympa(owner=BOT, list_name="autre-liste"))  # "La liste ... est inconnue"
    assert states(app) == {"REVIEW": "failed"}
    [told] = outbox(app, "sympa_refused", to=COTECH)
    assert told.subject == "[QPV] Sympa a refusé\u00a0: REVIEW qpv-hpf"
    assert "est inconnue" in text_of(told) and "propriétaire" in text_of(told)
    assert rows(app, SympaReview) == []


def test_report_about_nothing_we_sent_is_held(app: App) -> None:
    raw = (FIXTURES / "01-quiet-add-1-to-bot.eml").read_bytes()
    feed(app, f"Authentication-Results: {AUTHSERV}; dmarc=pass\r\n".encode() + raw)
    [row] = rows(app, ProcessedMessage)
    assert row.category == "sympa" and row.status == "held"
    assert "n'attend pas" in row.reason and rows(app, SympaCommand) == []


def test_review_from_request_address_is_sympa_mail_and_reconciled(app: App,
                                                                  clock: Clock) -> None:
    assert asyncio.run(sympa_review(app.services)).startswith("REVIEW envoyé")
    assert asyncio.run(sympa_review(app.services)).startswith("REVIEW déjà envoyé")
    clock.advance(days=7)
    assert asyncio.run(sympa_review(app.services)).startswith("REVIEW envoyé")
    review = outbox(app, "sympa_command")[0]
    assert review.subject == "REVIEW qpv-hpf" and review.to_addr == SYMPA
    on_sympa = {"mathieu.lefort@gmail.com": "Mathieu Lefort", "stranger@x.fr": "X"}
    [answer] = FakeSympa(owner=BOT, members=on_sympa).answer(as_message(review.raw))
    assert as_message(answer)["From"] == "qpv-hpf-request@framalistes.org"
    feed(app, answer)
    [stored] = rows(app, SympaReview)
    assert stored.sympa_count == 2 and stored.ours_count == 18
    differences = json.loads(stored.differences)
    assert "sur Sympa mais inconnu du robot : stranger@x.fr" in differences
    assert "inscrit chez nous mais absent de Sympa : s.nguyen@cooperer-habiter.coop" in differences
    assert not any("mathieu" in d for d in differences)
    [row] = rows(app, ProcessedMessage)
    assert row.category == "sympa" and row.status == "done"


def test_real_review_answer_read_as_sympa_mail(app: App) -> None:
    raw = (FIXTURES / "lab-review-wrapped.eml").read_bytes()
    feed(app, f"Authentication-Results: {AUTHSERV}; dmarc=pass\r\n".encode() + raw)
    [row] = rows(app, ProcessedMessage)
    assert (row.category, row.status) == ("sympa", "done")
    [stored] = rows(app, SympaReview)
    assert stored.sympa_count == 1


def test_unknown_sympa_mail_is_recorded_and_held(app: App) -> None:
    feed(app, robot_mail("Message de qpv-hpf", "Bienvenue sur la liste qpv-hpf"))
    [row] = rows(app, ProcessedMessage)
    assert row.category == "sympa" and row.status == "held"
    assert outbox(app) == []


def test_command_line_quotes_no_header_injection(app: App) -> None:
    line = sympa.command_line(app.services, "ADD", "a@b.fr", "Evil\r\nBcc: x@y.fr")
    assert line == "QUIET ADD qpv-hpf a@b.fr Evil Bcc: x y.fr"
    assert sympa.command_line(app.services, "DEL", "a@b.fr", "Name") == "QUIET DEL qpv-hpf a@b.fr"
