"""The weekly digest end to end: a week of list traffic and proofs through a real
Dovecot, the digest delivered to a real SMTP server on Monday, once; a restart
does not resend it; a daemon down over the next Monday sends one on return."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session


from mailbot.jobs import scheduler
from mailbot.app import App
from mailbot.digest import collect
from mailbot.proofs.dossiers import compute_dossiers
from tests.support.apps import build_app
from tests.support.clock import Clock
from tests.support.helpers import LIST_FOLDER, sample
from tests.support.servers import CapturedMessage, Dovecot, SmtpCapture

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")
LIST = "qpv-hpf@framalistes.org"


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def post(n: int, author: str, subject: str, when: datetime, *thread: int) -> bytes:
    """A list post as Sympa distributes it; `thread`: the posts it answers, oldest first."""
    name, _, email = author.rpartition(" ")
    msg = EmailMessage()
    msg["From"] = f"{name} <{email}>" if name else email
    msg["To"] = LIST
    msg["Subject"] = ("Re: " if thread else "") + f"[qpv-hpf] {subject}"
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<post{n}@digest.test>"
    if thread:
        msg["In-Reply-To"] = f"<post{thread[-1]}@digest.test>"
        msg["References"] = " ".join(f"<post{p}@digest.test>" for p in thread)
    msg["List-Id"] = "<qpv-hpf.framalistes.org>"
    msg["Precedence"] = "list"
    msg["X-Loop"] = LIST
    msg["Sender"] = "qpv-hpf-owner@framalistes.org"
    msg.set_content("Bonjour à toutes et à tous,\n\nVoici mon message.\n")
    return bytes(msg)


MATHIEU = "Mathieu Lefort mathieu.lefort@gmail.com"
SANDRINE = "Sandrine Nguyen s.nguyen@cooperer-habiter.coop"
KARIM = "Karim Belkacem karim.belkacem@orange.fr"
CLAIRE = "Claire Bérard claire.berard@terrhab-conseil.fr"
PASCALE = "Pascale Martin pascale.martin@anct.gouv.fr"
YANN = "Yann Le Goff yann.legoff@ecohabitat-bzh.org"


def digests(smtp: SmtpCapture) -> list[CapturedMessage]:
    return [m for m in smtp.messages if "Synthèse de la semaine" in m.message["Subject"]]


def text_of(mail: CapturedMessage) -> list[str]:
    part = mail.message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).splitlines()  # type: ignore[attr-defined]


def section(lines: list[str], title: str) -> list[str]:
    """The lines of a section, heading and underline excluded, up to the blank line."""
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 2, len(lines)) if not lines[i]), len(lines))
    return lines[start + 2:end]


def run_daemon(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the daemon until its start-up catch-up is over, then stop it."""
    handles: list[scheduler.Handle] = []
    original = scheduler.start

    async def start(services: Any, loop: asyncio.AbstractEventLoop) -> scheduler.Handle:
        handle = await original(services, loop)
        handles.append(handle)
        return handle

    monkeypatch.setattr(scheduler, "start", start)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(app.run(stop),))
    thread.start()
    try:
        deadline = 200
        while not handles and deadline:
            threading.Event().wait(0.05)
            deadline -= 1
        assert handles, "the scheduler did not start"
        asyncio.run_coroutine_threadsafe(handles[0].idle(), loop).result(timeout=30)
        asyncio.run_coroutine_threadsafe(app.sender.flush(), loop).result(timeout=30)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()
        monkeypatch.setattr(scheduler, "start", original)


@pytest.fixture
def week(tmp_path: Path, dovecot: Dovecot, smtp_capture: SmtpCapture) -> Iterator[tuple[App, Clock]]:
    """A week of traffic processed on Tuesday and Thursday; the first run (Monday
    after the digest's hour) only records the scheduler's baseline."""
    clock = Clock(at(23, 8, 30))
    app = build_app(tmp_path, dovecot=dovecot, smtp=smtp_capture, clock=clock)
    asyncio.run(app.run_once())
    for raw in (post(1, MATHIEU, "Formulaire de mission : un par action ?", at(24, 9, 12)),
                post(2, SANDRINE, "Formulaire de mission : un par action ?", at(24, 11, 40), 1),
                post(0, MATHIEU, "Semaine dernière", at(20, 9, 0))):
        dovecot.append("bot", LIST_FOLDER, raw)
    for name in ("other-question-to-bot", "proof-emargement-and-mission-form"):
        dovecot.append("bot", "INBOX", sample("inbox", name))
    clock.now = at(24, 12)
    asyncio.run(app.run_once())
    for raw in (post(3, KARIM, "Formulaire de mission : un par action ?", at(25, 8, 5), 1, 2),
                post(4, CLAIRE, "[GO] Logistique du 2 avril", at(26, 14, 30)),
                post(5, PASCALE, "Ordre du jour du GT", at(25, 17, 0)),
                post(6, YANN, "Ordre du jour du GT", at(26, 10, 20), 5),
                post(7, "inconnu@exemple.fr", "Question sur l'AMI", at(26, 20, 15))):
        dovecot.append("bot", LIST_FOLDER, raw)
    for name in ("malformed-missing-from", "proof-ticket-sncf-tresorerie"):
        dovecot.append("bot", "INBOX", sample("inbox", name))
    clock.now = at(26, 21)
    asyncio.run(app.run_once())
    yield app, clock


