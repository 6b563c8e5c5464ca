"""Commands of the proofs domain: proofs, dossiers, dossier export.

    mailbot proofs [--member ADDRESS] [--json]
    mailbot dossiers [--json]
    mailbot dossier export MEMBER --zip FILE

Amounts in JSON are decimal strings ("79.00"), times ISO 8601 UTC.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from mailbot import members
from mailbot.cli import Cli, labels
from mailbot.db import session_scope
from mailbot.errors import MailbotError
from mailbot.models.proofs import TicketLeg
from mailbot.proofs.labels import label
from mailbot.proofs.dossiers import Dossier, compute_dossiers, leg_dict, live_proofs
from mailbot.proofs.export import export_dossier
from mailbot.mail.render import eur


def register(sub: Any) -> None:
    """Add this domain's sub-commands."""
    p = sub.add_parser("proofs", help="les justificatifs classés (une ligne chacun)")
    p.add_argument("--member", metavar="ADRESSE",
                   help="seulement ceux de ce membre (n'importe laquelle de ses adresses)")
    p.add_argument("--json", action="store_true", help="en JSON (codes en anglais)")
    p.set_defaults(func=cmd_proofs)

    p = sub.add_parser("dossiers", help="le dossier de chaque AMO\u00a0: complet, ce qui "
                                        "manque, le montant dû")
    p.add_argument("--json", action="store_true", help="en JSON (codes en anglais)")
    p.set_defaults(func=cmd_dossiers)

    d = sub.add_parser("dossier", help="un dossier").add_subparsers(
        dest="dossier_cmd", required=True, metavar="COMMANDE")
    p = d.add_parser("export", help="tous les justificatifs d'un AMO et un récapitulatif, "
                                    "dans un zip")
    p.add_argument("member", metavar="MEMBRE")
    p.add_argument("--zip", dest="zip", type=Path, required=True, metavar="FICHIER",
                   help="le zip à écrire")
    p.set_defaults(func=cmd_dossier_export)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(Decimal("0.01")), "f")


def proof_rows(session: Session, member: str | None) -> list[dict[str, Any]]:
    """The proofs that count (duplicates left out), as the JSON shape of the issue."""
    email = None
    if member is not None:
        found = members.find(session, member)
        if found is None:
            raise MailbotError(f"aucun membre pour l'adresse {member}")
        email = found.email
    proofs = live_proofs(session, email)
    ids = [p.id for p in proofs if p.id is not None]
    legs: dict[int, list[dict[str, str | None]]] = {}
    if ids:
        stmt = (select(TicketLeg).where(col(TicketLeg.proof_id).in_(ids),
                                        col(TicketLeg.duplicate_of_id).is_(None))
                .order_by(col(TicketLeg.proof_id), col(TicketLeg.position)))
        for leg in session.exec(stmt).all():
            legs.setdefault(leg.proof_id, []).append(leg_dict(leg))
    return [{"member": p.member_email, "kind": p.kind, "message_id": p.message_id,
             "filename": p.filename, "sha256": p.sha256,
             "received_at": p.received_at.isoformat(), "tickets": legs.get(p.id or 0, []),
             "problems": [x for x in p.problems.split("\n") if x]} for p in proofs]


def dossier_row(d: Dossier) -> dict[str, Any]:
    """One dossier as the JSON shape of the issue (plus a few fields)."""
    return {
        "member": d.member_email, "name": d.name, "complete": d.complete,
        "missing": d.missing, "funded_elsewhere": d.funded_elsewhere,
        "fee_eur": _money(d.fee_eur), "tickets_total_eur": _money(d.tickets_total_eur),
        "amount_due_eur": _money(d.amount_due_eur),
        "invoice": {"received": d.invoice_received, "amount_eur": _money(d.invoice_amount_eur),
                    "matches": d.invoice_matches},
        "short_of_cash": d.short_of_cash, "proofs_by_kind": d.proofs_by_kind,
        "completed_at": d.completed_at.isoformat() if d.completed_at else None,
    }


def cmd_proofs(args: argparse.Namespace, cli: Cli) -> int:
    with session_scope(cli.engine) as s:
        rows = proof_rows(s, args.member)
    table = [("membre", "nature", "fichier", "reçu le", "billets")]
    for r in rows:
        total = sum((Decimal(t["amount_eur"]) for t in r["tickets"] if t["amount_eur"]),
                    Decimal(0))
        tickets = f"{len(r['tickets'])} trajet(s), {eur(total)}" if r["tickets"] else ""
        table.append((r["member"], label(r["kind"]), labels.cut(r["filename"], 50),
                      labels.date_fr(r["received_at"]), tickets))
    cli.out(rows, table)
    return 0


def cmd_dossiers(args: argparse.Namespace, cli: Cli) -> int:
    with session_scope(cli.engine) as s:
        dossiers = compute_dossiers(s, cli.settings)
    rows = [dossier_row(d) for d in dossiers]
    table = [("membre", "complet", "manque", "financé ailleurs", "dû", "facture")]
    for d in dossiers:
        invoice = "—" if not d.invoice_received else (
            "reçue, conforme" if d.invoice_matches else
            "reçue, montant non lu" if d.invoice_matches is None else "reçue, différente")
        table.append((d.member_email, "oui" if d.complete else "non",
                      ", ".join(label(k) for k in d.missing),
                      "oui" if d.funded_elsewhere else "", eur(d.amount_due_eur), invoice))
    cli.out(rows, table)
    return 0


def cmd_dossier_export(args: argparse.Namespace, cli: Cli) -> int:
    with session_scope(cli.engine) as s:
        report = export_dossier(s, cli.settings, args.member, args.zip)
    print(f"{report.path}\u00a0: {report.files} fichier(s)")
    for name in report.missing_files:
        print(f"  fichier absent du stockage\u00a0: {name}")
    return 1 if report.missing_files else 0
