"""The address-refresh campaign with a frozen clock: start on the configured date,
answers (keep, new address, STOP, unclear), what never counts as an answer,
reminders, the deadline, the COTECH report, apply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from mailbot.app import App
from mailbot.models import Member
from mailbot.models.subscriptions import RefreshEntry
from mailbot.subscriptions import refresh
from mailbot.subscriptions.jobs import refresh_step
from tests.support.clock import Clock
from tests.support.subscriptions_kit import (
    COTECH,
    SYMPA,
    db,
    feed,
    member,
    outbox,
    reply,
    rows,
    text_of,
)

CLAIRE = "claire.berard@terrhab-conseil.fr"
THOMAS = "thomas.keller@laposte.net"
NATHALIE = "nathalie.perrin@np-conseil.fr"
FABIENNE = "fabienne.roussel@hp-aura.org"


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 1, 7, 0, tzinfo=UTC))


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app(extra="[refresh]\nstart = 2026-03-02\n")


def step(app: App) -> str:
    return asyncio.run(refresh_step(app.services))


def entry(app: App, address: str) -> RefreshEntry:
    return next(e for e in rows(app, RefreshEntry) if e.address == address)


def request_to(app: App, address: str) -> object:
    return next(r for r in outbox(app, "refresh_request") if r.to_addr == address)


def test_campaign_end_to_end(app: App, clock: Clock) -> None:
    assert step(app) == "aucune campagne"  # the day before the configured start
    clock.advance(days=1)
    assert step(app).startswith("campagne ouverte (18 abonnés)")
    assert step(app) == "rien à faire"  # idempotent
    requests = outbox(app, "refresh_request")
    assert len(requests) == 18
    claire = next(r for r in requests if r.to_addr == CLAIRE)
    reference = entry(app, CLAIRE).reference
    assert claire.subject == f"[QPV] Confirmez votre adresse (réf. {reference})"
    assert claire.message_id.startswith(f"refresh.{reference}.")
    assert "«\u00a0OK\u00a0»" in text_of(claire)

    # answers: keep, new address, an out-of-office with the reference, a bounce
    feed(app, reply(claire, CLAIRE, "Bonjour,\n\nC'est toujours la bonne adresse.\n\nClaire"))
    thomas = next(r for r in requests if r.to_addr == THOMAS)
    feed(app, reply(thomas, THOMAS, "merci de la remplacer par thomas@keller-habitat.fr"))
    nathalie = next(r for r in requests if r.to_addr == NATHALIE)
    feed(app, reply(nathalie, NATHALIE, "Je suis en congés, contactez helene@x.fr",
                    headers={"Auto-Submitted": "auto-replied"},
                    subject=f"Réponse automatique : {nathalie.subject}"))
    feed(app, read_receipt(NATHALIE, nathalie.subject, nathalie.message_id))
    fab = next(r for r in requests if r.to_addr == FABIENNE)
    feed(app, bounce_for(FABIENNE, fab.raw))
    states = {e.address: e.state for e in rows(app, RefreshEntry)}
    assert states[CLAIRE] == "kept" and states[THOMAS] == "changing"
    assert states[NATHALIE] == "pending" and states[FABIENNE] == "bounced"
    assert outbox(app, to=NATHALIE)[1:] == []  # nothing but the campaign mail itself
    [conf] = outbox(app, "confirm_change_address")
    assert conf.to_addr == "thomas@keller-habitat.fr"
    feed(app, reply(conf, "thomas@keller-habitat.fr", "oui"))
    assert entry(app, THOMAS).state == "changed"
    assert member(app, "thomas@keller-habitat.fr").group == "GO"  # type: ignore[union-attr]

    # reminders: only pending entries, once per due reminder
    clock.advance(days=7)
    assert step(app) == "15 relance(s)"
    assert step(app) == "rien à faire"
    reminded = {r.to_addr for r in outbox(app, "refresh_reminder")}
    assert CLAIRE not in reminded and FABIENNE not in reminded and NATHALIE in reminded
    first = outbox(app, "refresh_reminder")[0]
    assert first.subject.startswith("[QPV] Rappel\u00a0: confirmez votre adresse (réf. ")
    clock.advance(days=7)
    assert step(app) == "15 relance(s)"

    # deadline: silent ones marked, one report to the COTECH
    clock.advance(days=7)
    assert step(app) == "campagne close; bilan envoyé au COTECH"
    assert step(app) == "rien à faire"
    [report] = outbox(app, "refresh_report")
    assert report.to_addr == COTECH and report.subject == "[QPV] Mise à jour des adresses\u00a0: bilan"
    assert "sans réponse\u00a0: 15" in text_of(report)
    assert entry(app, NATHALIE).state == "silent"
    assert member(app, NATHALIE).status == "active"  # type: ignore[union-attr]  (never by itself)

    # a late answer still counts, until apply
    feed(app, reply(outbox(app, "refresh_reminder", to=NATHALIE)[-1], NATHALIE, "OK"))
    assert entry(app, NATHALIE).state == "kept"
    with db(app) as s:
        from mailbot.mail.mailer import Mailer

        assert len(refresh.apply(Mailer(s, app.services), dry_run=True)) == 14
        removed = refresh.apply(Mailer(s, app.services))
    assert len(removed) == 14 and NATHALIE not in removed
    dels = [c for c in outbox(app, "sympa_command", to=SYMPA) if " DEL " in c.subject]
    assert len(dels) == 15  # 14 silent + Thomas's old address
    assert member(app, removed[0]).status == "left"  # type: ignore[union-attr]


def read_receipt(frm: str, subject: str, message_id: str) -> bytes:
    return (f"From: {frm}\nTo: preuves-qpv@habitatparticipatif-france.fr\nSubject: Lu : {subject}\n"
            f"Message-ID: <mdn-{message_id}>\nIn-Reply-To: <{message_id}>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=disposition-notification; boundary="m"\n\n'
            "--m\nContent-Type: text/plain\n\nVotre message a été lu.\n\n"
            "--m\nContent-Type: message/disposition-notification\n\n"
            f"Final-Recipient: rfc822; {frm}\nDisposition: manual-action/MDN-sent-manually; displayed\n"
            "\n--m--\n").encode()


def bounce_for(address: str, original: bytes) -> bytes:
    boundary = "b0unce"
    return (
        f"From: MAILER-DAEMON@mx.habitatparticipatif-france.fr (Mail Delivery System)\n"
        f"To: preuves-qpv@habitatparticipatif-france.fr\nSubject: Undelivered Mail Returned to Sender\n"
        f"Auto-Submitted: auto-replied\nMessage-ID: <b-{address}@mx>\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
        f"--{boundary}\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
        f"Final-Recipient: rfc822; {address}\nAction: failed\nStatus: 5.1.1\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 User unknown\n\n"
        f"--{boundary}\nContent-Type: message/rfc822\n\n"
    ).encode() + original + f"\n--{boundary}--\n".encode()


def test_stop_unclear_and_unknown_answers(app: App, clock: Clock) -> None:
    clock.advance(days=1)
    step(app)
    feed(app, reply(request_to(app, CLAIRE), CLAIRE, "STOP"))  # type: ignore[arg-type]
    assert entry(app, CLAIRE).state == "left"
    assert member(app, CLAIRE).status == "left"  # type: ignore[union-attr]
    [dele] = outbox(app, "sympa_command")
    assert dele.subject == f"QUIET DEL qpv-hpf {CLAIRE}"
    feed(app, reply(request_to(app, THOMAS), THOMAS, "Je ne sais pas trop, à voir."))  # type: ignore[arg-type]
    [unclear] = outbox(app, "refresh_result", to=THOMAS)
    assert "pas compris" in unclear.subject and entry(app, THOMAS).state == "pending"
    status = {r["address"]: r for r in refresh.status_rows(*_latest(app))}
    assert CLAIRE not in status  # no longer a subscriber
    assert set(status[THOMAS]) == {"address", "state", "reference", "answered_at", "new_address"}


def _latest(app: App) -> tuple[object, object]:
    with db(app) as s:
        return s, refresh.latest(s)


def test_manual_start_and_no_second_campaign(app: App) -> None:
    with db(app) as s:
        from mailbot.mail.mailer import Mailer

        refresh.start(Mailer(s, app.services), "cli")
        with pytest.raises(refresh.RefreshError):
            refresh.start(Mailer(s, app.services), "cli")
    with db(app) as s:
        assert s.get(Member, 1) is not None
    assert len(outbox(app, "refresh_request")) == 18
