"""A varied, seeded set of proof mails (`tests.clientmail`), split dev / held-out.

Split "dev" (used while writing the rules): Gmail, Outlook and Thunderbird
with inline forwards, the "dev" file names and thank-you wordings.
Split "held_out" (not looked at while writing them): Apple Mail / iPhone,
Outlook and Thunderbird forwarding as an attachment, and other file names
and wordings. tests/acceptance/test_client_proofs.py measures the precision and recall
of proof kinds on both (`score`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date

from tests.support.clientmail import Case, Doc, Thanks, apple, gmail, outlook, thunderbird
from tests.support.proofmail import (attendance_pdf, docx, invoice_pdf, logo, mission_form_pdf, report_pdf,
                             ticket_pdf)
from tests.support.ticketpdfs import LegSpec, encrypted_pdf, html_as_pdf, ouigo_pdf, truncated_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

NAMES = {  # kind -> (dev names, held-out names)
    "meeting_report": (["Compte-rendu réunion 22-11.pdf", "CR atelier QPV.pdf", "compte_rendu.docx"],
                       ["PV réunion habitants.pdf", "Synthèse atelier du 22.docx", "cr-rdv.pdf"]),
    "attendance_sheet": (["emargement.pdf", "Feuille de présence 26 nov.pdf"],
                         ["Liste de présence.pdf", "emargement_atelier.pdf"]),
    "mission_form": (["Formulaire de mission.pdf", "fiche mission KB.pdf"],
                     ["Formulaire_mission_signé.pdf", "ordre de mission.pdf"]),
    "invoice": (["Facture 2021-031.pdf", "facture_HPF.pdf"],
                ["Note d'honoraires novembre.pdf", "F2021-031.pdf"]),
    "train_ticket": (["e-billet.pdf", "billet.pdf"], ["Billet aller-retour.pdf", "OUIGO_OQK7ZD.pdf"]),
}

THANKS = {  # (dev, held-out) wordings of a thank-you
    "dev": [
        ("Sophie Marchand", "s.marchand@centresocial-nord.fr", "Merci pour la réunion",
         "Bonjour,\n\nMerci beaucoup pour votre intervention d'hier soir, les habitants ont été ravis.\n\nSophie"),
        ("Yasmina Benali", "yasmina.benali@gmail.com", "Atelier habitat participatif",
         "Bonjour Karim,\n\nUn grand merci pour l'atelier, c'était très clair.\n\nBien à vous,\nYasmina"),
        ("Paul Garnier", "paul.garnier@bailleur-social.fr", "Remerciements",
         "Madame, Monsieur,\n\nNous tenons à vous remercier pour la qualité de la présentation.\n\nP. Garnier"),
    ],
    "held_out": [
        ("Fatou Diallo", "fatou.diallo@laposte.net", "RDV de mardi",
         "Coucou,\n\nmerci encore pour mardi, on a adoré ! Les voisins en parlent encore.\n\nFatou"),
        ("Jean-Marc Roux", "jm.roux@mairie-vaulx.fr", "Réunion publique",
         "Bonjour,\n\nBravo pour cette belle réunion, et merci d'être venue jusqu'à nous.\n\nJM Roux"),
        ("Amina K.", "amina.k@hotmail.fr", "Thank you",
         "Hello,\n\nThank you so much for the workshop yesterday!\n\nAmina"),
    ],
}


def _doc(kind: str, split: str, rng: random.Random) -> Doc:
    names = NAMES[kind][0 if split == "dev" else 1]
    name = rng.choice(names)
    if kind == "meeting_report":
        data = docx(["Compte-rendu de la réunion", "Ordre du jour"]) if name.endswith(".docx") \
            else report_pdf()
        return Doc(name, data, kind, DOCX if name.endswith(".docx") else "application/pdf")
    if kind == "attendance_sheet":
        return Doc(name, attendance_pdf(rng.choice(["Maison des habitants", "Centre social"])), kind)
    if kind == "mission_form":
        return Doc(name, mission_form_pdf(rng.choice(["Non", "Oui"])), kind)
    if kind == "invoice":
        return Doc(name, invoice_pdf(rng.choice(["751,00 €", "600,00 €"])), kind)
    if "OUIGO" in name:
        leg = LegSpec("PARIS GARE DE LYON", "LYON PART DIEU", date(2021, 11, 17), price="25,00 €")
        return Doc(name, ouigo_pdf(legs=[leg]), kind)
    return Doc(name, ticket_pdf(rng.choice(["TQWZ4H", "QRX7LM", "B4KD2P"])), kind)


def _unusable(split: str, rng: random.Random) -> list[Doc]:
    pdf = report_pdf()
    dev = [Doc("billet.pdf", encrypted_pdf(user_password="secret"), "unusable"),
           Doc("billet SNCF.pdf", html_as_pdf(), "unusable"),
           Doc("compte-rendu.pdf", pdf, "unusable", b64="stray"),
           Doc("emargement.pdf", truncated_pdf(attendance_pdf(), 0.6), "unusable")]
    held = [Doc("e-billet retour.pdf", encrypted_pdf(user_password="1234"), "unusable"),
            Doc("Confirmation voyage.pdf", html_as_pdf(), "unusable"),
            Doc("CR réunion.pdf", pdf, "unusable", b64="cut"),
            Doc("Formulaire de mission.pdf", mission_form_pdf(), "unusable", b64="padding")]
    return [rng.choice(dev if split == "dev" else held)]


def _not_proofs(rng: random.Random) -> list[Doc]:
    return [rng.choice([Doc("logo.png", logo(), "none", "image/png"),
                        Doc("invitation.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
                            "none", "text/calendar")])]


Builder = Callable[..., Case]


def _clients(split: str) -> list[tuple[str, Builder, dict[str, bool]]]:
    if split == "dev":
        return [("g", gmail, {}), ("o", outlook, {}), ("t", thunderbird, {})]
    return [("a", apple, {}), ("oa", outlook, {"as_attachment": True}),
            ("ta", thunderbird, {"as_attachment": True})]


def corpus(split: str, per_client: int = 12, seed: int = 12) -> list[Case]:
    """`per_client` messages per client of the split, each a random bundle of proofs."""
    rng = random.Random(f"{seed}-{split}")
    cases: list[Case] = []
    kinds = list(NAMES)
    for prefix, build, options in _clients(split):
        for n in range(per_client):
            docs = [_doc(k, split, rng) for k in rng.sample(kinds, rng.randint(1, 3))]
            if n % 4 == 1:
                docs += _unusable(split, rng)
            if n % 5 == 2:
                docs += _not_proofs(rng)
            thanks = [Thanks(*rng.choice(THANKS[split]))] if n % 3 == 0 or options else []
            names = [d.name for d in docs]
            docs = [d for i, d in enumerate(docs) if d.name not in names[:i]]  # one file per name
            cases.append(build(f"{prefix}{n:02d}", docs, thanks, **options))
    return cases


def score(pairs: Sequence[tuple[str, str]], proof_kinds: Sequence[str]) -> tuple[float, float, int, int]:
    """(precision, recall, predicted proofs, expected proofs) over (expected, predicted) pairs."""
    kinds = set(proof_kinds)
    predicted = [p for p in pairs if p[1] in kinds]
    expected = [p for p in pairs if p[0] in kinds]
    right = sum(1 for e, p in pairs if p in kinds and e == p)
    precision = right / len(predicted) if predicted else 1.0
    recall = right / len(expected) if expected else 1.0
    return precision, recall, len(predicted), len(expected)
