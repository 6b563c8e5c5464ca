"""The layout-agnostic ticket reader on the failure classes of issue #12,
written by hand (not by the generator), plus the generator's dev split and
KItinerary's SNCF inputs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from mailbot.tickets import extract_from_email, extract_from_pdf_text
from mailbot.tickets.lines import chrome_lines, classify, station_like
from mailbot.tickets.microdata import microdata_items
from mailbot.tickets.references import booking_reference, order_number
from tests.support.ticketgen import FAMILIES, HELDOUT_FAMILIES, build

KIT = Path(__file__).resolve().parents[2] / "fixtures" / "kitinerary"


def legs(result: object) -> list[tuple[str | None, ...]]:
    assert result is not None
    return [(leg.amount_eur, leg.date, leg.origin, leg.destination, leg.reference, leg.carrier)
            for leg in result.legs]  # type: ignore[attr-defined]


OUISNCF_TEXT = """---------- Forwarded message ---------
De : OUI.sncf <confirmation@oui.sncf>
Date: mer. 27 oct. 2021 à 09:31
Subject: Confirmation de votre commande
To: <claire.martin@example.org>

Bonjour Claire Martin,
Merci d'avoir réservé sur OUI.sncf.
Référence de votre dossier : QKZ7RT

Aller : mer. 17 nov.
Paris Gare De Lyon -> Marseille Saint-Charles
Départ 06h28 - Arrivée 09h45
TGV INOUI 6101
Prix : 79,00 €

Retour : ven. 19 nov.
Marseille Saint-Charles -> Paris Gare De Lyon
Départ 17h04 - Arrivée 20h21
TGV INOUI 6114
Prix : 72,00 €

