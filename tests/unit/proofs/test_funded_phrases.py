"""The "funded elsewhere" phrasings of rules/phrases/funded.toml, on varied wording.

DEV was used while writing the patterns; HELD_OUT was written at the same time
but its results were looked at only once the patterns were frozen (see
/work/coord/notes/h12b.md for the figure). Both must pass.
"""

from __future__ import annotations

import pytest

from mailbot.proofs.funded import DEFAULT_RULES, load_phrases, read_statement

DEV: list[tuple[str, bool | None]] = [
    ("Cette journée est financée par ailleurs (contrat de ville).", True),
    ("Je suis financée par ailleurs pour cette action.", True),
    ("je ne la facturerai donc pas à HPF", True),
    ("Cette action est déjà financée par la métropole.", True),
    ("This day is funded elsewhere.", True),
    ("La journée est prise en charge par la Région.", True),
    ("Mon intervention est financée par la Région Occitanie, je ne vous enverrai donc pas de facture.", True),
    ("C'est financé par un autre programme (Politique de la ville).", True),
    ("Je ne facturerai pas cette journée.", True),
    ("Je ne facturerai que les billets de train.", True),
    ("La métropole prend en charge ma journée.", True),
    ("Je suis intervenue à titre gracieux.", True),
    ("Je ne suis pas financée par ailleurs.", False),
    ("Action non financée par ailleurs.", False),
    ("Financée par ailleurs : non", False),
    ("Financée par ailleurs : oui", True),
    ("Pas d'autre financement pour cette journée.", False),
    ("Ce n'est pas pris en charge par la Région.", False),
    ("Si la journée est financée par ailleurs, faut-il le dire ?", None),
    ("Les billets sont pris en charge par HPF, c'est bien cela ?", None),
    ("Je ne facturerai pas les billets, seulement la journée.", None),
    ("Bonjour, voici mon billet.", None),
    ("J'ai déjà payé mes billets.", None),
]

HELD_OUT: list[tuple[str, bool | None]] = [
    ("Pour info, cette animation est intégralement financée par le Département.", True),
    ("Elle est prise en charge par mon employeur (la SCIC), donc rien à facturer.", True),
    ("Je ne vais pas facturer HPF pour cette séance.", True),
    ("Cette intervention rentre dans ma mission financée par l'agglo.", True),
    ("Bonne nouvelle : la Ville paie déjà cette journée.", True),
    ("Je ne compte pas la facturer, elle est couverte par le contrat de ville.", True),
    ("Rien à payer de votre côté, c'est sur un autre budget.", True),
    ("Cette journée n'est pas financée par la métropole, je vous envoie la facture.", False),
    ("Est-ce que c'est pris en charge par la Région ?", None),
    ("La journée sera prise en charge par le programme comme prévu.", None),
    ("Voici le compte-rendu et la feuille d'émargement.", None),
    ("Je vous facturerai la journée et les billets.", None),
]


@pytest.mark.parametrize("text, funded", DEV)
def test_dev_phrasings(text: str, funded: bool | None) -> None:
    assert read_statement("", text).funded_elsewhere is funded


@pytest.mark.parametrize("text, funded", HELD_OUT)
def test_held_out_phrasings(text: str, funded: bool | None) -> None:
    assert read_statement("", text).funded_elsewhere is funded


def test_words_are_the_sentence_that_said_it() -> None:
    said = read_statement("", "Bonjour.\nLa journée est prise en charge par la Région. Merci.")
    assert said.funded_words == "La journée est prise en charge par la Région."


def test_phrases_load_from_the_rules_directory() -> None:
    phrases = load_phrases(DEFAULT_RULES)
    assert phrases.funded and phrases.denies and phrases.short_of_cash
