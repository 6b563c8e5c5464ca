"""mailbot.mime.forwards: new text vs quotes, inline forwards in every client's format, HTML to text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.mime.forwards import (
    PARIS,
    is_reply_subject,
    parse_address_text,
    parse_loose_date,
    split_forward,
    split_text,
)
from mailbot.mime.htmltext import html_to_text
from mailbot.mime.incoming import Address

NBSP, NNBSP, BOM = "\u00a0", "\u202f", "\ufeff"

GMAIL = """Bonjour,

Voici le remerciement.

Mathieu

---------- Forwarded message ---------
De : Sophie Vasseur <sophie.vasseur@hns-habitat.fr>
Date: mer. 24 nov. 2021 à 17:32
Subject: Merci pour la rencontre de mardi
To: Mathieu Lefort <mathieu.lefort@gmail.com>


Bonjour Monsieur Lefort,
Merci.
"""

GMAIL_OLD_FR = f"""Bonjour, je vous transfère le remerciement.

---------- Message transféré ----------
De{NBSP}: Gaëlle Le Roux <g.leroux@nantes-habitat-solidaire.fr>
Date{NBSP}: mar. 30 nov. 2021 à 16:41
Objet{NBSP}: Rencontre du 29 novembre - merci
À{NBSP}: Élodie Marchand <elodie.marchand@hab-ensemble.fr>

Chère Madame Marchand,
"""

OUTLOOK_FR = """Pour info.

De : Lucie Morel <l.morel@bailleur-nord.fr>
Envoyé : mercredi 24 novembre 2021 17:32
À : Hélène Petit <h.petit@amo-petit.fr>
Objet : Merci pour la réunion de mardi

Madame,
"""

OUTLOOK_365 = """FYI

________________________________
From: Lucie Morel <l.morel@bailleur-nord.fr>
Sent: Wednesday, November 24, 2021 5:32 PM
To: Hélène Petit <h.petit@amo-petit.fr>
Subject: Merci pour la réunion

Madame,
"""

OUTLOOK_UNDERSCORES_FR = """Pour info.

________________________________
De : Lucie Morel [mailto:l.morel@bailleur-nord.fr]
Envoyé : lundi 22 novembre 2021 09:10
À : Hélène Petit
Objet : TR: Compte-rendu

Texte.
"""

APPLE_QUOTED = f"""Voici le billet.

Envoyé de mon iPhone

Début du message réexpédié{NNBSP}:

> De: Agence <resa@voyages-solidaires.fr>
> Date: 26 octobre 2021 à 14:25:08 UTC+3
> À: Sandrine Nguyen <s.nguyen@cooperer-habiter.coop>
> Objet: Votre billet retour
>
> Madame,
> Veuillez trouver ci-joint votre billet.
"""

IOS = """Je transfère.

Début du message transféré :

De: "Conseil citoyen" <conseil@example.org>
Date: 3 décembre 2021 à 10:05:00 UTC+1
À: moi@example.org
Objet: Merci

Merci pour tout.
"""

THUNDERBIRD_FR = """Bonjour,

-------- Message transféré --------
Sujet : \tMerci pour ce temps d'échange
Date : \tMon, 22 Nov 2021 19:04:12 +0100
De : \tNadège Colin <n.colin@cs-mermoz-lyon.fr>
Pour : \tClaire Bérard <claire.berard@terrhab-conseil.fr>



Bonsoir Claire,
"""

THUNDERBIRD_EN = """See below.

-------- Forwarded Message --------
Subject: \tThanks
Date: \tMon, 22 Nov 2021 19:04:12 +0100
From: \tNadège Colin <N.Colin@CS-Mermoz-Lyon.fr>
To: \tClaire <claire@example.org>

Thanks a lot.
"""

OPEN_XCHANGE = """ci-dessous le remerciement.

---------- Message d'origine ----------
De: Conseil citoyen du Neuhof <conseilcitoyen.neuhof@gmail.com>
À: Thomas Keller <thomas.keller@laposte.net>
Date: 27 novembre 2021 à 11:20
Objet: Remerciements

