"""Proof kinds: rules/30-proof-kinds.toml over real documents, logos, forwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.decide.facts import FIELDS, Context
from mailbot.mime.parse import parse_message
from mailbot.proofs.kinds import RESULTS, STAGE, Item, decide, items_of
from mailbot.decide.rules import RuleSet, load_rules
from tests.support.helpers import ROOT
from tests.support.proofmail import (
    File, attendance_pdf, docx, invoice_pdf, logo, mission_form_pdf, photo, proof_mail,
    report_pdf, ticket_pdf,
)
from tests.support.ticketpdfs import LegSpec, encrypted_pdf, html_as_pdf, ouigo_pdf, scanned_pdf, ter_pdf

OWN = {"karim.belkacem@orange.fr"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(ROOT / "rules", FIELDS)


def kinds_of(rules: RuleSet, raw: bytes) -> dict[str, str]:
    msg = parse_message(raw)
    items, _ = items_of(msg, OWN, "Karim Belkacem")
    decide(rules, msg, Context(role="inbox"), items)
    return {i.name: i.kind for i in items}


def items(rules: RuleSet, raw: bytes) -> list[Item]:
    msg = parse_message(raw)
    found, _ = items_of(msg, OWN, "Karim Belkacem")
    decide(rules, msg, Context(role="inbox"), found)
    return found


def test_rule_file_results_are_known_kinds(rules: RuleSet) -> None:
    stage = rules.stage(STAGE)
    assert len(stage) >= 20
    assert {r.result for r in stage} <= RESULTS
    assert all(r.description for r in stage)


def test_kinds_from_the_documents_titles_with_meaningless_names(rules: RuleSet) -> None:
    """GIVEN real PDFs named doc1..doc5 THEN each kind comes from the document itself."""
    raw = proof_mail(files=[File("doc1.pdf", attendance_pdf()), File("doc2.pdf", mission_form_pdf()),
                            File("doc3.pdf", report_pdf()), File("doc4.pdf", invoice_pdf()),
                            File("doc5.pdf", ticket_pdf())])
    assert kinds_of(rules, raw) == {
        "doc1.pdf": "attendance_sheet", "doc2.pdf": "mission_form", "doc3.pdf": "meeting_report",
        "doc4.pdf": "invoice", "doc5.pdf": "train_ticket"}


@pytest.mark.parametrize("name, kind", [
    ("Feuille d'émargement 26-11.pdf", "attendance_sheet"),
    ("Formulaire de mission - Villeneuve.pdf", "mission_form"),
    ("CR Empalot 2-12-2021.pdf", "meeting_report"),
    ("reunion_CR_mai.pdf", "meeting_report"),
    ("Facture 2021-014.pdf", "invoice"),
    ("e-billet TQWZ4H.pdf", "train_ticket"),
    ("Remerciements bailleur.pdf", "thank_you"),
])
def test_kinds_from_file_names_of_textless_scans(rules: RuleSet, name: str, kind: str) -> None:
    raw = proof_mail(text="Bonjour, voici.", files=[File(name, scanned_pdf())])
    assert kinds_of(rules, raw) == {name: kind}


def test_mission_form_mentioning_other_proofs_stays_a_mission_form(rules: RuleSet) -> None:
    raw = proof_mail(files=[File("scan.pdf", mission_form_pdf())])
    assert kinds_of(rules, raw) == {"scan.pdf": "mission_form"}


def test_every_ticket_layout_is_a_train_ticket(rules: RuleSet) -> None:
    from datetime import date
    leg = LegSpec("LYON PART DIEU", "GRENOBLE", date(2024, 10, 14), price="21,40 €")
    raw = proof_mail(files=[File("a.pdf", ouigo_pdf(legs=[leg])), File("b.pdf", ter_pdf(legs=[leg])),
                            File("c.pdf", ticket_pdf())])
    found = items(rules, raw)
    assert [i.kind for i in found] == ["train_ticket"] * 3
    assert [i.ticket.layout for i in found if i.ticket] == ["ouigo_pdf", "ter", "sncf_inoui"]


def test_logo_calendar_and_signature_images_are_not_proofs(rules: RuleSet) -> None:
    raw = proof_mail(files=[File("logo-atelier.png", logo(), "image/png", inline=True),
                            File("image001.png", logo(), "image/png"),
                            File("invitation.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                 "text/calendar")])
    assert set(kinds_of(rules, raw).values()) == {"none"}


def test_photos_of_an_attendance_sheet(rules: RuleSet) -> None:
    """GIVEN two phone photos, one inline as iOS sends them, and a message about the
    émargement THEN both are attendance sheets (a big inline image is not a logo)."""
    raw = proof_mail(text="Voici les photos de la feuille d'émargement.",
                     files=[File("IMG_2041.jpg", photo(400_000), "image/jpeg", inline=True),
                            File("IMG_2042.HEIC", photo(300_000), "image/jpeg")])
    assert set(kinds_of(rules, raw).values()) == {"attendance_sheet"}


def test_unknown_photo_is_other(rules: RuleSet) -> None:
    raw = proof_mail(text="Bonjour, voici.", files=[File("IMG_1.jpg", photo(300_000), "image/jpeg")])
    assert kinds_of(rules, raw) == {"IMG_1.jpg": "other"}


def test_docx_report_is_read(rules: RuleSet) -> None:
    raw = proof_mail(files=[File("notes.docx", docx(["Compte-rendu de la réunion du 2 décembre",
                                                     "Participants : 12"]), DOCX)])
    assert kinds_of(rules, raw) == {"notes.docx": "meeting_report"}


def test_files_that_do_not_open_are_unusable_with_the_reason(rules: RuleSet) -> None:
    """Issue 12: never a proof, whatever the name says; the reason is for the acknowledgement."""
    raw = proof_mail(text="Bonjour, voici.", files=[File("billet.pdf", encrypted_pdf()),
                                                     File("facture.pdf", html_as_pdf())])
    found = items(rules, raw)
    assert [i.kind for i in found] == ["unusable", "unusable"]
    assert "mot de passe" in found[0].problems[0]
    assert found[1].content_type == "text/html"
    assert found[1].problems[0].startswith("ce n'est pas un PDF mais une page web (HTML)")


def forward(author: str, body: str, sender: str = "karim.belkacem@orange.fr") -> bytes:
    text = ("Bonjour,\n\nje vous transfère ce message.\n\n"
            "---------- Forwarded message ---------\n"
            f"De : {author}\nDate: mer. 24 nov. 2021 à 17:32\nSubject: Rencontre\n"
            f"To: Karim Belkacem <{sender}>\n\n{body}\n")
    return proof_mail(subject="Fwd: Rencontre", text=text)


def test_forwarded_thank_you(rules: RuleSet) -> None:
    raw = forward("Sophie Vasseur <sophie.vasseur@hns-habitat.fr>",
                  "Je tenais à vous remercier pour la présentation de mardi.")
    [item] = items(rules, raw)
    assert item.kind == "thank_you" and item.forward_from == "sophie.vasseur@hns-habitat.fr"
    assert b"Je tenais" in item.data


def test_thank_you_written_by_the_amo_herself_is_not_one(rules: RuleSet) -> None:
    raw = forward("Karim Belkacem <karim.belkacem@orange.fr>",
                  "Merci beaucoup pour votre accueil hier soir !")
    assert [i.kind for i in items(rules, raw)] == ["none"]


def test_forward_that_thanks_nobody_is_not_a_proof(rules: RuleSet) -> None:
    raw = forward("Bailleur <contact@bailleur.fr>", "La réunion est déplacée à jeudi.")
    assert [i.kind for i in items(rules, raw)] == ["none"]


def test_rule_order_is_data(tmp_path: Path) -> None:
    """GIVEN a rules directory whose only proof_kind rule says every PDF is an invoice
    THEN that is what the items become: the kinds come from the files, not the code."""
    (tmp_path / "30.toml").write_text(
        'schema = 1\nstage = "proof_kind"\n[[rule]]\nname = "all"\n'
        'all = [{ field = "item_type", equals = "application/pdf" }]\nresult = "invoice"\n',
        encoding="utf-8")
    custom = load_rules(tmp_path, FIELDS)
    raw = proof_mail(files=[File("a.pdf", report_pdf())])
    assert kinds_of(custom, raw) == {"a.pdf": "invoice"}


def test_forwarded_ouigo_booking_mail_is_a_ticket(rules: RuleSet) -> None:
    text = ("Bonjour, voici mon billet (pas de PDF).\n\n"
            "-------- Message transféré --------\n"
            "Sujet :\tVotre réservation OUIGO\n"
            "De :\tOUIGO <ne-pas-repondre@pasngr.ouigo.com>\n\n"
            "Merci d'avoir choisi OUIGO.\n"
            "Votre numéro de réservation est : OQK7ZD\n"
            "mardi 14 novembre 2023\n07h52 Paris Gare de Lyon\nTRAIN N° 7805\n"
            "11h05 Marseille Saint-Charles\nPrix : 19,00 €\n")
    [item] = items(rules, proof_mail(subject="Fwd: Votre réservation OUIGO", text=text))
    assert item.kind == "train_ticket" and item.rule == "ticket-read"
    assert item.ticket is not None and item.ticket.legs[0].amount_eur == "19.00"
    assert item.forward_from == "ne-pas-repondre@pasngr.ouigo.com"


def test_forwarded_sncf_connect_html_without_pdf_is_a_ticket(rules: RuleSet) -> None:
    """Gmail inline forward of an SNCF Connect confirmation: the legs are in the HTML."""
    trip = ('<div><p data-select="travel-summary-origin">Paris Gare de Lyon</p>'
            '<p data-select="travel-summary-destination">Lyon Part Dieu</p>'
            '<p data-select="travel-departureDate">12 août 2024 à 17:50</p>'
            '<p>Référence : <strong data-select="travel-summary-reference">QJX5KB</strong></p>'
            '<p data-select="travel-summary-price">45,00&nbsp;€</p></div>')
    header = ("---------- Forwarded message ---------\nDe : SNCF Connect <noreply@connect.sncf>\n"
              "Date: lun. 29 juil. 2024 à 10:02\nSubject: Confirmation de votre commande\n"
              "To: Karim Belkacem <karim.belkacem@orange.fr>\n\n")
    text = f"Bonjour, mon billet.\n\n{header}Votre voyage Paris - Lyon\n"
    html = (f"<div>Bonjour, mon billet.</div><div class=gmail_quote>{header.replace(chr(10), '<br>')}"
            f"{trip}<p class=\"transaction__total-amount-value\">45,00&nbsp;€</p></div>")
    [item] = items(rules, proof_mail(subject="Fwd: Confirmation de votre commande", text=text,
                                     html=html))
    assert item.kind == "train_ticket" and item.ticket is not None
    assert item.ticket.layout == "sncf_connect_email"
    assert [(leg.origin, leg.amount_eur, leg.reference) for leg in item.ticket.legs] == [
        ("Paris Gare de Lyon", "45.00", "QJX5KB")]
