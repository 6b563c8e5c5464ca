"""The whole exchange with a REAL Sympa 6.2.70 (Debian package, tests/support/sympa_server.py):
the bot's mail to sympa@framalistes.org is delivered into Sympa, Sympa's answers into
the bot's INBOX on the real Dovecot, and the daemon reads them.

What Sympa really does, and what must hold (issue #11):
* command reports carry the status words as quoted lines (`> add_performed`,
  `> now_subscriber`, `> removed`), base64 or quoted-printable, wrapped anywhere;
* REVIEW is answered from the list's `-request` address with Auto-Submitted:
  auto-replied: it is Sympa mail, read and reconciled;
* a member's change is done for us when Sympa's report says so, not before; a
  refusal reaches the COTECH; each ADD is recorded once;
* with `add auth` and `del auth`, each AUTH request is answered once, for our command, from the
  authenticated robot only: a forged robot (dmarc=fail) or a look-alike domain
  (its own dmarc=pass) gets no AUTH.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import re
from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session, select

from mailbot import members
from mailbot.app import App
from mailbot.models import Member, ProcessedMessage
from mailbot.models.subscriptions import SubscriptionAudit, SympaCommand, SympaReview
from mailbot.subscriptions.jobs import sympa_review
from tests.support.helpers import BOT, ROOT
from tests.support.servers import Dovecot, SmtpCapture
from tests.support.subscriptions_kit import AUTHSERV, COTECH, SYMPA, mail
from tests.support.sympa_server import RealSympa, sympa_available
from tests.support.sympa_wire import SympaWire

pytestmark = pytest.mark.integration
MISSING = "needs root and Debian's sympa (scripts/test.sh installs it)"
NEWCOMER, NEWCOMER_NAME = "lena.garcia@ccas-bron.fr", "Léna Garcia"
LEAVER = "toitsdublosne@gmail.com"
ABSENT = "mathieu.lefort@gmail.com"  # on our roster, never added to Sympa


@pytest.fixture(scope="module")
def real_sympa() -> Iterator[RealSympa]:
    if not sympa_available():  # CI must never skip it silently
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Sympa cannot run: {MISSING}", pytrace=False)
        pytest.skip(MISSING)
    with RealSympa(owner=BOT) as server:  # the list's owner: the bot's address
        yield server


def roster() -> list[tuple[str, str]]:
    lines = (ROOT / "samples" / "roster.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [(line.split(",")[0], line.split(",")[1]) for line in lines]


def seed(sympa: RealSympa, leave_out: set[str]) -> None:
    """Sympa's list as the COTECH had it: our roster but `leave_out`."""
    sympa.set_list_params(add="owner", **{"del": "owner"})
    lines = "".join(f"QUIET DEL qpv-hpf {a}\n" for a in sorted(sympa.subscribers()))
    lines += "".join(f"QUIET ADD qpv-hpf {a} {n}\n" for a, n in roster() if a not in leave_out)
    sympa.exchange([(BOT, SYMPA, mail(BOT, "", lines, to=SYMPA))])  # one mail, one report


def run(app: App) -> None:
    asyncio.run(app.run_once())


def deliver(app: App, dovecot: Dovecot, *raws: bytes) -> None:
    for raw in raws:
        dovecot.append("bot", "INBOX", raw)
    run(app)


def sent_to(smtp: SmtpCapture, address: str) -> list[email.message.EmailMessage]:
    return [m.message for m in smtp.messages if address in m.rcpt_tos]


def confirm(app: App, dovecot: Dovecot, smtp: SmtpCapture, address: str) -> None:
    """The person answers our confirmation request."""
    [request] = [m for m in sent_to(smtp, address) if "Confirmez" in str(m["Subject"])]
    deliver(app, dovecot, mail(address, f"Re: {request['Subject']}", "Je confirme.",
                               in_reply_to=str(request["Message-ID"]).strip("<>")))


def commands(app: App) -> dict[str, str]:
    with Session(app.engine) as s:
        return {f"{c.action} {c.address or ''}".strip(): c.state
                for c in s.exec(select(SympaCommand)).all()}


def status(app: App, address: str) -> str:
    with Session(app.engine) as s:
        member = members.find(s, address)
        return member.status if member else "absent"


def subjects(messages: list[email.message.EmailMessage]) -> list[str]:
    return [str(m["Subject"]) for m in messages]


