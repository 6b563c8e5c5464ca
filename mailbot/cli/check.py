"""`mailbot check`: config, rules, templates, database, IMAP and SMTP login.

Each check prints one line, "ok" or what is wrong, independently of the
others (missing templates are blamed on the templates, not on the rules);
the caller exits with 1 when any failed. Secrets are never printed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import aiosmtplib
import jinja2

from mailbot.errors import MailbotError, TemplateError

if TYPE_CHECKING:
    from mailbot.cli import Cli


def _config(cli: Cli) -> str:
    s = cli.settings
    source = f"IMAP {s.imap.host}" if s.imap else f"Maildir {s.source.maildir}"
    sink = f"SMTP {s.smtp.host}" if s.smtp else f"dossier {s.outbox_dir}"
    return f"{s.path} ({source} → {sink})"


def _where(folders: tuple[Path, ...]) -> str:
    if len(folders) == 1:
        return f"livrés ({folders[0]})"
    return f"{folders[0]}, complétés par les livrés ({folders[1]})"


def _rules(cli: Cli) -> str:
    from mailbot.decide.facts import FIELDS
    from mailbot.decide.rules import load_rules

    folders = cli.settings.rules_dirs
    rules = load_rules(folders, FIELDS)
    return f"{len(rules.rules)} règles\u00a0; {_where(folders)}"


def _templates(cli: Cli) -> str:
    from mailbot.mail.render import Renderer

    folders = cli.settings.templates_dirs
    renderer = Renderer(folders, cli.settings.bot.timezone)
    kinds = renderer.kinds()
    for kind in kinds:
        for part in ("subject.txt.j2", "body.txt.j2", "body.html.j2"):
            name = f"fr/{kind}/{part}"
            if part == "body.html.j2" and not renderer.has_file(name):
                continue
            try:
                renderer.env.get_template(name)
            except jinja2.TemplateNotFound as err:
                raise TemplateError(f"{name} manquant (cherché dans "
                                    f"{', '.join(str(f) for f in folders)})") from err
            except jinja2.TemplateSyntaxError as err:
                raise TemplateError(f"{err.filename or name}, ligne {err.lineno}\u00a0: "
                                    f"{err.message}") from err
    return f"{len(kinds)} modèles\u00a0; {_where(folders)}"


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
    return f"{s.imap.username}@{s.imap.host}\u00a0: {s.imap.list_folder}, {s.imap.inbox_folder}"


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
        raise MailbotError(f"SMTP {s.host}:{s.port}\u00a0: {err}") from err
    return f"{s.host}:{s.port}"


CHECKS: tuple[tuple[str, Callable[[Cli], str]], ...] = (
    ("configuration", _config), ("règles", _rules), ("modèles", _templates),
    ("base de données", _database), ("IMAP", _imap), ("SMTP", _smtp),
)


def run_checks(cli: Cli) -> list[str]:
    """Run every check in order; return the names of those that failed."""
    failed = []
    for name, check in CHECKS:
        try:
            print(f"ok      {name}\u00a0: {check(cli)}")
        except MailbotError as err:
            print(f"ÉCHEC   {name}\u00a0: {err}")
            failed.append(name)
        except Exception as err:  # a check's boundary: the server's or the driver's words
            print(f"ÉCHEC   {name}\u00a0: {type(err).__name__}\u00a0: {err}")
            failed.append(name)
        if failed and name == "configuration":
            break
    return failed

