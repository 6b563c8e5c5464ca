"""A dossier as one zip file the treasurer can attach to the invoice.

Contents (names in French, for the treasurer):

    resume.txt                the dossier, readable: status, amounts, each proof
    justificatifs.csv         one row per proof (kind, file in the zip, received, SHA-256)
    trajets.csv               one row per ticket leg counted
    justificatifs/NN - <kind> - <name>   every proof file (a forwarded mail as .txt)

Duplicates are left out (they are the same proof). Names in the zip are made
from the display name, cleaned again (no directory part, no control
character). The zip is written to a temporary file and renamed into place.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from mailbot.settings import Settings
from mailbot.errors import MailbotError
from mailbot.models.proofs import Proof, TicketLeg
from mailbot.proofs.labels import label
from mailbot.proofs.dossiers import Dossier, dossier_for, live_legs, live_proofs
from mailbot.proofs.storage import BlobStore
from mailbot.mail.render import eur

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True)
class ExportReport:
    path: Path
    files: int
    missing_files: list[str]


def zip_name(n: int, proof: Proof) -> str:
    """`justificatifs/03 - billet de train - e-billet TQWZ4H.pdf` (safe, at most ~150 chars)."""
    name = _UNSAFE.sub("_", proof.filename).strip(" ._") or "fichier"
    if proof.source == "forward" and not name.lower().endswith(".txt"):
        name += ".txt"
    stem, dot, ext = name.rpartition(".")
    if len(name) > 110:
        name = (stem[:100] + "." + ext[:8]) if dot else name[:110]
    return f"justificatifs/{n:02d} - {label(proof.kind)} - {name}"


def _proofs_csv(rows: list[tuple[str, Proof]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["fichier", "nature", "nom d'origine", "reçu le", "message", "sha256",
                     "montant lu (facture)", "problèmes"])
    for name, p in rows:
        writer.writerow([name, label(p.kind), p.filename, p.received_at.isoformat(),
                         p.message_id, p.sha256, p.amount_eur or "",
                         p.problems.replace("\n", " ; ")])
    return out.getvalue()


def _legs_csv(legs: list[TicketLeg]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "départ", "arrivée", "montant (EUR)", "référence", "voyageur",
                     "transporteur"])
    for leg in legs:
        writer.writerow([leg.travel_date or "", leg.origin or "", leg.destination or "",
                         leg.amount_eur or "", leg.reference or "", leg.passenger or "",
                         leg.carrier or ""])
    return out.getvalue()


def _summary(d: Dossier, rows: list[tuple[str, Proof]], legs: list[TicketLeg]) -> str:
    lines = [f"Dossier de {d.name or d.member_email} ({d.member_email})", "",
             f"Complet pour la facturation : {'oui' if d.complete else 'non'}"]
    if d.missing:
        lines.append(f"Manque : {', '.join(label(k) for k in d.missing)}")
    lines += [
        f"Financé par ailleurs : {'oui' if d.funded_elsewhere else 'non'}",
        f"Prestation : {eur(d.fee_eur)} HT",
        f"Billets de train : {eur(d.tickets_total_eur)} ({len(legs)} trajet(s))",
        f"Montant dû : {eur(d.amount_due_eur)}",
        "Facture : " + ("non reçue" if not d.invoice_received else
                        f"reçue, {eur(d.invoice_amount_eur)}, "
                        + {True: "conforme", False: "différente du montant dû",
                           None: "montant non lu"}[d.invoice_matches]),
        "", "Justificatifs :",
    ]
    lines += [f"  {name.split('/', 1)[1]} (reçu le {p.received_at:%d/%m/%Y})" for name, p in rows]
    if legs:
        lines += ["", "Trajets :"]
        lines += [f"  {leg.travel_date or '?'}  {leg.origin or '?'} -> {leg.destination or '?'}"
                  f"  {eur(leg.amount_eur) if leg.amount_eur else 'montant non lu'}"
                  f"  réf. {leg.reference or '?'}" for leg in legs]
    return "\n".join(lines) + "\n"


def export_dossier(session: Session, settings: Settings, member: str, target: Path) -> ExportReport:
    """Write the member's dossier as a zip at `target`."""
    dossier = dossier_for(session, settings, member)
    if dossier is None:
        raise MailbotError(f"aucun membre pour l'adresse {member}")
    proofs = live_proofs(session, dossier.member_email)
    legs = live_legs(session, [p.id for p in proofs if p.id is not None])
    store = BlobStore(settings.files_dir)
    rows = [(zip_name(n, p), p) for n, p in enumerate(proofs, start=1)]
    missing: list[str] = []
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".zip", dir=target.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("resume.txt", _summary(dossier, rows, legs))
            archive.writestr("justificatifs.csv", "\ufeff" + _proofs_csv(rows))
            archive.writestr("trajets.csv", "\ufeff" + _legs_csv(legs))
            for name, proof in rows:
                if store.has(proof.sha256):
                    archive.write(store.path(proof.sha256), name)
                else:
                    missing.append(name)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ExportReport(target, len(rows) - len(missing), missing)
