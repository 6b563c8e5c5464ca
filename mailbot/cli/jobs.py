"""Commands of the jobs domain: `mailbot jobs` and `mailbot digest`."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from mailbot.cli import Cli
from mailbot.db import session_scope
from mailbot.digest import labels
from mailbot.errors import ConfigError


def register(sub: Any) -> None:
    """Add this domain's sub-commands."""
    p = sub.add_parser("jobs", help="scheduled jobs: schedule, next run, last result")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_jobs)

    p = sub.add_parser("digest", help="print the COTECH digest of the period (or --send it)")
    p.add_argument("--since", metavar="DATE",
                   help="start of the period (YYYY-MM-DD or ISO date-time, local time); "
                        "default: the end of the last digest sent, or 7 days ago")
    p.add_argument("--html", metavar="FILE", type=Path, help="also write the HTML part to FILE")
    p.add_argument("--send", action="store_true",
                   help="send it to the COTECH now (the next one starts from here)")
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
        (r["id"], r["cron"], _when(r["next_run"], cli),
         f"{_when(r['last_finished'], cli)} {r['last_status'] or ''}".strip(),
         (r["last_result"] or "")[:70]) for r in rows]
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
        raise ConfigError(f"--since: not a date (YYYY-MM-DD): {text!r}") from err
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
    if args.send and not cli.settings.cotech.recipients:
        raise ConfigError(f"{cli.settings.path}: [cotech] recipients is empty: nobody to send to")
    with session_scope(services.engine) as session:
        start, end = send.period(session, services.now(), since, cli.settings.bot.tz)
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
    return 0