def test_owner_commands_reports_review_and_refusal(make_app: Callable[..., App], dovecot: Dovecot,
                                                   smtp_capture: SmtpCapture,
                                                   real_sympa: RealSympa) -> None:
    seed(real_sympa, leave_out={ABSENT})
    app = make_app(dovecot=dovecot, smtp=smtp_capture)
    wire = SympaWire(real_sympa, smtp_capture, dovecot, bot=BOT, authserv_id=AUTHSERV)
    deliver(app, dovecot, mail(NEWCOMER, "Inscription liste QPV", "Merci de m'inscrire.",
                               name=NEWCOMER_NAME),
            mail(LEAVER, "désinscription", "Merci de me désinscrire."),
            mail(ABSENT, "désinscription", "Merci de me désinscrire."))
    for address in (NEWCOMER, LEAVER, ABSENT):
        confirm(app, dovecot, smtp_capture, address)
    assert sorted(wire.bot_to_sympa()) == [f"QUIET ADD qpv-hpf {NEWCOMER} {NEWCOMER_NAME}",
                                           f"QUIET DEL qpv-hpf {ABSENT}",
                                           f"QUIET DEL qpv-hpf {LEAVER}"]
    # Confirmed by the person, not yet done by Sympa: no "C'est fait" yet.
    assert set(commands(app).values()) == {"sent"}
    assert not any("C'est fait" in str(m.get_body(("plain",)).get_content())  # type: ignore[union-attr]
                   for m in sent_to(smtp_capture, NEWCOMER))

    answers = wire.round()
    assert all(m.rcpts == (BOT,) for m in answers)  # QUIET: no notice to the members
    run(app)
    # Sympa's DEL of a non-subscriber "failed": a REVIEW decides, and ABSENT is off the list.
    assert commands(app) == {f"ADD {NEWCOMER}": "done", f"DEL {LEAVER}": "done",
                             f"DEL {ABSENT}": "checking", "REVIEW": "sent"}
    wire.round()
    run(app)
    assert commands(app) == {f"ADD {NEWCOMER}": "done", f"DEL {LEAVER}": "done",
                             f"DEL {ABSENT}": "done", "REVIEW": "done"}
    assert NEWCOMER in real_sympa.subscribers() and LEAVER not in real_sympa.subscribers()
    assert status(app, NEWCOMER) == "active" and status(app, LEAVER) == "left"
    done = [m for m in sent_to(smtp_capture, NEWCOMER) if "C'est fait" in
            m.get_body(("plain",)).get_content()]  # type: ignore[union-attr]
    assert len(done) == 1
    with Session(app.engine) as s:
        synced = s.exec(select(SubscriptionAudit).where(SubscriptionAudit.action == "sympa",
                                                        SubscriptionAudit.address == NEWCOMER)).all()
        assert [a.state for a in synced] == ["synced"]  # once, though Sympa quotes ADD twice
        robot_rows = s.exec(select(ProcessedMessage).where(
            ProcessedMessage.category == "sympa")).all()
        assert robot_rows and all(r.status != "held" for r in robot_rows)

    # REVIEW comes back from qpv-hpf-request@ (Auto-Submitted: auto-replied): read as Sympa mail.
    assert asyncio.run(sympa_review(app.services)).startswith("REVIEW envoyé")
    run(app)
    [review_answer] = wire.round()
    assert email.message_from_bytes(review_answer.raw)["From"] == "qpv-hpf-request@framalistes.org"
    run(app)
    with Session(app.engine) as s:
        review = s.exec(select(SympaReview).order_by(SympaReview.id.desc())).first()  # type: ignore[union-attr]
        assert review is not None and review.differences == "[]"
        assert review.sympa_count == len(real_sympa.subscribers()) == 17
        rows = s.exec(select(ProcessedMessage).where(
            ProcessedMessage.subject == "REVIEW qpv-hpf")).all()
        assert len(rows) == 2 and {(r.category, r.status) for r in rows} == {("sympa", "done")}

    # The COTECH changed the list so that the owner may not add: Sympa refuses.
    real_sympa.set_list_params(add="closed")
    try:
        newcomer2 = "paul@asso.example"
        deliver(app, dovecot, mail(newcomer2, "subscribe", "", name="Paul Martin"))
        confirm(app, dovecot, smtp_capture, newcomer2)
        wire.round()  # "La commande a été rejetée", no status word
        run(app)
        assert commands(app)[f"ADD {newcomer2}"] == "checking"
        wire.round()  # the REVIEW: not on the list
        run(app)
    finally:
        real_sympa.set_list_params(add="owner")
    assert commands(app)[f"ADD {newcomer2}"] == "failed"
    assert newcomer2 not in real_sympa.subscribers()
    refusals = [m for m in sent_to(smtp_capture, COTECH) if newcomer2 in str(m["Subject"])]
    assert len(refusals) == 1
    assert not any("C'est fait" in m.get_body(("plain",)).get_content()  # type: ignore[union-attr]
                   for m in sent_to(smtp_capture, newcomer2))


