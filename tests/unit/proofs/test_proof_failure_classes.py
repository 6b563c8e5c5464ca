"""Issue 12, one test per failure class, through the proof handler (Maildir in, outbox out):
documents as mail clients send them, files that are not usable proofs, duplicates by
content, an invoice that includes the ticket, acknowledgements past the daily cap."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from mailbot.app import App
from mailbot.models import OutboxMessage
from mailbot.models.core import utcnow
from mailbot.models.proofs import Proof, TicketLeg
from mailbot.proofs import grouped
from mailbot.proofs.dossiers import dossier_for
from tests.support.clientmail import Doc, Thanks, apple, gmail, outlook, thunderbird
from tests.support.proofmail import (File, attendance_pdf, proof_mail, report_pdf,
                                     ticket_pdf)
from tests.support.ticketpdfs import encrypted_pdf, html_as_pdf, text_pdf, truncated_pdf

KARIM = "karim.belkacem@orange.fr"


@pytest.fixture
def bot(app: App, tmp_path: Path) -> Callable[..., App]:
    """deliver(raw, ...) into the inbox Maildir then run once; the same App across calls."""
    inbox = tmp_path / "maildir" / "inbox" / "new"
    counter = iter(range(1, 10_000))

    def run(*raws: bytes) -> App:
        for raw in raws:
            (inbox / f"{next(counter):05d}.x").write_bytes(raw)
        asyncio.run(app.run_once())
        return app

    return run


def proofs(app: App) -> list[Proof]:
    with Session(app.engine) as s:
        return list(s.exec(select(Proof).order_by(Proof.id)).all())  # type: ignore[arg-type]


def outbox(app: App) -> list[OutboxMessage]:
    with Session(app.engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())  # type: ignore[arg-type]


def text_of(row: OutboxMessage) -> str:
    mail = email.message_from_bytes(row.raw, policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def dossier(app: App) -> Any:
    with Session(app.engine) as s:
        return dossier_for(s, app.settings, KARIM)


# --- attachments as clients send them -----------------------------------------------------------


@pytest.mark.parametrize("build", [apple, gmail, outlook, thunderbird])
def test_each_client_s_files_are_found_and_filed(bot: Callable[..., App], build: Any) -> None:
    app = bot(build("c1", [Doc("emargement.pdf", attendance_pdf(), "attendance_sheet"),
                           Doc("CR.pdf", report_pdf(), "meeting_report")]).raw)
    assert sorted(p.kind for p in proofs(app)) == ["attendance_sheet", "meeting_report"]


def test_an_iphone_pdf_inline_between_text_parts_is_a_proof(bot: Callable[..., App]) -> None:
    app = bot(apple("ip", [Doc("e-billet.pdf", ticket_pdf(), "train_ticket")]).raw)
    [proof] = proofs(app)
    assert proof.kind == "train_ticket" and dossier(app).tickets_total_eur == 151
    assert "« e-billet.pdf »".replace(" ", "\u00a0") in text_of(outbox(app)[0])


@pytest.mark.parametrize("build", [outlook, thunderbird])
def test_files_inside_a_forward_as_attachment_keep_their_provenance(bot: Callable[..., App],
                                                                     build: Any) -> None:
    thanks = Thanks("Sophie Marchand", "s.marchand@centresocial-nord.fr", "Merci",
                    "Merci beaucoup pour votre intervention.")
    app = bot(build("fa", [Doc("emargement.pdf", attendance_pdf(), "attendance_sheet")], [thanks],
                    as_attachment=True).raw)
    kinds = {p.kind: p for p in proofs(app)}
    assert set(kinds) == {"attendance_sheet", "thank_you"}
    assert kinds["thank_you"].forward_from == "s.marchand@centresocial-nord.fr"


# --- files that are not usable proofs -----------------------------------------------------------


@pytest.mark.parametrize("doc, why", [
    (Doc("billet.pdf", encrypted_pdf(user_password="secret"), "unusable"), "mot de passe"),
    (Doc("billet.pdf", html_as_pdf(), "unusable"), "page web (HTML)"),
    (Doc("billet.pdf", truncated_pdf(ticket_pdf(), 0.5), "unusable"), "incomplet"),
    (Doc("billet.pdf", ticket_pdf(), "unusable", b64="stray"), "pendant l'envoi"),
    (Doc("billet.pdf", ticket_pdf(), "unusable", b64="cut"), "pendant l'envoi"),
    (Doc("billet.pdf", ticket_pdf(), "unusable", b64="padding"), "pendant l'envoi"),
])
def test_an_unusable_file_is_kept_never_counted_and_named(bot: Callable[..., App], doc: Doc,
                                                          why: str) -> None:
    app = bot(gmail("u1", [doc, Doc("CR.pdf", report_pdf(), "meeting_report")]).raw)
    kept = {p.filename: p for p in proofs(app)}
    assert kept["billet.pdf"].kind == "unusable" and why in kept["billet.pdf"].problems
    assert (app.settings.files_dir / kept["billet.pdf"].sha256[:2]).is_dir()  # stored, never lost
    d = dossier(app)
    assert d.tickets == [] and d.tickets_total_eur == 0 and "train_ticket" not in d.proofs_by_kind
    text = text_of(outbox(app)[0])
    assert "billet.pdf" in text and why in text and "copie lisible" in text


def test_only_unusable_files_still_get_an_answer_naming_them(bot: Callable[..., App]) -> None:
    app = bot(gmail("u2", [Doc("billet.pdf", encrypted_pdf(user_password="x"), "unusable")]).raw)
    text = text_of(outbox(app)[0])
    assert "billet.pdf" in text and "mot de passe" in text and "copie lisible" in text


# --- duplicates by content -----------------------------------------------------------------------


def test_a_re_downloaded_ticket_is_the_same_ticket(bot: Callable[..., App]) -> None:
    first = ticket_pdf()
    again = ticket_pdf(issued=datetime(2021, 11, 18).date())  # other bytes, same booking
    assert first != again
    bot(proof_mail(files=[File("billet.pdf", first)]))
    app = bot(proof_mail(files=[File("billet (1).pdf", again)]))
    one, two = proofs(app)
    assert two.duplicate_of_id == one.id and dossier(app).tickets_total_eur == 151


def test_an_invoice_listing_the_ticket_as_debours_does_not_count_it_twice(
        bot: Callable[..., App]) -> None:
    invoice = text_pdf(["Belkacem AMO (EI)", "Note n° 2021-031 du 30/11/2021",
                        "Journée de sensibilisation : 600,00 €",
                        "Débours : billet SNCF MARSEILLE ST CHARLES → PARIS GARE DE LYON",
                        "mercredi 17 novembre 2021, dossier TQWZ4H, 151,00 €",
                        "Total HT 751,00 €", "TVA non applicable, art. 293 B du CGI",
                        "Net à payer 751,00 €"])
    app = bot(proof_mail(files=[File("2021-031.pdf", invoice), File("billet.pdf", ticket_pdf())]))
    kinds = sorted(p.kind for p in proofs(app))
    assert kinds == ["invoice", "train_ticket"]
    d = dossier(app)
    assert d.tickets_total_eur == 151 and d.invoice_amount_eur == 751
    with Session(app.engine) as s:
        assert len(s.exec(select(TicketLeg)).all()) == 2


# --- acknowledgements past the daily cap -----------------------------------------------------------


def _thanks(n: int) -> bytes:
    return proof_mail(subject=f"TR: merci {n}", message_id=f"<thanks-{n}@orange.fr>",
                      text=(f"Bonjour,\n\n---------- Forwarded message ---------\n"
                            f"De : Habitante {n} <habitante{n}@gmail.com>\nSubject: Merci\n\n"
                            f"Merci beaucoup pour la réunion {n} !\n"))


def test_fifteen_forwards_past_the_cap_are_grouped_not_dropped(bot: Callable[..., App]) -> None:
    for n in range(15):
        app = bot(_thanks(n))
    rows = [r for r in outbox(app) if r.to_addr == KARIM]
    cap = app.settings.bot.max_replies_per_address_per_day
    assert sum(r.status in ("queued", "sent") for r in rows) == cap
    assert sum(r.status == "deferred" for r in rows) == 15 - cap
    assert not any(r.status == "suppressed" for r in rows)
    with Session(app.engine) as s:
        assert grouped.run(s, app.services).startswith("0")  # she is not quiet yet
        assert grouped.run(s, app.services, utcnow() + grouped.QUIET).startswith("1")
        s.commit()
    rows = [r for r in outbox(app) if r.to_addr == KARIM]
    [group] = [r for r in rows if r.kind == grouped.KIND]
    assert group.status in ("queued", "sent") and sum(r.status == "grouped" for r in rows) == 15 - cap
    text = text_of(group)
    assert all(f"habitante{n}@gmail.com" in text for n in range(cap, 15))
    assert "habitante0@gmail.com" not in text
    assert f"Votre message «\u00a0TR: merci {cap}\u00a0», reçu le" in text
    prose = re.sub(r"https?://\S+|mailto:\S+", "", text)
    assert not re.search(r"[^\s\u00a0\u202f][ ][:;!?](\s|$)", prose), "no-break space before : ; ! ?"
    with Session(app.engine) as s:
        assert grouped.run(s, app.services, utcnow() + grouped.QUIET).startswith("0")  # once


def test_the_cap_stays_strict_for_an_unauthenticated_sender(bot: Callable[..., App]) -> None:
    """No Authentication-Results of our server: trusted for filing, not for extra mail."""
    for n in range(12):
        raw = proof_mail(subject=f"merci {n}", message_id=f"<u{n}@orange.fr>",
                         files=[File(f"CR{n}.pdf", report_pdf())])
        app = bot(re.sub(rb"Authentication-Results:.*?\r\n(?=\S)", b"", raw, flags=re.S))
    assert len(proofs(app)) == 12
    rows = [r for r in outbox(app) if r.to_addr == KARIM]
    assert {r.status for r in rows} <= {"queued", "sent", "suppressed"}
    assert sum(r.status == "suppressed" for r in rows) == 2
    with Session(app.engine) as s:
        assert grouped.run(s, app.services, utcnow() + grouped.QUIET).startswith("0")
