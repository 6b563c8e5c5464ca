"""Core commands: run, check, members, messages."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from mailbot import members
from mailbot.cli import Cli, labels
from mailbot.db import session_scope
from mailbot.models import Member, ProcessedMessage
from mailbot.subscriptions import sympa_sync


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="lancer le robot (ou --once : un passage, puis sortir)")
    p.add_argument("--once", action="store_true",
                   help="traiter ce qui attend, envoyer le courrier, lancer les tâches dues, "
                        "puis sortir")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check", help="vérifier la configuration, les règles, les modèles, "
                                     "la base, et la connexion IMAP et SMTP")
    p.set_defaults(func=cmd_check)

    m = sub.add_parser("members", help="les membres (AMO, GT, habitants)").add_subparsers(
        dest="members_cmd", required=True, metavar="COMMANDE")
    p = m.add_parser("import", help="ajouter ou mettre à jour les membres d'un fichier CSV")
    p.add_argument("file", type=Path, metavar="FICHIER.csv")
    p.set_defaults(func=cmd_members_import)
    p = m.add_parser("list", help="la liste des membres")
    p.add_argument("--json", action="store_true", help="en JSON (codes en anglais)")
    p.set_defaults(func=cmd_members_list)
    a = m.add_parser("alias", help="une autre adresse d'un membre").add_subparsers(
        dest="alias_cmd", required=True, metavar="COMMANDE")
    p = a.add_parser("add", help="reconnaître ADRESSE comme une adresse de MEMBRE")
    p.add_argument("member", metavar="MEMBRE")
    p.add_argument("address", metavar="ADRESSE")
    p.set_defaults(func=cmd_alias_add)
    from mailbot.cli import subscriptions

    subscriptions.register_members(m)

    p = sub.add_parser("messages", help="les messages traités, avec la raison de chaque "
                                        "décision")
    p.add_argument("--json", action="store_true", help="en JSON (codes en anglais)")
    p.add_argument("--limit", type=_count, default=0, metavar="N",
                   help="seulement les N plus récents")
    p.set_defaults(func=cmd_messages)


def _count(text: str) -> int:
    """A whole number ≥ 0 for --limit."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"un nombre entier positif est attendu, pas «\u00a0{text}\u00a0»")
    return int(text)


def cmd_run(args: argparse.Namespace, cli: Cli) -> int:
    from mailbot.app import App, settle_heap

    app = App(cli.settings)
    settle_heap()
    if args.once:
        summary = asyncio.run(app.run_once())
        done = labels.counts(summary.processed, labels.ROLES)
        print(f"traités — {done}\u202f; envoyés\u00a0: {summary.sent}"
              + (f"\u202f; tâches\u00a0: {', '.join(summary.jobs)}" if summary.jobs else ""))
        return 0
    from mailbot.web.serve import beside  # the COTECH's page too, when [web] in_daemon
    asyncio.run(beside(app.services, app.run()))
    return 0


def cmd_check(args: argparse.Namespace, cli: Cli) -> int:
    from mailbot.cli.check import run_checks

    problems = run_checks(cli)
    return 1 if problems else 0


def cmd_members_import(args: argparse.Namespace, cli: Cli) -> int:
    with session_scope(cli.engine) as s:
        report = members.import_csv(s, args.file)
    print(f"{report.created} créé(s), {report.updated} mis à jour, "
          f"{report.unchanged} inchangé(s), {len(report.errors)} erreur(s)")
    for error in report.errors:
        print(f"  {error}")
    return 1 if report.errors else 0


def member_dict(session: Any, m: Member) -> dict[str, Any]:
    return {"email": m.email, "name": m.name, "group": m.group,
            "organisation": m.organisation, "territory": m.territory, "status": m.status,
            "aliases": members.aliases(session, m)}


def cmd_members_list(args: argparse.Namespace, cli: Cli) -> int:
    with session_scope(cli.engine) as s:
        on_sympa = sympa_sync.labels(s)  # a change Sympa has not confirmed shows here
        rows = [{**member_dict(s, m), "sympa": on_sympa.get(m.email, "")}
                for m in s.exec(select(Member).order_by(col(Member.group), col(Member.email)))]
    table = [("adresse", "nom", "groupe", "statut", "Sympa", "autres adresses")] + [
        (r["email"], labels.cut(r["name"], 40), r["group"],
         labels.word(labels.MEMBER_STATUSES, r["status"]), r["sympa"], " ".join(r["aliases"]))
        for r in rows]
    cli.out(rows, table)
    return 0


def cmd_alias_add(args: argparse.Namespace, cli: Cli) -> int:
    with session_scope(cli.engine) as s:
        try:
            member = members.add_alias(s, args.member, args.address)
        except ValueError as err:
            print(f"mailbot\u00a0: {err}", file=sys.stderr)
            return 2
        print(f"{args.address.lower()} est désormais une adresse de {member.email}")
    return 0


def cmd_messages(args: argparse.Namespace, cli: Cli) -> int:
    with session_scope(cli.engine) as s:
        stmt = select(ProcessedMessage).order_by(col(ProcessedMessage.id).desc() if args.limit
                                                 else col(ProcessedMessage.id))
        if args.limit:
            stmt = stmt.limit(args.limit)
        rows: list[dict[str, Any]] = [{"message_id": r.message_id, "folder": r.role, "mailbox": r.mailbox,
                 "uid": r.uid, "category": r.category, "tag": r.tag, "member": r.member_email,
                 "status": r.status, "reason": r.reason, "subject": r.subject}
                for r in s.exec(stmt).all()]
    table = [("boîte", "catégorie", "étiquette", "statut", "membre", "raison", "objet")] + [
        (labels.word(labels.ROLES, r["folder"]), labels.word(labels.CATEGORIES, r["category"]),
         r["tag"] or ("non classé" if r["category"] == "list_post" else ""),
         labels.word(labels.STATUSES, r["status"]), r["member"] or "",
         labels.cut(r["reason"], 40), labels.cut(r["subject"], 50)) for r in rows]
    cli.out(rows, table)
    return 0
