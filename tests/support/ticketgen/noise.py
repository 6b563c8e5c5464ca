"""The text real booking documents carry besides the booking: marketing,
conditions, passenger cards, VAT, durations, service numbers, other dates
and amounts. Readers must ignore it.

`outside` lines go before, between or after the journeys; `inside` lines
may sit within a journey's block (never between a time and its station).
"""

from __future__ import annotations

import random

OUTSIDE = (
    "Offre valable jusqu'au 31/12/2021 sur une sélection de trajets.",
    "Économisez jusqu'à 30 % avec la Carte Avantage à 49 € par an.",
    "Billet échangeable et remboursable sans frais jusqu'à 3 jours avant le départ.",
    "Service client : 3635 (0,40 €/min)",
    "Bon voyage !",
    "Retrouvez vos billets dans l'application SNCF Connect.",
    "Nous vous remercions de votre confiance.",
    "Pensez à arriver en gare 15 minutes avant le départ.",
    "Commande passée le 27/10/2021 à 09:31",
    "Paiement par carte bancaire Visa **** 4242",
    "Conformément à la loi, vous disposez d'un droit d'accès à vos données.",
    "Votre billet est nominatif et incessible.",
    "Vous recevrez un rappel 24 h avant votre départ.",
    "Suivez-nous sur Facebook, Instagram et LinkedIn.",
)
INSIDE = (
    "Durée : 3h17",
    "Voiture 7 - Place 64",
    "Places assises, 2nde classe",
    "dont TVA 10 % : 7,18 €",
    "Passager 1 : adulte (26-59 ans) - Carte Avantage Adulte",
    "Échangeable, remboursable",
    "Trajet direct",
    "Bagages : 2 grands bagages + 1 bagage à main",
)


def outside(rng: random.Random, k: int | None = None) -> list[str]:
    return rng.sample(OUTSIDE, rng.randint(0, 3) if k is None else k)


def inside(rng: random.Random) -> list[str]:
    return rng.sample(INSIDE, rng.randint(0, 2))
