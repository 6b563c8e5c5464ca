"""Commands of the jobs domain: `mailbot jobs` and `mailbot digest`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from mailbot.cli import Cli
from mailbot.cli import labels as cli_labels
from mailbot.db import session_scope
from mailbot.digest import labels
from mailbot.errors import ConfigError, MailbotError
from mailbot.frdates import format_fr
from mailbot.models import Post


class UsageError(MailbotError):
    """A command written wrongly (exit code 2)."""


def register(sub: Any) -> None:
    """Add this domain's sub-commands."""
    p = sub.add_parser("jobs", help="les tâches planifiées\u00a0: quand, la prochaine, "
                                    "le dernier résultat")
    p.add_argument("--json", action="store_true", help="en JSON (codes en anglais)")
    p.set_defaults(func=cmd_jobs)

    p = sub.add_parser("digest", help="afficher la synthèse du COTECH pour la période "
                                      "(ou l'envoyer avec --send)")
    p.add_argument("--since", metavar="DATE",
                   help="début de la période (AAAA-MM-JJ, ou date et heure ISO, heure "
                        "locale)\u00a0; par défaut la fin de la dernière synthèse envoyée, "
                        "sinon il y a 7 jours")
    p.add_argument("--html", metavar="FICHIER", type=Path,
                   help="écrire aussi la partie HTML dans FICHIER")
    p.add_argument("--send", action="store_true",
                   help="l'envoyer au COTECH maintenant (la suivante partira d'ici)")
    p.set_defaults(func=cmd_digest)


def _when(value: datetime | None, cli: Cli) -> str:
    if value is None:
        return "—"
    tz = cli.settings.bot.tz
    return f"{labels.day(value, tz)} {value.astimezone(tz):%H:%M}"


def cmd_jobs(args: argparse.Namespace, cli: Cli) -> int:
    from mailbot.jobs.scheduler import describe

    rows = describe(cli.services)
    table = [("tâche", "planification", "prochaine", "dernière", "résultat")] + [
        (cli_labels.cut(r["description"], 45), r["cron"], _when(r["next_run"], cli),
         f"{_when(r['last_finished'], cli)} "
         f"{cli_labels.word(cli_labels.JOB_STATUSES, r['last_status'])}".strip(),
         cli_labels.cut(r["last_result"], 70)) for r in rows]
    cli.out(rows, table)
    return 0


def parse_since(text: str, cli: Cli) -> datetime:
    """A date (local midnight) or an ISO date-time (local when naive)."""
    try:
        if len(text) == 10:
            value = datetime.combine(date.fromisoformat(text), time(0))
        else:
            value = datetime.fromisoformat(text)
    except ValueError as err:
        raise UsageError(f"--since\u00a0: une date AAAA-MM-JJ est attendue, pas "
                         f"«\u00a0{text}\u00a0»") from err
    return value if value.tzinfo else value.replace(tzinfo=cli.settings.bot.tz)


async def _deliver(cli: Cli) -> int:
    """Hand the queue to the transport now rather than waiting for the daemon."""
    from mailbot.app import make_transport
    from mailbot.mail.outbox import OutboxSender

    settings = cli.settings
    return await OutboxSender(cli.engine, make_transport(settings), settings.bot.address,
                              owner="cli:digest").flush()


def cmd_digest(args: argparse.Namespace, cli: Cli) -> int:
    from mailbot.digest import send

    services = cli.services
    since = parse_since(args.since, cli) if args.since else None
    if since is not None and since >= services.now():
        raise UsageError(f"--since {args.since}\u00a0: le début de la période doit précéder sa "
                         f"fin (maintenant, {_date(services.now(), cli)})")
    if args.send and not cli.settings.cotech.recipients:
        raise ConfigError(f"{cli.settings.path}\u00a0: [cotech] recipients est vide\u00a0: "
                          "personne à qui envoyer la synthèse")
    with session_scope(services.engine) as session:
        start, end = send.period(session, services.now(), since, cli.settings.bot.tz)
        empty = _empty_period(session, start, end, cli)
        rendered = send.render_digest(services, send.build_digest(session, services, start, end))
        queued = 0
        if args.send:
            queued = send.queue_digest(session, services, start, end, rendered, "manual")
    if args.html:
        args.html.write_text(rendered.html or "", encoding="utf-8")
    if args.send:
        sent = asyncio.run(_deliver(cli))
        print(f"synthèse envoyée à {queued} destinataire(s) ({sent} message(s) remis au serveur)")
        return 0
    print(f"Objet\u00a0: {rendered.subject}\n")
    print(rendered.text)
    if empty:
        print(empty, file=sys.stderr)
    return 0


def _date(value: datetime, cli: Cli) -> str:
    return format_fr(value.astimezone(cli.settings.bot.tz), "d MMMM yyyy 'à' HH'h'mm")


def _empty_period(session: Session, start: datetime, end: datetime, cli: Cli) -> str:
    """Why the period has no list post, when it has none: where the posts are."""
    in_period = session.exec(select(func.count()).select_from(Post).where(
        col(Post.posted_at) >= start, col(Post.posted_at) < end)).one()
    if in_period:
        return ""
    first, last = session.exec(select(func.min(Post.posted_at), func.max(Post.posted_at))).one()
    said = f"Aucun message de la liste du {_date(start, cli)} au {_date(end, cli)}."
    if first is None:
        return f"{said} Aucun message de la liste n'a encore été traité."
    first, last = (v if v.tzinfo else v.replace(tzinfo=UTC) for v in (first, last))
    return (f"{said} Les messages enregistrés vont du {_date(first, cli)} au "
            f"{_date(last, cli)}\u00a0: « mailbot digest --since "
            f"{first.astimezone(cli.settings.bot.tz):%Y-%m-%d} » les reprend.")