Bonjour Thomas,
"""

OPEN_XCHANGE_EN = """see below

---------- Original Message ----------
From: Farida <farida@example.org>
To: Thomas <thomas@example.org>
Date: November 27, 2021 at 11:20 AM
Subject: Thanks

Hello Thomas,
"""

YAHOO = """Je vous fais suivre.

----- Message transmis -----
De : Jean Dupont <jean.dupont@yahoo.fr>
À : Moi <moi@example.org>
Envoyé : vendredi 3 décembre 2021 à 10:05:11 UTC+1
Objet : Merci

Merci encore.
"""


@pytest.mark.parametrize(
    ("text", "email", "subject", "body_start"),
    [
        (GMAIL, "sophie.vasseur@hns-habitat.fr", "Merci pour la rencontre de mardi", "Bonjour Monsieur Lefort,"),
        (GMAIL_OLD_FR, "g.leroux@nantes-habitat-solidaire.fr", "Rencontre du 29 novembre - merci", "Chère Madame"),
        (OUTLOOK_FR, "l.morel@bailleur-nord.fr", "Merci pour la réunion de mardi", "Madame,"),
        (OUTLOOK_365, "l.morel@bailleur-nord.fr", "Merci pour la réunion", "Madame,"),
        (OUTLOOK_UNDERSCORES_FR, "l.morel@bailleur-nord.fr", "TR: Compte-rendu", "Texte."),
        (APPLE_QUOTED, "resa@voyages-solidaires.fr", "Votre billet retour", "Madame,"),
        (IOS, "conseil@example.org", "Merci", "Merci pour tout."),
        (THUNDERBIRD_FR, "n.colin@cs-mermoz-lyon.fr", "Merci pour ce temps d'échange", "Bonsoir Claire,"),
        (THUNDERBIRD_EN, "n.colin@cs-mermoz-lyon.fr", "Thanks", "Thanks a lot."),
        (OPEN_XCHANGE, "conseilcitoyen.neuhof@gmail.com", "Remerciements", "Bonjour Thomas,"),
        (OPEN_XCHANGE_EN, "farida@example.org", "Thanks", "Hello Thomas,"),
        (YAHOO, "jean.dupont@yahoo.fr", "Merci", "Merci encore."),
    ],
    ids=[
        "gmail", "gmail-old-fr", "outlook-fr", "outlook-365", "outlook-underscores-fr", "apple-quoted",
        "ios", "thunderbird-fr", "thunderbird-en", "open-xchange", "open-xchange-en", "yahoo",
    ],
)  # fmt: skip
def test_each_forward_format_is_recognised(text: str, email: str, subject: str, body_start: str) -> None:
    new, forwards = split_forward(text)
    assert len(forwards) == 1
    fwd = forwards[0]
    assert fwd.sender is not None and fwd.sender.email == email
    assert fwd.subject == subject
    assert fwd.body.startswith(body_start)
    assert "De" not in new and "From" not in new and "---" not in new
    assert new and new in text


def test_forward_headers_details() -> None:
    [fwd] = split_forward(GMAIL)[1]
    assert fwd.sender == Address("Sophie Vasseur", "sophie.vasseur@hns-habitat.fr")
    assert fwd.date == datetime(2021, 11, 24, 17, 32, tzinfo=PARIS)
    assert fwd.date_text == "mer. 24 nov. 2021 à 17:32"
    assert fwd.to == "Mathieu Lefort <mathieu.lefort@gmail.com>"
    assert fwd.marker == "forward"


def test_apple_quoted_forward_is_dequoted_and_dated_with_its_zone() -> None:
    [fwd] = split_forward(APPLE_QUOTED)[1]
    assert fwd.body == "Madame,\nVeuillez trouver ci-joint votre billet."
    assert fwd.date == datetime(2021, 10, 26, 14, 25, 8, tzinfo=timezone(timedelta(hours=3)))


def test_outlook_sender_in_brackets_and_without_address() -> None:
    [fwd] = split_forward(OUTLOOK_UNDERSCORES_FR)[1]
    assert fwd.sender == Address("Lucie Morel", "l.morel@bailleur-nord.fr")
    assert fwd.to == "Hélène Petit"


def test_bom_and_crlf_are_tolerated() -> None:
    new, forwards = split_forward(BOM + GMAIL.replace("\n", "\r\n"))
    assert new.startswith("Bonjour,")
    assert forwards[0].sender is not None


def test_nested_forwards_are_each_read() -> None:
    text = GMAIL + "\n---------- Forwarded message ---------\nFrom: Bob <bob@example.org>\nSubject: Earlier\n\nOld body\n"
    forwards = split_forward(text)[1]
    assert [f.sender.email for f in forwards if f.sender] == ["sophie.vasseur@hns-habitat.fr", "bob@example.org"]
    assert "Old body" not in forwards[0].body


# --- replies are quotes, never forwards ---------------------------------------------------------------


OUTLOOK_2019_REPLY = (
    BOM + "Bonjour,\r\n\r\nVoici ma facture corrigée.\r\n\r\n"
    f"Le 28/10/2021 12:46, «{NBSP}AMI QPV{NBSP}» <preuves-qpv@habitatparticipatif-france.fr> a écrit{NBSP}:\r\n\r\n"
    "    Bonjour Karim,\r\n    Il manque le SIRET.\r\n"
)


@pytest.mark.parametrize(
    "text",
    [
        OUTLOOK_2019_REPLY,
        "Oui.\n\nLe ven. 19 nov. 2021 à 09:42, Mathieu Lefort <mathieu.lefort@gmail.com>\na écrit :\n\n> Question ?\n",
        "Sure.\n\nOn Mon, Nov 22, 2021 at 7:04 PM Bob <bob@example.org> wrote:\n> Question?\n",
        "Oui.\n\n> Question ?\n> Suite\n",
    ],
    ids=["outlook-2019", "gmail-wrapped", "english", "bare-quote"],
)
def test_replies_go_to_quoted(text: str) -> None:
    result = split_text(text)
    assert result.forwards == []
    assert result.new in ("Bonjour,\n\nVoici ma facture corrigée.", "Oui.", "Sure.")
    assert result.quoted


def test_ambiguous_separator_is_a_quote_under_a_reply_subject() -> None:
    assert split_text(OPEN_XCHANGE, reply_hint=True).forwards == []
    assert split_text(OUTLOOK_FR, reply_hint=True).forwards == []
    assert split_text(OPEN_XCHANGE, reply_hint=True).new == "ci-dessous le remerciement."
    assert len(split_text(GMAIL, reply_hint=True).forwards) == 1  # explicit forward wins


def test_forward_inside_a_reply_quote_is_not_a_forward() -> None:
    text = "Merci.\n\nLe 3 déc. 2021 à 10:05, X <x@example.org> a écrit :\n> " + GMAIL.replace("\n", "\n> ")
    assert split_text(text).forwards == []


def test_bounce_copy_of_headers_is_not_an_outlook_block() -> None:
    text = (
        "Delivery failed.\n\n------ This is a copy of the message, including all the headers. ------\n\n"
        "Content-Type: text/plain\nFrom: Bot <bot@example.org>\nTo: x@example.org\nSubject: Hi\n"
        "Message-ID: <1@example.org>\n\nHello\n"
    )
    result = split_text(text)
    assert result.forwards == [] and result.new == "Delivery failed."


def test_text_without_markers_is_all_new() -> None:
    assert split_text("Bonjour,\nDe : moi\nÀ bientôt\n") == split_text("Bonjour,\nDe : moi\nÀ bientôt")
    assert split_text("Bonjour,\nDe : moi\nÀ bientôt").new == "Bonjour,\nDe : moi\nÀ bientôt"


@pytest.mark.parametrize(
    ("subject", "reply"),
    [("RE: x", True), ("Re : x", True), (f"RE{NBSP}: x", True), ("[qpv-hpf] Re: x", True), ("TR: x", False),
     ("Fwd: x", False), ("Réponse automatique : x", False), ("x", False)],
)  # fmt: skip
def test_is_reply_subject(subject: str, reply: bool) -> None:
    assert is_reply_subject(subject) is reply


# --- dates and addresses as clients print them ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mer. 24 nov. 2021 à 17:32", datetime(2021, 11, 24, 17, 32, tzinfo=PARIS)),
        ("Mon, 22 Nov 2021 19:04:12 +0100", datetime(2021, 11, 22, 19, 4, 12, tzinfo=timezone(timedelta(hours=1)))),
        ("26 octobre 2021 à 14:25:08 UTC+3", datetime(2021, 10, 26, 14, 25, 8, tzinfo=timezone(timedelta(hours=3)))),
        ("lundi 29 novembre 2021 10:22", datetime(2021, 11, 29, 10, 22, tzinfo=PARIS)),
        ("28/10/2021 12:46", datetime(2021, 10, 28, 12, 46, tzinfo=PARIS)),
        ("Wednesday, November 24, 2021 5:32 PM", datetime(2021, 11, 24, 17, 32, tzinfo=PARIS)),
        ("1er décembre 2021", datetime(2021, 12, 1, tzinfo=PARIS)),
        ("demain", None),
        ("31/02/2021", None),
    ],
)
def test_parse_loose_date(text: str, expected: datetime | None) -> None:
    assert parse_loose_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sophie Vasseur <Sophie.Vasseur@hns-habitat.fr>", Address("Sophie Vasseur", "sophie.vasseur@hns-habitat.fr")),
        ('"Morel, Lucie" <l.morel@b.fr>', Address("Morel, Lucie", "l.morel@b.fr")),
        (f"«{NBSP}X{NBSP}» <x@example.org>", Address("X", "x@example.org")),
        ("Lucie Morel [mailto:l.morel@b.fr]", Address("Lucie Morel", "l.morel@b.fr")),
        ("l.morel@b.fr", Address("", "l.morel@b.fr")),
        ("Lucie Morel", None),
    ],
)
def test_parse_address_text(text: str, expected: Address | None) -> None:
    assert parse_address_text(text) == expected


# --- HTML to text -------------------------------------------------------------------------------------------


def test_html_to_text_keeps_lines_and_drops_head_style_script() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body><script>var x=1;</script>"
        "<div>Bonjour,</div><div><br></div><p>ligne&nbsp;1<br>ligne 2</p><table><tr><td>a</td><td>b</td></tr>"
        "<tr><td>c</td></tr></table><ul><li>un</li><li>deux</li></ul></body></html>"
    )
    assert html_to_text(html) == f"Bonjour,\n\nligne{NBSP}1\nligne 2\na b\nc\n- un\n- deux"


def test_html_to_text_quotes_blockquotes_and_survives_an_unclosed_head() -> None:
    html = "<head><meta charset=utf-8><body><div>Oui.</div><blockquote><div>Question ?</div></blockquote>"
    assert html_to_text(html) == "Oui.\n> Question ?"
    result = split_text(html_to_text(html))
    assert result.new == "Oui." and result.quoted == "> Question ?"


def test_html_to_text_on_outlook_markup() -> None:
    html = (
        '<!--[if !mso]><style>v\\:* {behavior:url(#default#VML);}</style><![endif]-->'
        '<p class="MsoNormal">Je confirme.<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
        '<p class="MsoNormal"><b><span>De&nbsp;:</span></b> Bot &lt;bot@example.org&gt;<br>'
        "<b>Envoyé&nbsp;:</b> lundi 29 novembre 2021 10:22<br><b>Objet&nbsp;:</b> Confirmez</p>"
    )
    text = html_to_text(html)
    assert text.startswith("Je confirme.\n\nDe\u00a0: Bot <bot@example.org>\nEnvoyé\u00a0: lundi")
    assert split_text(text).forwards[0].sender == Address("Bot", "bot@example.org")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("De:À>-_ \n\t\u00a0abc<>@.«»Le a écrit"))), st.booleans())
def test_split_text_never_raises(text: str, reply_hint: bool) -> None:
    result = split_text(text, reply_hint=reply_hint)
    assert isinstance(result.new, str) and isinstance(result.quoted, str)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_html_to_text_never_raises(html: str) -> None:
    assert isinstance(html_to_text(html), str)
