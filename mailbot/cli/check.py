"""`mailbot check`: config, rules, templates, database, IMAP and SMTP login.

Each check prints one line, "ok" or what is wrong; the caller exits non-zero
when any failed. Secrets are never printed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

import aiosmtplib

from mailbot.errors import MailbotError

if TYPE_CHECKING:
    from mailbot.cli import Cli


def _config(cli: Cli) -> str:
    s = cli.settings
    source = f"IMAP {s.imap.host}" if s.imap else f"Maildir {s.source.maildir}"
    sink = f"SMTP {s.smtp.host}" if s.smtp else f"dossier {s.outbox_dir}"
    return f"{s.path} ({source} → {sink})"


def _rules(cli: Cli) -> str:
    rules = cli.services.rules
    return f"{len(rules.rules)} règles chargées depuis {cli.settings.rules_dir}"


def _templates(cli: Cli) -> str:
    renderer = cli.services.renderer
    kinds = renderer.kinds()
    for kind in kinds:
        renderer.env.get_template(f"fr/{kind}/body.txt.j2")
        renderer.env.get_template(f"fr/{kind}/subject.txt.j2")
    return f"{len(kinds)} modèles"


def _database(cli: Cli) -> str:
    cli.engine.connect().close()
    return cli.engine.url.render_as_string(hide_password=True)


def _imap(cli: Cli) -> str:
    from mailbot.sources.imap import ImapSource

    s = cli.settings
    if s.imap is None:
        return "non configuré (Maildir local)"
    for folder, role in ((s.imap.list_folder, "list"), (s.imap.inbox_folder, "inbox")):
        source = ImapSource(s.imap, folder, role)
        source.open()
        source.close()
    return f"{s.imap.username}@{s.imap.host}: {s.imap.list_folder}, {s.imap.inbox_folder}"


def _smtp(cli: Cli) -> str:
    s = cli.settings.smtp
    if s is None:
        return "non configuré (dossier local)"

    async def login() -> None:
        client = aiosmtplib.SMTP(hostname=s.host, port=s.port, use_tls=s.tls == "ssl",
                                 start_tls=s.tls == "starttls", timeout=s.timeout_s)
        await client.connect()
        if s.username:
            await client.login(s.username, str(s.password))
        await client.quit()

    try:
        asyncio.run(login())
    except (aiosmtplib.SMTPException, OSError) as err:
        raise MailbotError(f"SMTP {s.host}:{s.port}: {err}") from err
    return f"{s.host}:{s.port}"


CHECKS: tuple[tuple[str, Callable[[Cli], str]], ...] = (
    ("config", _config), ("règles", _rules), ("modèles", _templates),
    ("base de données", _database), ("IMAP", _imap), ("SMTP", _smtp),
)


def run_checks(cli: Cli) -> list[str]:
    """Run every check in order; return the names of those that failed."""
    failed = []
    for name, check in CHECKS:
        try:
            print(f"ok      {name}: {check(cli)}")
        except MailbotError as err:
            print(f"ÉCHEC   {name}: {err}")
            failed.append(name)
            if name == "config":
                break
    return failed

