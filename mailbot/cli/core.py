"""Core commands: run, check, members, messages."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from mailbot import members
from mailbot.cli import Cli
from mailbot.db import session_scope
from mailbot.models import Member, ProcessedMessage
from mailbot.subscriptions import sympa_sync


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the daemon (or --once: catch up and exit)")
    p.add_argument("--once", action="store_true",
                   help="process everything pending, send the outbox, run due jobs, exit")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check", help="check config, rules, templates, IMAP and SMTP login")
    p.set_defaults(func=cmd_check)

    m = sub.add_parser("members", help="the roster").add_subparsers(dest="members_cmd",
                                                                     required=True)
    p = m.add_parser("import", help="import or update members from a CSV file")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_members_import)
    p = m.add_parser("list", help="list members")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_members_list)
    a = m.add_parser("alias", help="another address of a member").add_subparsers(
        dest="alias_cmd", required=True)
    p = a.add_parser("add", help="accept ADDRESS as MEMBER's own")
    p.add_argument("member")
    p.add_argument("address")
    p.set_defaults(func=cmd_alias_add)
    from mailbot.cli import subscriptions

    subscriptions.register_members(m)

    p = sub.add_parser("messages", help="processed messages")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=0, help="only the N most recent")
    p.set_defaults(func=cmd_messages)


def cmd_run(args: argparse.Namespace, cli: Cli) -> int:
    from mailbot.app import App, settle_heap

    app = App(cli.settings)
    settle_heap()
    if args.once:
        summary = asyncio.run(app.run_once())
        done = ", ".join(f"{k}: {v}" for k, v in summary.processed.items())
        print(f"traités — {done} ; envoyés : {summary.sent}"
              + (f" ; tâches : {', '.join(summary.jobs)}" if summary.jobs else ""))
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
    table = [("email", "nom", "groupe", "statut", "Sympa", "alias")] + [
        (r["email"], r["name"], r["group"], r["status"], r["sympa"], " ".join(r["aliases"]))
        for r in rows]
    cli.out(rows, table)
    return 0


def cmd_alias_add(args: argparse.Namespace, cli: Cli) -> int:
    with session_scope(cli.engine) as s:
        try:
            member = members.add_alias(s, args.member, args.address)
        except ValueError as err:
            print(f"mailbot: {err}")
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
    table = [("dossier", "catégorie", "tag", "statut", "membre", "objet")] + [
        (r["folder"], r["category"], r["tag"] or "", r["status"], r["member"] or "",
         (r["subject"] or "")[:60]) for r in rows]
    cli.out(rows, table)
    return 0