def forged_auth(frm: str, key: str, command: str, *, dmarc: str, domain: str) -> bytes:
    raw = mail(frm, f"AUTH {key} {command}",
               "Vous avez demandé un abonnement à la liste qpv-hpf.\n",
               headers={"Auto-Submitted": "auto-replied"}, authenticated=False)
    return (f"Authentication-Results: {AUTHSERV}; spf=pass smtp.mailfrom={domain}; "
            f"dmarc={dmarc} header.from={domain}\r\n").encode() + raw


def test_auth_round_trip_and_spoofed_auth(make_app: Callable[..., App], dovecot: Dovecot,
                                          smtp_capture: SmtpCapture,
                                          real_sympa: RealSympa) -> None:
    seed(real_sympa, leave_out=set())
    real_sympa.set_list_params(add="auth", **{"del": "auth"})
    try:
        app = make_app(dovecot=dovecot, smtp=smtp_capture)
        wire = SympaWire(real_sympa, smtp_capture, dovecot, bot=BOT, authserv_id=AUTHSERV)
        deliver(app, dovecot, mail(NEWCOMER, "Inscription", "Merci de m'inscrire.",
                                   name=NEWCOMER_NAME),
                mail(LEAVER, "désinscription", "Merci de me désinscrire."))
        confirm(app, dovecot, smtp_capture, NEWCOMER)
        confirm(app, dovecot, smtp_capture, LEAVER)
        add, delete = f"ADD qpv-hpf {NEWCOMER} {NEWCOMER_NAME}", f"DEL qpv-hpf {LEAVER}"
        # Before Sympa's real requests: a forger's, in both forms.
        deliver(app, dovecot,
                forged_auth(SYMPA, "0123456789abcdef", add, dmarc="fail",
                            domain="framalistes.org"),
                forged_auth("sympa@framalistes-org.fr", "fedcba9876543210", add,
                            dmarc="pass", domain="framalistes-org.fr"))
        assert [s for s in wire.bot_to_sympa() if s.startswith("AUTH")] == []
        with Session(app.engine) as s:
            spoof, lookalike = s.exec(select(ProcessedMessage).where(
                ProcessedMessage.subject.startswith("AUTH "))  # type: ignore[attr-defined]
                .order_by(ProcessedMessage.id)).all()
            assert (spoof.category, spoof.status) == ("sympa", "held")
            assert "dmarc=fail" in spoof.reason  # held for the COTECH, nothing acted
            assert lookalike.category != "sympa"  # not our robot: never an AUTH to answer
        assert commands(app) == {f"ADD {NEWCOMER}": "sent", f"DEL {LEAVER}": "sent"}

        wire.round()  # Sympa: "sent_to_user" report and AUTH request (ADD), AUTH request (DEL)
        run(app)
        assert commands(app) == {f"ADD {NEWCOMER}": "auth_answered",
                                 f"DEL {LEAVER}": "auth_answered"}  # not done yet
        auths = sorted((s for s in wire.bot_to_sympa() if s.startswith("AUTH")),
                       key=lambda subject: subject.split(" ", 2)[2])  # by command, not random key
        assert len(auths) == 2
        assert re.fullmatch(rf"AUTH [0-9a-f]{{16}} {re.escape(add)}", auths[0])
        assert re.fullmatch(rf"AUTH [0-9a-f]{{16}} {re.escape(delete)}", auths[1])
        wire.round()  # Sympa does both: AUTH drops QUIET, so it writes to both members
        run(app)
        assert commands(app) == {f"ADD {NEWCOMER}": "done", f"DEL {LEAVER}": "done"}
        assert NEWCOMER in real_sympa.subscribers() and LEAVER not in real_sympa.subscribers()
        assert sorted(r for m in wire.elsewhere for r in m.rcpts) == sorted([NEWCOMER, LEAVER])
        for address, notice in ((NEWCOMER, "message de bienvenue"),
                                (LEAVER, "avis de désinscription")):
            [done] = [m for m in sent_to(smtp_capture, address)
                      if "C'est fait" in m.get_body(("plain",)).get_content()]  # type: ignore[union-attr]
            assert notice in done.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert wire.round() == []  # nothing more to say
    finally:
        real_sympa.set_list_params(add="owner", **{"del": "owner"})