Offre valable jusqu'au 31/12/2021.
Total payé : 151,00 €
"""


def test_ouisncf_text_flattening_with_arrows_and_title_case() -> None:
    result = extract_from_email(sender=None, subject="Fwd: Confirmation de votre commande",
                                text=OUISNCF_TEXT, html="", message_date=date(2021, 10, 27))
    assert legs(result) == [
        ("79.00", "2021-11-17", "Paris Gare De Lyon", "Marseille Saint-Charles", "QKZ7RT", "SNCF"),
        ("72.00", "2021-11-19", "Marseille Saint-Charles", "Paris Gare De Lyon", "QKZ7RT", "SNCF"),
    ]


OUISNCF_HTML = """<div dir="ltr"><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">
---------- Forwarded message ---------<br>De : <b>OUI.sncf</b> &lt;confirmation@oui.sncf&gt;<br>
Date: mer. 27 oct. 2021 à 09:31<br>Subject: Confirmation de votre commande<br>To: &lt;c@example.org&gt;<br>
</div><table width="600"><tr><td>Votre référence de dossier : <b>QKZ7RT</b></td></tr></table>
<table><tr><td colspan="3"><b>Aller</b></td></tr><tr><td colspan="3">Mercredi 17 novembre</td></tr>
<tr><td>06h28</td><td>PARIS GARE DE LYON</td><td rowspan="2">TGV INOUI<br>6101</td></tr>
<tr><td>09h45</td><td>MARSEILLE ST CHARLES</td></tr>
<tr><td></td><td>Prix</td><td>79,00&nbsp;€</td></tr>
<tr><td colspan="3"><b>Retour</b></td></tr><tr><td colspan="3">Vendredi 19 novembre</td></tr>
<tr><td>17h04</td><td>MARSEILLE ST CHARLES</td><td rowspan="2">TGV INOUI<br>6114</td></tr>
<tr><td>20h21</td><td>PARIS GARE DE LYON</td></tr>
<tr><td></td><td>Prix</td><td>72,00&nbsp;€</td></tr>
<tr><td></td><td><b>Total payé</b></td><td><b>151,00&nbsp;€</b></td></tr></table></div></div>"""


def test_ouisncf_html_table_forwarded_from_gmail() -> None:
    result = extract_from_email(sender="amo@example.org", subject="Fwd: Confirmation",
                                text=OUISNCF_TEXT, html=OUISNCF_HTML, message_date=date(2021, 10, 27))
    assert legs(result) == [
        ("79.00", "2021-11-17", "PARIS GARE DE LYON", "MARSEILLE ST CHARLES", "QKZ7RT", "SNCF"),
        ("72.00", "2021-11-19", "MARSEILLE ST CHARLES", "PARIS GARE DE LYON", "QKZ7RT", "SNCF"),
    ]


TRAINLINE = """<p>Bonjour Claire,</p><p>Numéro de commande : 8734-2291-55</p>
<p>Référence SNCF (PNR) : HZP2LD</p>
<h3>Aller</h3><p>mer. 17 nov. 2021</p><p>06:28 Paris Gare de Lyon → 09:45 Marseille Saint-Charles</p>
<p>TGV INOUI 6101</p><p>Billet : 45,00 €</p>
<h3>Retour</h3><p>ven. 19 nov. 2021</p><p>17:04 Marseille Saint-Charles → 20:21 Paris Gare de Lyon</p>
<p>TGV INOUI 6114</p><p>Billet : 52,50 €</p>
<p>Frais de service : 1,99 €</p><p><b>Total : 99,49 €</b></p>"""


def test_trainline_pnr_is_the_reference_and_the_fee_belongs_to_no_leg() -> None:
    result = extract_from_email(sender="confirmation@info.thetrainline.com", subject="Votre e-billet",
                                text="", html=TRAINLINE, message_date=date(2021, 10, 27))
    assert legs(result) == [
        ("45.00", "2021-11-17", "Paris Gare de Lyon", "Marseille Saint-Charles", "HZP2LD", "SNCF"),
        ("52.50", "2021-11-19", "Marseille Saint-Charles", "Paris Gare de Lyon", "HZP2LD", "SNCF"),
    ]


def test_trainline_round_trip_total_never_lands_on_one_leg() -> None:
    html = TRAINLINE.replace("<p>Billet : 45,00 €</p>", "").replace("<p>Billet : 52,50 €</p>", "")
    result = extract_from_email(sender=None, subject="Votre e-billet Trainline", text="", html=html,
                                message_date=date(2021, 10, 27))
    assert result is not None
    assert [leg.amount_eur for leg in result.legs] == [None, None]
    assert result.total_eur == "97.50"


OUIGO = """OUIGO
Référence de votre réservation : 9TTW1R
Voyageur : Thomas Keller
TRAJET ALLER
mardi 14 novembre 2023
06:28 Paris Gare de Lyon
Train N° 7805
09:52 Marseille Saint-Charles
19,00 €
Option bagage : 5,00 €
Montant total payé : 24,00 €
"""


def test_ouigo_reference_label_total_paid_and_colon_times() -> None:
    result = extract_from_pdf_text(OUIGO, message_date=date(2023, 11, 20))
    assert legs(result) == [
        ("19.00", "2023-11-14", "Paris Gare de Lyon", "Marseille Saint-Charles", "9TTW1R", "OUIGO")]


INTERCITES = """INTERCITÉS                         E-BILLET
Dossier : KLM9PQ
Titulaire : Claire Martin
Trajet : Paris Austerlitz → Limoges Bénédictins
Date du voyage : 17/11/2021
Départ 07h31 - Arrivée 10h49          Train INTERCITÉS 3603
Tarif : 34,00 €
Service client SNCF : 3635
"""


def test_intercites_ebillet_is_not_a_tgv() -> None:
    result = extract_from_pdf_text(INTERCITES, message_date=date(2021, 11, 20))
    assert legs(result) == [
        ("34.00", "2021-11-17", "Paris Austerlitz", "Limoges Bénédictins", "KLM9PQ", "Intercités")]


def test_connection_is_one_leg_first_to_last_station() -> None:
    text = ("E-BILLET SNCF\nRéférence de dossier : ABC123\nJeudi 18 novembre 2021\n"
            "06h16 STRASBOURG\nTGV INOUI 2402\n08h02 PARIS EST\nCorrespondance\n"
            "08h34 PARIS EST\nTGV INOUI 7611\n10h40 RENNES\nPrix : 112,00 €\n")
    result = extract_from_pdf_text(text, message_date=date(2021, 11, 20))
    assert legs(result) == [("112.00", "2021-11-18", "STRASBOURG", "RENNES", "ABC123", "SNCF")]


def test_a_route_summary_is_no_journey_and_stations_beat_cities() -> None:
    text = ("Votre réservation est confirmée\nParis → Lyon\nRéférence de réservation : ABC123\n"
            "Aller le jeudi 18 novembre 2021\nDépart 07:04 Paris Gare de Lyon (Hall 1)\n"
            "TGV INOUI n°6603\nArrivée 09:01 Lyon Part-Dieu\n59,00 €\n"
            "Retour le vendredi 19 novembre 2021\nDépart 18:00 Lyon Part-Dieu\nTGV INOUI n°6620\n"
            "Arrivée 19:56 Paris Gare de Lyon\n61,00 €\nPrix total 120,00 €\n")
    result = extract_from_email(sender=None, subject="Confirmation", text=text, html="",
                                message_date=date(2021, 11, 1))
    assert legs(result) == [
        ("59.00", "2021-11-18", "Paris Gare de Lyon", "Lyon Part-Dieu", "ABC123", "SNCF"),
        ("61.00", "2021-11-19", "Lyon Part-Dieu", "Paris Gare de Lyon", "ABC123", "SNCF"),
    ]


def test_one_sentence_per_leg_and_a_price_before_the_date() -> None:
    text = ("Référence de votre dossier : PLM8KJ\n"
            "Aller\n79,00 €\n"
            "Paris Gare de Lyon → Marseille Saint-Charles, le mercredi 17 novembre 2021 à 06h28\n"
            "TGV INOUI 6101\n"
            "Retour\n72,00 €\n"
            "Marseille Saint-Charles → Paris Gare de Lyon, le vendredi 19 novembre 2021 à 17h04\n"
            "TGV INOUI 6114\nTotal : 151,00 €\n")
    result = extract_from_email(sender=None, subject="Votre voyage", text=text, html="",
                                message_date=date(2021, 11, 1))
    assert legs(result) == [
        ("79.00", "2021-11-17", "Paris Gare de Lyon", "Marseille Saint-Charles", "PLM8KJ", "SNCF"),
        ("72.00", "2021-11-19", "Marseille Saint-Charles", "Paris Gare de Lyon", "PLM8KJ", "SNCF"),
    ]


def test_pipes_and_labelled_stops_with_dates() -> None:
    piped = ("OUIGO\nRéférence de votre réservation : OQK7ZD\n"
             "Aller : mar. 14 nov. 2023 | 07:52 Paris Gare de Lyon → 11:05 Marseille Saint-Charles | Train n°7805\n"
             "Prix du trajet : 19,00 €\nMontant total payé : 19,00 €\n")
    labelled = ("E-BILLET SNCF\nDossier de voyage : QKZ7RT\nDépart : 17/11/2021 à 06h28 - PARIS GARE DE LYON\n"
                "Arrivée : 17/11/2021 à 09h45 - MARSEILLE ST CHARLES\nTGV INOUI 6101\nPrix : 79,00 €\n")
    assert legs(extract_from_pdf_text(piped, message_date=date(2023, 11, 20))) == [
        ("19.00", "2023-11-14", "Paris Gare de Lyon", "Marseille Saint-Charles", "OQK7ZD", "OUIGO")]
    assert legs(extract_from_pdf_text(labelled, message_date=date(2021, 11, 20))) == [
        ("79.00", "2021-11-17", "PARIS GARE DE LYON", "MARSEILLE ST CHARLES", "QKZ7RT", "SNCF")]


def test_dated_stop_lines_without_markers_and_remarks_after_stations() -> None:
    text = ("Billet SNCF\nRéférence de dossier : ZX81QA\n"
            "17 nov. 2021 - 06h28 - Paris Gare de Lyon (Hall 1)\n17 nov. 2021 - 09h45 - Marseille Saint-Charles\n"
            "TGV INOUI 6101\n19 nov. 2021 - 17h04 - Marseille Saint-Charles\n"
            "19 nov. 2021 - 20h21 - Paris Gare de Lyon\nTGV INOUI 6114\nTotal : 151,00 €\n")
    result = extract_from_pdf_text(text, message_date=date(2021, 11, 20))
    assert [leg[1:4] for leg in legs(result)] == [
        ("2021-11-17", "Paris Gare de Lyon", "Marseille Saint-Charles"),
        ("2021-11-19", "Marseille Saint-Charles", "Paris Gare de Lyon")]
    assert result is not None and result.total_eur == "151.00"


def test_a_reply_attribution_date_is_no_travel_date() -> None:
    text = ("Le mer. 27 oct. 2021 à 09:31, OUI.sncf <confirmation@oui.sncf> a écrit :\n"
            + OUISNCF_TEXT.split("\n\n", 1)[1])
    result = extract_from_email(sender=None, subject="Re: Confirmation", text=text, html="",
                                message_date=date(2021, 10, 28))
    assert [leg[1] for leg in legs(result)] == ["2021-11-17", "2021-11-19"]


def test_per_leg_prices_in_a_summary_after_the_journeys() -> None:
    html = (TRAINLINE.replace("<p>Billet : 45,00 €</p>", "").replace("<p>Billet : 52,50 €</p>", "")
            .replace("<p>Frais de service", "<h4>Récapitulatif</h4><p>Aller 45,00 €</p><p>Retour 52,50 €</p>"
                     "<p>Frais de service"))
    result = extract_from_email(sender=None, subject="Votre e-billet Trainline", text="", html=html,
                                message_date=date(2021, 10, 27))
    assert [leg[0] for leg in legs(result)] == ["45.00", "52.50"]


def test_weekday_before_a_numeric_date_and_labelled_times() -> None:
    text = ("OUIGO\nRéférence de votre réservation\nABX4TZ\nLun. 15/11/2021\nDépart 06:28\n"
            "Marne-la-Vallée Chessy\nArrivée 09:52\nMarseille Saint-Charles\nPrix 25 €\n"
            "Montant total payé 25 €\n")
    result = extract_from_email(sender=None, subject="Fwd: billet", text=text, html="",
                                message_date=date(2021, 11, 10))
    assert legs(result) == [
        ("25.00", "2021-11-15", "Marne-la-Vallée Chessy", "Marseille Saint-Charles", "ABX4TZ", "OUIGO")]


def test_justificatif_de_voyage() -> None:
    text = ("JUSTIFICATIF DE VOYAGE\nRéf : PDO65V\nÉmis le 27/08/2023\n"
            "Voyageur 1 : THOMAS KELLER - Carte Avantage Adulte\n"
            "Aller : Le Mans - Paris Austerlitz\nLe 02/09/2023 à 06:58\nINTERCITÉS 3866 - 2nde classe\n"
            "Prix : 93,20 €\nMontant total TTC : 93,20 €\ndont TVA 10 % : 7,18 €\n")
    result = extract_from_pdf_text(text, message_date=date(2023, 9, 10))
    assert legs(result) == [
        ("93.20", "2023-09-02", "Le Mans", "Paris Austerlitz", "PDO65V", "Intercités")]


def test_kitinerary_legacy_text_matches_its_expected_fields() -> None:
    text = (KIT / "sncf_one-leg-single-tgv.txt").read_text("utf-8")
    theirs = json.loads((KIT / "sncf_one-leg-single-tgv.txt.json").read_text("utf-8"))[0]
    result = extract_from_pdf_text(text, message_date=date(2017, 12, 29))
    assert legs(result) == [("35.00", theirs["reservationFor"]["departureTime"][:10],
                             theirs["reservationFor"]["departureStation"]["name"],
                             theirs["reservationFor"]["arrivalStation"]["name"],
                             theirs["reservationNumber"], "SNCF")]


def test_kitinerary_barcode_payload() -> None:
    text = (KIT / "ticket-barcode-single-leg.txt").read_text("utf-8")
    result = extract_from_pdf_text(text, message_date=date(2017, 12, 29))
    assert legs(result) == [(None, "2018-07-31", "FRXYT", "FRMPL", "XXX007", "SNCF")]


@pytest.mark.parametrize(("text", "pnr", "order"), [
    ("Numéro de commande : 113-285-516\nRéférence de réservation SNCF : EFBK5H", "EFBK5H", "113-285-516"),
    ("Référence Trainline : TL8H3K2P\nPNR : QWE456", "QWE456", None),
    ("PASSAGER\nRéférence de dossier\nTHOMAS KELLER\nHZP2LD", "HZP2LD", None),
    ("Référence client : 0011223344556677889", None, None),
    ("Votre numéro de réservation est : ABCDEF", "ABCDEF", None),
])
def test_references(text: str, pnr: str | None, order: str | None) -> None:
    assert booking_reference(text) == pnr
    if order:
        assert order_number(text) == order


@pytest.mark.parametrize(("line", "station"), [
    ("Paris Montparnasse 1 et 2", True), ("Aix-en-Provence TGV", True), ("INTERCITÉS 4377", False),
    ("Échangeable, remboursable", False), ("Voiture 16 - Place 105", False), ("Bon voyage !", False),
])
def test_station_like(line: str, station: bool) -> None:
    assert station_like(line) is station


def test_a_forward_header_date_is_no_travel_date() -> None:
    lines = ["Début du message réexpédié :", "De: SNCF <a@oui.sncf>", "Objet: Confirmation",
             "Date: 13 février 2023 à 14:25:08 UTC+1", "À: amo@example.org", "Aller : 05/03"]
    assert chrome_lines(lines) == {0, 1, 2, 3, 4}
    assert classify("Aller : 05/03", message_date=date(2023, 2, 13)).anchor == date(2023, 3, 5)


def test_microdata_reservations_are_read_first() -> None:
    html = """<div itemscope itemtype="http://schema.org/TrainReservation">
      <meta itemprop="reservationNumber" content="MDT4PX">
      <div itemprop="reservationFor" itemscope itemtype="http://schema.org/TrainTrip">
        <div itemprop="departureStation" itemscope itemtype="http://schema.org/TrainStation">
          <span itemprop="name">Lyon Part-Dieu</span></div>
        <div itemprop="arrivalStation" itemscope itemtype="http://schema.org/TrainStation">
          <span itemprop="name">Grenoble</span></div>
        <time itemprop="departureTime" datetime="2021-11-17T08:12:00+01:00">17/11 08h12</time>
      </div></div><p>Prix : 23,10 €</p>"""
    assert microdata_items(html)[0]["reservationNumber"] == "MDT4PX"
    result = extract_from_email(sender=None, subject="Votre billet TER", text="", html=html,
                                message_date=date(2021, 11, 10))
    assert legs(result)[0][1:5] == ("2021-11-17", "Lyon Part-Dieu", "Grenoble", "MDT4PX")


@pytest.mark.parametrize("family", sorted(set(FAMILIES) - HELDOUT_FAMILIES))
def test_generated_dev_documents_are_read_right(family: str) -> None:
    from bench.tickets_accuracy import read

    for seed in range(3):
        sample = build(family, seed)
        result = read(sample)
        assert result is not None, sample.name
        assert [leg.to_dict() | {"passenger": None} for leg in result.legs] == [
            exp | {"passenger": None} for exp in sample.expected], sample.name