def test_monday_digest_of_a_real_week_line_by_line(week: tuple[App, Clock],
                                                   smtp_capture: SmtpCapture) -> None:
    app, clock = week
    assert digests(smtp_capture) == []  # nothing before Monday 08:00
    clock.now = at(30, 8).replace(second=30)
    summary = asyncio.run(app.run_once())
    assert "digest" in summary.jobs
    [mail] = digests(smtp_capture)
    assert mail.rcpt_tos == ["cotech-qpv@habitatparticipatif-france.fr"]
    assert mail.message["Subject"] == \
        "[QPV] Synthèse de la semaine (2 à traiter) — du 23 mars 2026 au 30 mars 2026"
    nb = "\u00a0"
    lines = text_of(mail)
    assert lines[:5] == [
        "Bonjour,",
        "",
        "Voici la synthèse du robot pour la période du lundi 23 mars 2026 à 08h00 au "
        "lundi 30 mars 2026 à 08h00.",
        "",
        f"En bref{nb}: 7 messages sur la liste (GO{nb}: 2 fils, GT{nb}: 1 fil), 1 non classé, "
        "2 à traiter, 1 relance envoyée.",
    ]
    assert section(lines, "À TRAITER PAR UNE PERSONNE (2)") == [
        "- mar. 24 mars, karim.belkacem@orange.fr — "
        f"«{nb}Question remboursement billet retour{nb}»{nb}: aucune règle ne s'applique",
        "- jeu. 26 mars, expéditeur inconnu [quarantaine] — "
        f"«{nb}Numerisation 02/12/2021 10:41{nb}»{nb}: pas d'expéditeur (From) utilisable",
    ]
    assert section(lines, "FILS DU GO (2)") == [
        f"- «{nb}Formulaire de mission : un par action ?{nb}»{nb}: 3 messages — "
        "Mathieu Lefort, Sandrine Nguyen, Karim Belkacem",
        f"- «{nb}Logistique du 2 avril{nb}»{nb}: 1 message — Claire Bérard",
    ]
    assert section(lines, "FILS DU GT (1)") == [
        f"- «{nb}Ordre du jour du GT{nb}»{nb}: 2 messages — Pascale Martin, Yann Le Goff"]
    assert section(lines, "MESSAGES NON CLASSÉS (1)") == [
        f"- jeu. 26 mars, inconnu@exemple.fr — «{nb}Question sur l'AMI{nb}»"]
    # Dossiers: as the proofs domain computed them from the proofs filed this week.
    with Session(app.engine) as s:
        dossiers = compute_dossiers(s, app.settings)
    assert dossiers is not None
    started = [d for d in dossiers if d.first_proof_at]
    assert {d.name for d in started} == {"Julien Roux", "Karim Belkacem"}
    heads = [line for line in lines if line.startswith(tuple(d.name + " — " for d in dossiers))]
    assert heads == ["Julien Roux — complet", "Karim Belkacem — incomplet · trésorerie difficile"]
    idle = sorted((d.name for d in dossiers if not d.first_proof_at), key=collect.sort_key)
    assert f"Sans aucun justificatif{nb}: {', '.join(idle)}." in lines
    assert f"Journées de sensibilisation facturables{nb}: 1 (600,00{nb}€ HT)" in lines
    [reminder] = section(lines, "RELANCES ENVOYÉES (1)")
    assert reminder.startswith("- jeu. 26 mars, Karim Belkacem — billets à facturer sans "
                               f"attendre{nb}: ")
    assert section(lines, "ABONNEMENTS") == ["Aucun changement."]
    html = mail.message.get_body(("html",))
    assert html is not None and "Synthèse de la semaine" in str(html.get_content())  # type: ignore[attr-defined]


def test_restart_does_not_resend_and_a_missed_monday_is_caught_up(
        week: tuple[App, Clock], tmp_path: Path, dovecot: Dovecot,
        smtp_capture: SmtpCapture, monkeypatch: pytest.MonkeyPatch) -> None:
    app, clock = week
    clock.now = at(30, 8, 5)
    run_daemon(app, monkeypatch)  # the daemon starts at 08:05: catches up Monday's digest
    assert len(digests(smtp_capture)) == 1
    clock.now = at(30, 8, 6)
    run_daemon(build_app(tmp_path, dovecot=dovecot, smtp=smtp_capture, clock=clock), monkeypatch)  # restart
    assert len(digests(smtp_capture)) == 1
    clock.now = at(8, 11, month=4)  # down from Monday 30 March to Wednesday 8 April
    run_daemon(build_app(tmp_path, dovecot=dovecot, smtp=smtp_capture, clock=clock), monkeypatch)
    run_daemon(build_app(tmp_path, dovecot=dovecot, smtp=smtp_capture, clock=clock), monkeypatch)
    first, late = digests(smtp_capture)
    assert late.message["Subject"] == \
        "[QPV] Synthèse de la semaine — du 30 mars 2026 au 8 avril 2026"
    assert text_of(late)[2] == ("Voici la synthèse du robot pour la période du lundi 30 mars "
                                "2026 à 08h05 au mercredi 8 avril 2026 à 11h00.")
