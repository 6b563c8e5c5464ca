"""The proof handler end to end on the embedded default (Maildir in, outbox table out):
attribution, holds, duplicates, funded flag, dossier, acknowledgement text and CLI."""

from __future__ import annotations

import asyncio
import email
import email.policy
import io
import json
import re
import zipfile
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from mailbot import members
from mailbot.app import App
from mailbot.cli import main as cli_main
from mailbot.models import OutboxMessage, ProcessedMessage
from mailbot.models.proofs import DossierFlags, Proof, ProofHold, TicketLeg
from mailbot.proofs.dossiers import compute_dossiers, dossier_for
from tests.support.apps import build_app
from tests.support.clock import Clock
from tests.support.proofmail import (
    File, attendance_pdf, invoice_pdf, logo, mission_form_pdf, proof_mail, report_pdf, ticket_pdf,
)
from tests.support.ticketpdfs import encrypted_pdf, scanned_pdf

KARIM = "karim.belkacem@orange.fr"
START = datetime(2021, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def bot(tmp_path: Path) -> Callable[..., Any]:
    """deliver(raw, ...) then run once; returns the App (same one across calls)."""
    app = build_app(tmp_path, clock=Clock(START, tick=timedelta(minutes=1)))
    maildir, cfg = tmp_path / "maildir", tmp_path / "config.toml"
    counter = iter(range(1, 10_000))

    def run(*raws: bytes) -> App:
        for raw in raws:
            (maildir / "inbox" / "new" / f"{next(counter):05d}.x").write_bytes(raw)
        asyncio.run(app.run_once())
        return app

    run.app = app  # type: ignore[attr-defined]
    run.config = cfg  # type: ignore[attr-defined]
    return run


def proofs(app: App, member: str | None = None) -> list[Proof]:
    with Session(app.engine) as s:
        stmt = select(Proof).order_by(Proof.id)  # type: ignore[arg-type]
        return [p for p in s.exec(stmt).all() if member is None or p.member_email == member]


def mails(app: App) -> list[EmailMessage]:
    with Session(app.engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
        return [email.message_from_bytes(r.raw, policy=email.policy.default)  # type: ignore[misc]
                for r in rows]


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def to(mail: EmailMessage) -> str:
    return str(mail["To"].addresses[0].addr_spec)


def html_of(mail: EmailMessage) -> str:
    body = mail.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def rows(app: App) -> list[ProcessedMessage]:
    with Session(app.engine) as s:
        return list(s.exec(select(ProcessedMessage).order_by(ProcessedMessage.id)).all())  # type: ignore[arg-type]


def dossier(app: App, member: str = KARIM) -> Any:
    with Session(app.engine) as s:
        return dossier_for(s, app.settings, member)


# --- acknowledgement ----------------------------------------------------------------------------


def test_ticket_is_filed_read_and_acknowledged_in_french(bot: Callable[..., App]) -> None:
    app = bot(proof_mail(subject="billet", text="Bonjour,\nmon billet.\nJe suis un peu juste en "
                         "trésorerie ce mois-ci.", files=[File("e-billet TQWZ4H.pdf", ticket_pdf())]))
    [proof] = proofs(app)
    assert proof.kind == "train_ticket" and proof.member_email == KARIM
    assert (app.settings.files_dir / proof.sha256[:2] / proof.sha256[2:4] / proof.sha256).is_file()
    [mail] = mails(app)
    assert mail["Subject"] == "[QPV] Accusé de réception de vos justificatifs"
    assert to(mail) == KARIM and mail["Auto-Submitted"] == "auto-replied"
    text = text_of(mail)
    assert "Bonjour Karim," in text
    assert "MARSEILLE ST CHARLES → PARIS GARE DE LYON, mercredi 17 novembre 2021, 79,00\u00a0€" in text
    assert "dossier TQWZ4H (SNCF)" in text
    assert "à facturer\u00a0: 600,00\u00a0€ HT + 151,00\u00a0€ de billets de train" in text
    assert "trésorerie" in text and dossier(app).short_of_cash
    assert "le formulaire de mission" in text
    assert "<strong>600,00\u00a0€ HT + 151,00\u00a0€ de billets de train</strong>" in html_of(mail)


@pytest.mark.parametrize("part", ["text", "html"])
def test_french_typography_of_the_acknowledgement(bot: Callable[..., App], part: str) -> None:
    app = bot(proof_mail(subject="Remerciements", files=[
        File("CR.pdf", report_pdf()), File("chiffré.pdf", encrypted_pdf()),
        File("logo.png", logo(), "image/png", inline=True)]))
    [mail] = mails(app)
    body = text_of(mail) if part == "text" else html_of(mail)
    prose = re.sub(r"<[^>]+>|https?://\S+|mailto:\S+", "", body)
    assert not re.search(r"[^\s\u00a0\u202f][ ][:;!?](\s|$)", prose), "no-break space before : ; ! ?"
    assert not re.search(r"\d [€]", prose) and "« " not in prose and " »" not in prose


def test_html_part_escapes_what_senders_wrote(bot: Callable[..., App]) -> None:
    app = bot(proof_mail(subject="<script>alert(1)</script>",
                         files=[File("<img src=x onerror=alert(1)>.pdf", report_pdf())]))
    html = html_of(mails(app)[0])
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_unreadable_files_are_kept_and_said(bot: Callable[..., App]) -> None:
    """A scan opens (filed, text not read); a password-protected PDF and a web page named
    .pdf do not (kept, not counted, a readable copy asked: issue 12)."""
    app = bot(proof_mail(text="Bonjour, voici.", files=[
        File("chiffré.pdf", encrypted_pdf()), File("scan.pdf", scanned_pdf()),
        File("page.pdf", b"<!DOCTYPE html><html><body>billet</body></html>")]))
    assert sorted(p.kind for p in proofs(app)) == ["other", "unusable", "unusable"]
    text = text_of(mails(app)[0])
    assert "Ce que nous n'avons pas pu lire (les fichiers sont tout de même classés)" in text
    assert "aucun texte lisible" in text
    assert "Ces fichiers ne comptent pas comme justificatifs" in text
    assert "«\u00a0chiffré.pdf\u00a0»\u00a0: PDF protégé par un mot de passe" in text
    assert "«\u00a0page.pdf\u00a0»\u00a0: ce n'est pas un PDF mais une page web (HTML)" in text
    assert "copie lisible" in text


def test_logo_only_asks_for_the_files(bot: Callable[..., App]) -> None:
    app = bot(proof_mail(subject="Justificatifs", text="Veuillez trouver ci-joint mes justificatifs.",
                         files=[File("logo.png", logo(), "image/png", inline=True)]))
    assert proofs(app) == []
    [mail] = mails(app)
    assert mail["Subject"] == "[QPV] Aucun justificatif trouvé dans votre message"
    assert "logo.png" in text_of(mail) and "renvoyer vos justificatifs" in text_of(mail)


# --- duplicates -----------------------------------------------------------------------------


def test_same_file_twice_is_one_proof_and_the_ack_says_when(bot: Callable[..., App]) -> None:
    bot(proof_mail(subject="billet", files=[File("e-billet TQWZ4H.pdf", ticket_pdf())]))
    app = bot(proof_mail(subject="billet encore", files=[File("renvoi.pdf", ticket_pdf())]))
    first, second = proofs(app)
    assert second.duplicate_of_id == first.id
    assert dossier(app).tickets_total_eur == 151 and len(dossier(app).tickets) == 2
    text = text_of(mails(app)[1])
    assert "déjà présents dans votre dossier" in text
    assert "billet de train reçu le samedi 20 novembre 2021 à" in text
    assert "sous le nom «\u00a0e-billet TQWZ4H.pdf\u00a0»" in text
    assert "avec votre message «\u00a0billet\u00a0»" in text  # which mail brought it first


def test_same_ticket_as_another_file_is_one_proof(bot: Callable[..., App]) -> None:
    """GIVEN the same booking (reference, date, amounts) in a PDF with other bytes
    THEN it is a duplicate: not reimbursed twice."""
    bot(proof_mail(files=[File("a.pdf", ticket_pdf())]))
    app = bot(proof_mail(files=[File("b.pdf", ticket_pdf(issued=datetime(2021, 11, 6).date()))]))
    first, second = proofs(app)
    assert first.sha256 != second.sha256 and second.duplicate_of_id == first.id
    with Session(app.engine) as s:
        legs = s.exec(select(TicketLeg)).all()
    assert len(legs) == 4 and sum(leg.duplicate_of_id is not None for leg in legs) == 2
    assert dossier(app).tickets_total_eur == 151


def test_same_file_twice_in_one_message(bot: Callable[..., App]) -> None:
    pdf = report_pdf()
    app = bot(proof_mail(files=[File("CR.pdf", pdf), File("CR copie.pdf", pdf)]))
    assert [p.duplicate_of_id is None for p in proofs(app)] == [True, False]
    assert "en double dans ce message" in text_of(mails(app)[0])
    assert dossier(app).proofs_by_kind == {"meeting_report": 1}


# --- attribution, trust ---------------------------------------------------------------------


def personal(**kw: Any) -> bytes:
    return proof_mail(sender="elodie.marchand44@gmail.com", name="Elodie M",
                      text="Bonjour, je vous transfère depuis ma boîte perso.\n"
                           "Élodie Marchand - Habiter Ensemble Conseil", **kw)


def test_unknown_sender_is_held_answered_and_never_filed(bot: Callable[..., App]) -> None:
    app = bot(personal(files=[File("CR.pdf", report_pdf())]))
    [row] = rows(app)
    assert row.status == "held" and "expéditeur inconnu" in row.reason and row.member_email is None
    assert proofs(app) == [] and not app.settings.files_dir.exists()
    with Session(app.engine) as s:
        [hold] = s.exec(select(ProofHold)).all()
    assert hold.reason == "unknown_sender"
    assert hold.suggested_member == "elodie.marchand@hab-ensemble.fr"
    [mail] = mails(app)
    assert to(mail) == "elodie.marchand44@gmail.com"
    assert "elodie.marchand@hab-ensemble.fr" not in text_of(mail)  # the roster is not disclosed
    assert "n'est pas inscrite au programme" in text_of(mail)


def test_alias_files_under_the_roster_member(bot: Callable[..., App]) -> None:
    app = bot.app  # type: ignore[attr-defined]
    with Session(app.engine) as s:
        members.add_alias(s, "elodie.marchand@hab-ensemble.fr", "elodie.marchand44@gmail.com")
        s.commit()
    bot(personal(files=[File("CR.pdf", report_pdf())]))
    [proof] = proofs(app)
    assert proof.member_email == "elodie.marchand@hab-ensemble.fr"
    assert to(mails(app)[0]) == "elodie.marchand44@gmail.com"


def test_dmarc_fail_is_held_flagged_and_silent(bot: Callable[..., App]) -> None:
    app = bot(proof_mail(dmarc="fail", files=[File("facture.pdf", invoice_pdf())]))
    [row] = rows(app)
    assert row.status == "held" and "usurpation" in row.reason and row.member_email is None
    assert proofs(app) == [] and mails(app) == []
    with Session(app.engine) as s:
        assert [h.reason for h in s.exec(select(ProofHold)).all()] == ["untrusted"]


def test_forged_authentication_results_is_held(bot: Callable[..., App]) -> None:
    from tests.support.proofmail import auth_results
    app = bot(proof_mail(extra_ar=[auth_results("orange.fr")], files=[File("CR.pdf", report_pdf())]))
    assert rows(app)[0].status == "held" and "falsifié" in rows(app)[0].reason
    assert proofs(app) == []


def test_member_who_is_not_an_amo_is_held(bot: Callable[..., App]) -> None:
    app = bot(proof_mail(sender="pascale.martin@anct.gouv.fr", name="Pascale Martin",
                         files=[File("CR.pdf", report_pdf())]))
    assert rows(app)[0].status == "held" and proofs(app) == []
    assert "n'est pas celle d'un·e AMO" in text_of(mails(app)[0])


# --- dossier ----------------------------------------------------------------------------------


def test_funded_elsewhere_is_set_then_cleared(bot: Callable[..., App]) -> None:
    app = bot(proof_mail(text="Cette journée est financée par ailleurs.",
                         files=[File("CR.pdf", report_pdf())]))
    assert dossier(app).funded_elsewhere and dossier(app).fee_eur == 0
    text = text_of(mails(app)[0])
    assert "financée par ailleurs\u00a0: les 600,00\u00a0€ HT ne vous sont donc pas dus" in text
    bot(proof_mail(text="Correction : je ne suis pas financée par ailleurs.",
                   files=[File("emargement.pdf", attendance_pdf())]))
    assert not dossier(app).funded_elsewhere and dossier(app).fee_eur == 600
    assert "n'est pas financée par ailleurs" in text_of(mails(app)[1])
    with Session(app.engine) as s:
        [flags] = s.exec(select(DossierFlags)).all()
    assert "je ne suis pas" in flags.funded_evidence


def test_complete_dossier_and_matching_invoice(bot: Callable[..., App]) -> None:
    bot(proof_mail(files=[File("billet.pdf", ticket_pdf())]))
    app = bot(proof_mail(files=[File("formulaire.pdf", mission_form_pdf()),
                                File("emargement.pdf", attendance_pdf())]))
    d = dossier(app)
    assert d.complete and d.missing == [] and d.completed_at is not None
    assert "il est désormais complet pour la facturation" in text_of(mails(app)[1])
    assert "vous pouvez envoyer votre facture (600,00\u00a0€ HT + 151,00\u00a0€" in text_of(mails(app)[1])
    bot(proof_mail(files=[File("facture.pdf", invoice_pdf("751,00 €"))]))
    d = dossier(app)
    assert d.invoice_received and d.invoice_amount_eur == 751 and d.invoice_matches is True
    assert "conforme au montant attendu" in text_of(mails(app)[2])
    assert d.completed_at < d.last_proof_at
    with Session(app.engine) as s:
        everyone = compute_dossiers(s, app.settings)
    amos = [x.member_email for x in everyone]
    assert KARIM in amos and "pascale.martin@anct.gouv.fr" not in amos
    assert len(amos) == 9  # every GO member of the sample roster, empty dossiers included


def test_nothing_is_left_when_the_transaction_rolls_back(
        bot: Callable[..., App], monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN the handler failing after filing WHEN the transaction rolls back THEN no
    proof row exists; the same file sent again is filed once (the stored file is reused)."""
    import mailbot.handlers.proof as handler

    calls = {"n": 0}
    real = handler.dossier_for

    def failing(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("crash after filing")
        return real(*args)

    monkeypatch.setattr(handler, "dossier_for", failing)
    app = bot(proof_mail(files=[File("CR.pdf", report_pdf())]))
    assert rows(app)[0].status == "quarantined" and proofs(app) == [] and mails(app) == []
    bot(proof_mail(files=[File("CR.pdf", report_pdf())]))
    assert len(proofs(app)) == 1 and proofs(app)[0].duplicate_of_id is None


# --- CLI ---------------------------------------------------------------------------------------


def run_cli(cfg: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli_main(["--config", str(cfg), *args])
    return code, out.getvalue()


def test_cli_json_shapes_and_zip_export(bot: Callable[..., App], tmp_path: Path) -> None:
    bot(proof_mail(files=[File("e-billet TQWZ4H.pdf", ticket_pdf()),
                          File("../../Formulaire de mission.pdf", mission_form_pdf())]))
    cfg = bot.config  # type: ignore[attr-defined]
    code, out = run_cli(cfg, "proofs", "--member", KARIM, "--json")
    assert code == 0
    listed = json.loads(out)
    assert {"member", "kind", "message_id", "filename", "sha256", "received_at",
            "tickets"} <= set(listed[0])
    assert listed[0]["tickets"][0] == {
        "amount_eur": "79.00", "date": "2021-11-17", "origin": "MARSEILLE ST CHARLES",
        "destination": "PARIS GARE DE LYON", "reference": "TQWZ4H", "passenger": "KARIM BELKACEM",
        "carrier": "SNCF"}
    code, out = run_cli(cfg, "dossiers", "--json")
    karim = next(d for d in json.loads(out) if d["member"] == KARIM)
    assert karim == karim | {
        "name": "Karim Belkacem", "complete": False, "missing": ["attendance_sheet"],
        "funded_elsewhere": False, "fee_eur": "600.00", "tickets_total_eur": "151.00",
        "amount_due_eur": "751.00",
        "invoice": {"received": False, "amount_eur": None, "matches": None}}
    code, out = run_cli(cfg, "dossiers")
    assert code == 0 and "karim.belkacem@orange.fr" in out and "751,00" in out
    target = tmp_path / "export" / "karim.zip"
    code, out = run_cli(cfg, "dossier", "export", KARIM, "--zip", str(target))
    assert code == 0
    with zipfile.ZipFile(target) as z:
        names = z.namelist()
        assert names[:3] == ["resume.txt", "justificatifs.csv", "trajets.csv"]
        assert "justificatifs/01 - billet de train - e-billet TQWZ4H.pdf" in names
        assert all(".." not in n for n in names)
        assert "Montant dû : 751,00" in z.read("resume.txt").decode()
        assert z.read("trajets.csv").decode("utf-8-sig").count("TQWZ4H") == 2
    assert run_cli(cfg, "proofs", "--member", "nobody@example.org")[0] == 2


INVITE = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Atelier\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"


def test_proofs_beside_a_calendar_file_are_filed(bot: Callable[..., App]) -> None:
    # An AMO sends the meeting's invitation along with its attendance sheet: the sheet is a
    # proof (h12b's held-out miss). An invitation alone is still not a proof (next test).
    app = bot(proof_mail(subject="Atelier du 18", files=[
        File("invitation.ics", INVITE, ctype="text/calendar"),
        File("emargement.pdf", attendance_pdf())]))
    [row] = rows(app)
    assert row.category == "proof"
    assert [p.kind for p in proofs(app)] == ["attendance_sheet"]


def test_an_invitation_alone_is_not_a_proof(bot: Callable[..., App]) -> None:
    app = bot(proof_mail(subject="Atelier du 18", text="Bonjour, l'invitation.",
                         files=[File("invitation.ics", INVITE, ctype="text/calendar")]))
    [row] = rows(app)
    assert row.category == "other" and proofs(app) == []
