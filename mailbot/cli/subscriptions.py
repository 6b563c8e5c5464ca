"""Commands of the subscriptions domain: `sympa review`, `refresh start|status|apply`,
`members history`, `members forget`.

Mail is only queued here; the running daemon (or `mailbot run --once`) sends it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mailbot import members
from mailbot.cli import Cli, labels
from mailbot.db import session_scope
from mailbot.frdates import format_fr
from mailbot.subscriptions import audit, forget, refresh, sympa, sympa_review
from mailbot.mail.mailer import Mailer


def register(sub: Any) -> None:
    """Add this domain's sub-commands."""
    s = sub.add_parser("sympa", help="la liste sur Sympa").add_subparsers(
        dest="sympa_cmd", required=True, metavar="COMMANDE")
    p = s.add_parser("review", help="demander la liste des abonnés à Sympa (REVIEW) et "
                                    "montrer les différences avec nos membres")
    p.add_argument("--last", action="store_true",
                   help="seulement montrer la dernière comparaison")
    p.add_argument("--json", action="store_true", help="en JSON (codes en anglais)")
    p.set_defaults(func=cmd_sympa_review)

    r = sub.add_parser("refresh", help="la mise à jour des adresses à mi-parcours"
                       ).add_subparsers(dest="refresh_cmd", required=True, metavar="COMMANDE")
    p = r.add_parser("start", help="ouvrir la campagne maintenant")
    p.set_defaults(func=cmd_refresh_start)
    p = r.add_parser("status", help="une ligne par abonné")
    p.add_argument("--json", action="store_true", help="en JSON (codes en anglais)")
    p.set_defaults(func=cmd_refresh_status)
    p = r.add_parser("apply", help="retirer les abonnés restés sans réponse (après "
                                   "l'échéance)")
    p.add_argument("--dry-run", action="store_true",
                   help="seulement dire qui serait retiré")
    p.set_defaults(func=cmd_refresh_apply)


def register_members(members_sub: Any) -> None:
    """Add sub-commands under `mailbot members` (history, forget)."""
    p = members_sub.add_parser("history", help="l'historique des abonnements d'une adresse")
    p.add_argument("address", metavar="ADRESSE")
    p.add_argument("--json", action="store_true", help="en JSON (codes en anglais)")
    p.set_defaults(func=cmd_members_history)
    p = members_sub.add_parser("forget", help="effacer les données d'une personne (RGPD), "
                                              "sauf la comptabilité")
    p.add_argument("address", metavar="ADRESSE")
    p.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")
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
            print(f"mailbot\u00a0: {err}", file=sys.stderr)
            return 2
        count = len(refresh.entries(s, campaign))
        deadline = campaign.deadline_at
    print(f"campagne ouverte\u00a0: {count} message(s) mis en file\u202f; échéance le "
          f"{format_fr(deadline, 'd MMMM yyyy')}")
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
        (r["address"], labels.word(labels.REFRESH_STATES, r["state"]), r["reference"],
         (r["answered_at"] or "")[:16].replace("T", " "), r["new_address"] or "") for r in rows]
    cli.out(rows, table)
    print(labels.counts(counts, labels.REFRESH_STATES))
    return 0


def cmd_refresh_apply(args: argparse.Namespace, cli: Cli) -> int:
    svc = cli.services
    with session_scope(cli.engine) as s:
        try:
            removed = refresh.apply(Mailer(s, svc, cause="cli:refresh-apply"), args.dry_run)
        except refresh.RefreshError as err:
            print(f"mailbot\u00a0: {err}", file=sys.stderr)
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
    if member is None and not rows:
        print(f"mailbot\u00a0: aucun membre pour l'adresse {args.address}", file=sys.stderr)
        return 2
    table = [("date", "action", "état", "adresse", "nouvelle", "demandé par", "confirmé par")] + [
        (r["at"][:16].replace("T", " "), labels.action(r["action"]),
         labels.change_state(r["state"]), r["address"], r["new_address"] or "",
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
            print(f"mailbot\u00a0: {err}", file=sys.stderr)
            return 2
    done = labels.counts(dict(sorted(report.erased.items())), labels.ERASED) or "rien d'autre"
    print(f"{report.member} effacé ({done})")
    if report.kept_for_accounting:
        print("conservé pour la comptabilité (nom, organisation)\u00a0: "
              + ", ".join(report.kept_for_accounting))
    return 0
