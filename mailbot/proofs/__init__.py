"""The proofs inbox (issue 3): AMOs' proofs filed in their dossier, read and acknowledged.

Modules, one job each:

    trust        Authentication-Results of our own server: may this From act for a member?
    attribution  which roster member a proof message is filed under (or a guess, never filed)
    doctext      bounded text of a document (PDF, DOCX, ODT, plain text)
    validity     is a file a usable proof (opens, not encrypted, what it claims, intact)?
    kinds        the candidate proofs of a message and their kind (rules stage "proof_kind")
    funded       "financée par ailleurs" and "short of cash" statements in the AMO's own words
    invoices     the amount an invoice asks for
    storage      content-addressed files under files_dir (SHA-256, sharded, atomic, idempotent)
    intake       one proof message: analyse (no database), then record (in the message's transaction)
    dossiers     each AMO's dossier: complete or not, what is missing, what to invoice
    ack          the acknowledgement's template context
    grouped      acknowledgements past the daily cap, grouped in one later mail (members)
    export       a dossier as a zip (files + CSV + readable summary) for the treasurer

The handler (mailbot.handlers.proof) only strings these together.
"""

from __future__ import annotations

KINDS = ("thank_you", "meeting_report", "attendance_sheet", "mission_form", "invoice",
         "train_ticket")
OTHER = "other"  # a file kept in the dossier whose kind nobody recognised
NOT_A_PROOF = "none"  # a logo, an invitation, the AMO's own mail: not filed
UNUSABLE = "unusable"  # a file that does not open: kept, never counted, a readable copy asked

#: French names of the kinds: (singular with article, bare singular, bare plural).
LABELS: dict[str, tuple[str, str, str]] = {
    "thank_you": ("un mail de remerciement", "mail de remerciement", "mails de remerciement"),
    "meeting_report": ("un compte-rendu", "compte-rendu", "comptes-rendus"),
    "attendance_sheet": ("une feuille d'émargement", "feuille d'émargement",
                         "feuilles d'émargement"),
    "mission_form": ("le formulaire de mission", "formulaire de mission", "formulaires de mission"),
    "invoice": ("la facture", "facture", "factures"),
    "train_ticket": ("un billet de train", "billet de train", "billets de train"),
    "other": ("un document non identifié", "document non identifié", "documents non identifiés"),
    "unusable": ("un fichier illisible", "fichier illisible", "fichiers illisibles"),
}


def label(kind: str, count: int = 1) -> str:
    """The bare French name of a kind, singular or plural."""
    names = LABELS.get(kind)
    if names is None:
        return kind
    return names[1] if count == 1 else names[2]


def with_article(kind: str) -> str:
    names = LABELS.get(kind)
    return names[0] if names else kind
