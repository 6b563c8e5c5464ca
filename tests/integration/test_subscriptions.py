"""Subscriptions through a real Dovecot and aiosmtpd, with a scripted Sympa robot
answering what we send it (AUTH requests, command reports, REVIEW), and the
refresh campaign with a frozen clock."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot.app import App
from mailbot.models import Member
from mailbot.models.subscriptions import RefreshEntry, SympaCommand, SympaReview
from mailbot.subscriptions.jobs import refresh_step, sympa_review
from tests.support.apps import build_app
from tests.support.helpers import BOT, ROOT
from tests.support.servers import Dovecot, SmtpCapture
from tests.support.clock import Clock
from tests.support.subscriptions_kit import COTECH, LIST, SYMPA, mail
from tests.support.sympa_responder import FakeSympa

pytestmark = pytest.mark.integration
REF = re.compile(r"réf\. ([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})")


def roster() -> dict[str, str]:
    lines = (ROOT / "samples" / "roster.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",")[0]: line.split(",")[1] for line in lines}


def cycle(app: App, dovecot: Dovecot, raws: list[bytes]) -> None:
    """Deliver into the INBOX, then one catch-up run of the daemon."""
    for raw in raws:
        dovecot.append("bot", "INBOX", raw)
    asyncio.run(app.run_once())


def sent_to(smtp: SmtpCapture, address: str) -> list[EmailMessage]:
    return [m.message for m in smtp.messages if address in m.rcpt_tos]


def human_reply(original: EmailMessage, frm: str, body: str) -> bytes:
    quoted = "\n".join("> " + line for line in
                       original.get_body(("plain",)).get_content().splitlines())  # type: ignore[union-attr]
    return mail(frm, f"Re: {original['Subject']}", f"{body}\n\nLe 2 mars, AMI QPV a écrit :\n{quoted}",
                in_reply_to=str(original["Message-ID"]).strip("<>"))


def robot_round(app: App, dovecot: Dovecot, smtp: SmtpCapture, robot: FakeSympa) -> int:
    """Sympa answers everything new we sent it; its mail is delivered and read."""
    answers = robot.respond(smtp.messages)
    cycle(app, dovecot, answers)
    return len(answers)


def state(app: App, model: type, **where: object) -> list[object]:
    with Session(app.engine) as s:
        return list(s.exec(select(model).filter_by(**where)).all())


def test_commands_confirmations_forgery_replay_and_sympa(tmp_path: Path, dovecot: Dovecot,
                                                        smtp_capture: SmtpCapture) -> None:
    clock = Clock()
    app = build_app(tmp_path, dovecot=dovecot, smtp=smtp_capture, clock=clock)
    robot = FakeSympa(owner=BOT, mode="auth", members=roster())
    newcomers = {
        "lena.garcia@ccas-bron.fr": mail("lena.garcia@ccas-bron.fr", "Inscription liste QPV",
                                         "Bonjour,\n\nJe souhaiterais être inscrite à la liste.\n\nLéna",
                                         name="Léna Garcia"),
        "paul@asso.example": mail("paul@asso.example", "subscribe", "", name="Paul Martin"),
        "zoe@quartier.example": mail("zoe@quartier.example", "Bonjour",
                                     "", html="<div>Merci de m'<b>inscrire</b> à la liste.</div>"),
    }
    forged = mail("mallory@evil.example", "désinscription", "unsubscribe fatou.diallo@hotmail.fr")
    leaving = mail("toitsdublosne@gmail.com", "unsubscribe", "")
    cycle(app, dovecot, [*newcomers.values(), forged, leaving])

    for address in newcomers:
        [conf] = sent_to(smtp_capture, address)
        assert str(conf["Subject"]).startswith("[QPV] Confirmez votre inscription (réf. ")
        assert conf["Auto-Submitted"] == "auto-generated" and conf["X-Loop"] == BOT
    assert sent_to(smtp_capture, "fatou.diallo@hotmail.fr") == []
    [refused] = sent_to(smtp_capture, "mallory@evil.example")
    assert str(refused["Subject"]) == "[QPV] Demande non prise en compte"
    [bye] = sent_to(smtp_capture, "toitsdublosne@gmail.com")
    assert "désinscription" in str(bye["Subject"])

    confirmations = [human_reply(sent_to(smtp_capture, a)[0], a, "Je confirme.") for a in newcomers]
    confirmations.append(human_reply(bye, "toitsdublosne@gmail.com", "oui"))
    replay = human_reply(sent_to(smtp_capture, "paul@asso.example")[0], "paul@asso.example", "ok")
    cycle(app, dovecot, [*confirmations, replay])
    with Session(app.engine) as s:
        statuses = {m.email: m.status for m in s.exec(select(Member)).all()}
    assert all(statuses[a] == "active" for a in newcomers)
    assert statuses["toitsdublosne@gmail.com"] == "left"
    assert statuses["fatou.diallo@hotmail.fr"] == "active"
    paul = [str(m["Subject"]) for m in sent_to(smtp_capture, "paul@asso.example")]
    assert paul[1:] == ["[QPV] Inscription confirmée", f"[QPV] Référence {REF.search(paul[0]).group(1)} "  # type: ignore[union-attr]
                        "déjà utilisée"]

    to_robot = sent_to(smtp_capture, SYMPA)
    assert sorted(str(m["Subject"]) for m in to_robot) == sorted(
        ["QUIET ADD qpv-hpf lena.garcia@ccas-bron.fr Léna Garcia",
         "QUIET ADD qpv-hpf paul@asso.example Paul Martin",
         "QUIET ADD qpv-hpf zoe@quartier.example", "QUIET DEL qpv-hpf toitsdublosne@gmail.com"])
    assert all(m["From"].addresses[0].addr_spec == BOT for m in to_robot)
    assert robot_round(app, dovecot, smtp_capture, robot) == 7  # 3 ADD reports "sent_to_user" + 4 AUTH
    assert robot_round(app, dovecot, smtp_capture, robot) == 4  # our AUTH answers -> reports
    assert {c.state for c in state(app, SympaCommand)} == {"done"}  # type: ignore[attr-defined]
    assert set(newcomers) <= set(robot.members) and "toitsdublosne@gmail.com" not in robot.members
    assert sent_to(smtp_capture, LIST) == []
    assert robot_round(app, dovecot, smtp_capture, robot) == 0  # nothing left to say


def test_change_of_address_refresh_campaign_and_review(tmp_path: Path, dovecot: Dovecot,
                                                      smtp_capture: SmtpCapture) -> None:
    clock = Clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    app = build_app(tmp_path, dovecot=dovecot, smtp=smtp_capture, clock=clock,
                    extra="[refresh]\nstart = 2026-03-02\n")
    robot = FakeSympa(owner=BOT, mode="direct", members=roster())
    assert asyncio.run(refresh_step(app.services)).startswith("campagne ouverte (18")
    asyncio.run(app.run_once())
    requests = {m.rcpt_tos[0]: m.message for m in smtp_capture.messages}
    assert len(requests) == 18

    claire, thomas, nathalie, fabienne = ("claire.berard@terrhab-conseil.fr",
                                          "thomas.keller@laposte.net",
                                          "nathalie.perrin@np-conseil.fr",
                                          "fabienne.roussel@hp-aura.org")
    out_of_office = human_reply(requests[nathalie], nathalie, "Je suis absente jusqu'au 13.")
    out_of_office = out_of_office.replace(b"Subject: Re:", b"Auto-Submitted: auto-replied\nSubject: Re:")
    returned = next(m for m in smtp_capture.messages if fabienne in m.rcpt_tos).raw
    bounce = (f"From: Mail Delivery System <MAILER-DAEMON@mx.example>\nTo: {BOT}\n"
              "Subject: Mail delivery failed: returning message to sender\n"
              f"Message-ID: <dsn1@mx.example>\nX-Failed-Recipients: {fabienne}\n"
              "Auto-Submitted: auto-replied\n\n"
              "A message that you sent could not be delivered to one or more of its\n"
              f"recipients. This is a permanent error. The following address(es) failed:\n\n"
              f"  {fabienne}\n    Mailbox quota exceeded\n\n"
              "------ This is a copy of the message, including all the headers. ------\n\n"
              ).encode() + returned
    cycle(app, dovecot, [
        human_reply(requests[claire], claire, "Bonjour,\n\nC'est toujours la bonne adresse.\n\nClaire"),
        human_reply(requests[thomas], thomas, "Merci de la remplacer par thomas@keller-habitat.fr"),
        out_of_office, bounce])
    [confirm_new] = sent_to(smtp_capture, "thomas@keller-habitat.fr")
    assert str(confirm_new["Subject"]).startswith("[QPV] Confirmez votre changement d'adresse")
    cycle(app, dovecot, [human_reply(confirm_new, "thomas@keller-habitat.fr", "Je confirme")])
    moved = state(app, Member, email="thomas@keller-habitat.fr")
    assert len(moved) == 1 and moved[0].group == "GO"  # type: ignore[attr-defined]
    robot_round(app, dovecot, smtp_capture, robot)
    assert "thomas@keller-habitat.fr" in robot.members and thomas not in robot.members

    entries = {e.address: e.state for e in state(app, RefreshEntry)}  # type: ignore[attr-defined]
    assert entries[claire] == "kept" and entries[thomas] == "changed"
    assert entries[nathalie] == "pending" and entries[fabienne] == "bounced"

    clock.advance(days=7)
    asyncio.run(refresh_step(app.services))
    asyncio.run(app.run_once())
    reminded = {m.rcpt_tos[0] for m in smtp_capture.messages
                if str(m.message["Subject"]).startswith("[QPV] Rappel")}
    assert nathalie in reminded and claire not in reminded and fabienne not in reminded
    assert len(reminded) == 15

    clock.advance(days=14)
    assert asyncio.run(refresh_step(app.services)).endswith("bilan envoyé au COTECH")
    assert asyncio.run(sympa_review(app.services)).startswith("REVIEW envoyé")
    asyncio.run(app.run_once())
    reports = [m for m in sent_to(smtp_capture, COTECH) if "Mise à jour" in str(m["Subject"])]
    assert [str(m["Subject"]) for m in reports] == ["[QPV] Mise à jour des adresses\u00a0: bilan"]
    robot.members["intrus@x.example"] = "Intrus"
    robot_round(app, dovecot, smtp_capture, robot)
    review = state(app, SympaReview)[-1]  # the scheduler may have asked on an earlier Monday
    assert "sur Sympa mais inconnu du robot : intrus@x.example" in review.differences  # type: ignore[attr-defined]
    assert "toitsdublosne" not in review.differences  # type: ignore[attr-defined]

