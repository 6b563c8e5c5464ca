"""Free-text commands (pure): French and English wordings, only the first lines
of the new text, never quoted text, signatures, HTML-only mail; references."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest

from mailbot.mime.parse import Limits, parse_message
from mailbot.subscriptions import tokens
from mailbot.subscriptions.commands import (
    clean_subject,
    is_refusal,
    list_command,
    parse_command,
    parse_refresh_reply,
)

ME = "a.b@example.org"


@pytest.mark.parametrize("subject,text,action", [
    ("Inscription liste QPV", "Bonjour,\nJe souhaiterais être inscrite à la liste.", "subscribe"),
    ("", "Pourriez-vous m'inscrire à la liste de diffusion ?", "subscribe"),
    ("subscribe", "", "subscribe"),
    ("Hello", "Please subscribe me, thanks", "subscribe"),
    ("", "Je voudrais rejoindre la liste QPV", "subscribe"),
    ("unsubscribe", "", "unsubscribe"),
    ("Désinscription", "", "unsubscribe"),
    ("RE: TR: désinscription svp", "", "unsubscribe"),
    ("", "Merci de me retirer de la liste qpv-hpf.", "unsubscribe"),
    ("", "STOP", "unsubscribe"),
    ("", "Je ne souhaite plus recevoir les messages de la liste", "unsubscribe"),
    ("Question", "Please remove me from the list", "unsubscribe"),
    ("", "Je me désabonne, merci", "unsubscribe"),
    ("aide", "", "help"),
    ("help", "", "help"),
    ("Bonjour", "Quand a lieu la prochaine réunion ?", "unknown"),
])
def test_wordings(subject: str, text: str, action: str) -> None:
    assert parse_command(subject, text, ME).action == action


@pytest.mark.parametrize("text,new", [
    ("Bonjour,\nÀ partir du 1er décembre, ma nouvelle adresse est y.l@reseau.bzh (merci).", "y.l@reseau.bzh"),
    ("My new email address is john@new.example.", "john@new.example"),
    ("Merci d'utiliser désormais marie@nouveau.fr pour la liste.", "marie@nouveau.fr"),
    ("Changement d'adresse : remplacez-la par <x@y.fr>", "x@y.fr"),
])
def test_change_of_address_finds_the_new_address(text: str, new: str) -> None:
    cmd = parse_command("", text, ME)
    assert cmd.action == "change_address" and cmd.new_address == new


def test_change_without_an_address_asks_for_it() -> None:
    cmd = parse_command("Changement d'adresse", "Je change bientôt d'adresse.", ME)
    assert cmd.action == "change_address" and cmd.new_address is None


def test_quoted_text_and_signature_do_not_count() -> None:
    text = ("Bonjour,\nQuand a lieu la réunion ?\n-- \nMarie\nPour me désinscrire : unsubscribe\n"
            "> merci de me retirer de la liste\n")
    assert parse_command("Question", text, ME).action == "unknown"
    many = "\n".join(f"ligne {i}" for i in range(12)) + "\nmerci de me désinscrire"
    assert parse_command("Question", many, ME).action == "unknown"  # only the first lines


def test_named_address_and_ignored_ones() -> None:
    cmd = parse_command("", "Merci d'ajouter ma collègue marie@x.fr à la liste", ME)
    assert cmd.action == "subscribe" and cmd.address == "marie@x.fr"
    cmd = parse_command("", f"ma nouvelle adresse est {ME}", ME)
    assert cmd.new_address is None  # the sender's own address is never the "new" one


def html_only(subject: str, html: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = ME
    msg["To"] = "bot@example.org"
    msg["Subject"] = subject
    msg["Message-ID"] = "<h@example.org>"
    msg.set_content(html, subtype="html")
    return bytes(msg)


def test_html_only_mail() -> None:
    raw = html_only("Re: liste", "<div>Bonjour,<br>merci de me <b>désinscrire</b>.</div>"
                    "<blockquote>inscription</blockquote>")
    msg = parse_message(raw, Limits(max_bytes=10**7))
    assert parse_command(msg.subject, msg.text, ME).action == "unsubscribe"


@pytest.mark.parametrize("text,kind", [
    ("OK", "keep"), ("oui", "keep"), ("Bonjour,\nC'est toujours la bonne adresse.\nClaire", "keep"),
    ("Yes, still valid", "keep"), ("", "keep"),
    ("merci de la remplacer par thomas@keller-habitat.fr", "change"),
    ("nouvelle adresse : t@k.fr", "change"),
    ("STOP", "stop"), ("je ne souhaite plus recevoir les messages", "stop"),
    ("Je ne sais pas", "unclear"),
])
def test_refresh_answers(text: str, kind: str) -> None:
    assert parse_refresh_reply(text, ignore=[ME]).kind == kind


def test_refresh_answer_ignores_the_old_address_in_the_quote() -> None:
    text = f"Bonjour,\n\nOK pour moi.\n\n> avec l'adresse {ME}\n> Référence : K7Q2-9XHD\n"
    assert parse_refresh_reply(text, ignore=[ME]).kind == "keep"


def test_refusals() -> None:
    assert is_refusal("Non, ce n'est pas moi")
    assert is_refusal("I did not ask for this, cancel please")
    assert not is_refusal("Je confirme mon inscription.")


def test_list_commands_are_strict() -> None:
    assert list_command("[qpv-hpf] unsubscribe", "").action == "unsubscribe"  # type: ignore[union-attr]
    assert list_command("Re: [qpv-hpf] réunion", "désinscription").action == "unsubscribe"  # type: ignore[union-attr]
    assert list_command("[qpv-hpf] Inscription à l'atelier du 12", "Ouvert à tous") is None
    assert list_command("[qpv-hpf] Inscription", "Ouverte jusqu'au 10 mars") is None
    assert list_command("[qpv-hpf] Compte rendu", "Merci de me désinscrire de l'atelier\n"
                        "Le CR est joint.\nVoir aussi le planning.\nBonne journée.\nA+") is None


def test_clean_subject() -> None:
    assert clean_subject("RE: TR: [qpv-hpf] Fwd: Désinscription") == "Désinscription"


def test_references() -> None:
    drawn = {tokens.draw() for _ in range(200)}
    assert len(drawn) == 200
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", r) for r in drawn)
    assert not any(c in "".join(drawn) for c in "01ILO")
    assert tokens.in_text("Re: (réf. k7q2-9xhd)", "K7Q2-9XHD et 7MWX-3KQD") == ["K7Q2-9XHD", "7MWX-3KQD"]
    assert tokens.in_text("ABCD-1234") == []  # 1 is not in the alphabet
    assert tokens.in_thread(["<refresh.K7Q2-9XHD.20211206093000@x>", "<other@x>"]) == ["K7Q2-9XHD"]
