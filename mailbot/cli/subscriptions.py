"""Commands of the subscriptions domain: `sympa review`, `refresh start|status|apply`,
`members history`, `members forget`.

Mail is only queued here; the running daemon (or `mailbot run --once`) sends it.
"""

from __future__ import annotations

import argparse
from typing import Any

from mailbot import members
from mailbot.cli import Cli
from mailbot.db import session_scope
from mailbot.subscriptions import audit, forget, refresh, sympa, sympa_review
from mailbot.mail.mailer import Mailer


def register(sub: Any) -> None:
    """Add this domain's sub-commands."""
    s = sub.add_parser("sympa", help="the Sympa list").add_subparsers(dest="sympa_cmd",
                                                                      required=True)
    p = s.add_parser("review", help="send REVIEW to Sympa; show the last differences")
    p.add_argument("--last", action="store_true", help="only show the last reconciliation")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sympa_review)

    r = sub.add_parser("refresh", help="the mid-AMI address refresh").add_subparsers(
        dest="refresh_cmd", required=True)
    p = r.add_parser("start", help="start the campaign now")
    p.set_defaults(func=cmd_refresh_start)
    p = r.add_parser("status", help="one line per subscriber")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_refresh_status)
    p = r.add_parser("apply", help="remove the silent subscribers (after the deadline)")
    p.add_argument("--dry-run", action="store_true", help="only list who would be removed")
    p.set_defaults(func=cmd_refresh_apply)


def register_members(members_sub: Any) -> None:
    """Add sub-commands under `mailbot members` (history, forget)."""
    p = members_sub.add_parser("history", help="the audit trail of an address")
    p.add_argument("address")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_members_history)
    p = members_sub.add_parser("forget", help="erase a person's data (RGPD), except accounting")
    p.add_argument("address")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_members_forget)


def cmd_sympa_review(args: argparse.Namespace, cli: Cli) -> int:
    svc = cli.services
    with session_scope(cli.engine) as s:
        if not args.last:
            if svc.settings.list.sync != "sympa":
                print("mailbot: synchronisation Sympa désactivée ([list] sync = \"off\")")
                return 2
            now = svc.now()
            sympa.send_review(s, Mailer(s, svc, cause="cli:sympa-review"), now,
                              f"sympa-review:cli:{now.isoformat()}")
            if not args.json:
                print(f"REVIEW {svc.settings.list.name} mis en file pour "
                      f"{svc.settings.list.sympa} ; la réponse sera lue par le démon.")
        status = sympa_review.status(s)
    if args.json:
        cli.out({"read_at": status.read_at.isoformat() if status.read_at else None,
                 "sympa_count": status.sympa_count, "ours_count": status.ours_count,
                 "differences": status.differences if status.read_at else None,
                 "asked_at": status.asked_at.isoformat() if status.asked_at else None,
                 "unsettled": status.unsettled})
        return 0
    for line in review_lines(status):
        print(line)
    return 0


def review_lines(status: sympa_review.ReviewStatus) -> list[str]:
    """What `mailbot sympa review` prints: never an agreement that was not checked."""
    if status.read_at is None:
        lines = ["Aucune réponse REVIEW lue pour l'instant : la liste Sympa n'a pas encore "
                 "été comparée au registre."]
    else:
        head = (f"Dernière comparaison (réponse REVIEW du {status.read_at:%Y-%m-%d %H:%M}, "
                f"{status.sympa_count} abonnés sur Sympa, {status.ours_count} chez nous)")
        lines = [f"{head} : " + ("aucune différence" if not status.differences
                                 else f"{len(status.differences)} différence(s)")]
        lines += [f"  - {line}" for line in status.differences]
    if status.asked_at is not None:
        lines.append(f"REVIEW envoyé le {status.asked_at:%Y-%m-%d %H:%M} : réponse pas encore lue.")
    if status.unsettled:
        lines.append("Commandes que Sympa n'a pas confirmées :")
        lines += [f"  - {line}" for line in status.unsettled]
    return lines


def cmd_refresh_start(args: argparse.Namespace, cli: Cli) -> int:
    svc = cli.services
    with session_scope(cli.engine) as s:
        try:
            campaign = refresh.start(Mailer(s, svc, cause="cli:refresh-start"), "cli")
        except refresh.RefreshError as err:
            print(f"mailbot: {err}")
            return 2
        count = len(refresh.entries(s, campaign))
        deadline = campaign.deadline_at
    print(f"campagne ouverte : {count} message(s) mis en file ; échéance {deadline:%Y-%m-%d}")
    return 0


def cmd_refresh_status(args: argparse.Namespace, cli: Cli) -> int:
    with session_scope(cli.engine) as s:
        campaign = refresh.latest(s)
        rows = refresh.status_rows(s, campaign) if campaign else []
        counts = refresh.counts(s, campaign) if campaign else {}
    if args.json:
        cli.out(rows)
        return 0
    if campaign is None:
        print("aucune campagne de mise à jour")
        return 0
    table = [("adresse", "état", "référence", "réponse", "nouvelle adresse")] + [
        (r["address"], r["state"], r["reference"], (r["answered_at"] or "")[:16],
         r["new_address"] or "") for r in rows]
    cli.out(rows, table)
    print("  ".join(f"{k} : {v}" for k, v in counts.items()))
    return 0


def cmd_refresh_apply(args: argparse.Namespace, cli: Cli) -> int:
    svc = cli.services
    with session_scope(cli.engine) as s:
        try:
            removed = refresh.apply(Mailer(s, svc, cause="cli:refresh-apply"), args.dry_run)
        except refresh.RefreshError as err:
            print(f"mailbot: {err}")
            return 2
    verb = "seraient retirés" if args.dry_run else "retirés de la liste"
    print(f"{len(removed)} abonné(s) sans réponse {verb}")
    for address in removed:
        print(f"  {address}")
    return 0


def cmd_members_history(args: argparse.Namespace, cli: Cli) -> int:
    with session_scope(cli.engine) as s:
        member = members.find(s, args.address)
        addresses = [members.normalise(args.address)]
        if member is not None:
            addresses += [member.email, *members.aliases(s, member)]
        rows = audit.history(s, addresses)
    table = [("date", "action", "état", "adresse", "nouvelle", "demandé par", "confirmé par")] + [
        (r["at"][:16], r["action"], r["state"], r["address"], r["new_address"] or "",
         r["asked_by"] or "", r["confirmed_by"] or "") for r in rows]
    cli.out(rows, table)
    return 0


def cmd_members_forget(args: argparse.Namespace, cli: Cli) -> int:
    if not args.yes:
        reply = input(f"Effacer les données de {args.address} ? (oui/non) ")
        if reply.strip().lower() not in ("oui", "o", "yes", "y"):
            print("abandon")
            return 1
    with session_scope(cli.engine) as s:
        try:
            report = forget.forget(s, args.address, cli.services.now(),
                                   mailer=Mailer(s, cli.services, cause="cli:members-forget"))
        except ValueError as err:
            print(f"mailbot: {err}")
            return 2
    done = ", ".join(f"{k} : {v}" for k, v in sorted(report.erased.items())) or "rien d'autre"
    print(f"{report.member} effacé ({done})")
    if report.kept_for_accounting:
        print("conservé pour la comptabilité (nom, organisation) : "
              + ", ".join(report.kept_for_accounting))
    return 0
