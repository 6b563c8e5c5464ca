"""The `mailbot` command line: one sub-command module per domain.

Each module has `register(subparsers)`, adding its commands with
`set_defaults(func=...)`; a command gets the parsed arguments and a `Cli`
that loads the settings and the database on first use. Output for people is
French (`mailbot.cli.labels` turns codes into words); `--json` keeps the
stable English codes. `--config` and `-v` go before or after the command.

Exit codes: 0 done; 1 a check failed (configuration, rules, templates,
servers, or lines refused by an import); 2 a usage error, or what the
command names was not found; 130 interrupted. Errors are one line on stderr,
never a traceback (`-v` shows it for an unexpected one).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from functools import cached_property
from importlib import metadata
from typing import Any

from sqlalchemy.engine import Engine

from mailbot import config as config_mod
from mailbot import db
from mailbot import __version__
from mailbot.cli.parser import Parser, hoist_options
from mailbot.errors import (ConfigError, DeliveryError, MailbotError, RulesError, SourceError,
                            StorageError, TemplateError)
from mailbot.settings import Settings
from mailbot.services import Services, build_services


class Cli:
    """Lazily loaded settings, engine and services for one command."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    @cached_property
    def settings(self) -> Settings:
        return config_mod.load(self.args.config)

    @cached_property
    def engine(self) -> Engine:
        engine = db.make_engine(self.settings.bot.database)
        db.migrate(engine)
        return engine

    @cached_property
    def services(self) -> Services:
        return build_services(self.settings, self.engine)

    def out(self, rows: Any, table: Sequence[Sequence[object]] | None = None) -> None:
        """Print JSON when --json, else the given table (first row: headings)."""
        if getattr(self.args, "json", False) or table is None:
            print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
            return
        print_table(table)


def print_table(rows: Sequence[Sequence[object]]) -> None:
    """A table with a heading row; cells are printed as given (cut them with labels.cut)."""
    if not rows:
        return
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def default_config() -> str:
    return os.environ.get("MAILBOT_CONFIG", "config.toml")


DESCRIPTION = (
    "mailbot, le robot courriel de l'AMI «\u00a0Habitat participatif en QPV\u00a0»\u00a0: il lit la "
    "liste et la boîte des justificatifs, classe les messages, répond aux AMO et aux "
    "abonnés, et prépare la synthèse du COTECH. Voici les commandes de l'exploitant.")
EPILOG = (
    "--config et -v se placent avant ou après la commande. Codes de sortie\u00a0: "
    "0\u00a0fait\u202f; 1\u00a0une vérification a échoué (configuration, règles, modèles, "
    "serveurs, lignes refusées)\u202f; 2\u00a0commande mal écrite, ou ce qu'elle nomme "
    "est introuvable.")
SETUP_ERRORS = (ConfigError, RulesError, TemplateError, SourceError, DeliveryError, StorageError)


def version() -> str:
    try:
        return metadata.version("mailbot-qpv")
    except metadata.PackageNotFoundError:
        return __version__


def build_parser() -> argparse.ArgumentParser:
    from mailbot.cli import core, init, jobs, proofs, subscriptions, web

    parser = Parser(prog="mailbot", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--config", default=default_config(), metavar="FICHIER",
                        help="le fichier de configuration (défaut\u00a0: $MAILBOT_CONFIG, "
                             "sinon ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="journal détaillé (et le détail d'une erreur inattendue)")
    parser.add_argument("--version", action="version", version=f"mailbot {version()}",
                        help="afficher la version")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE",
                                title="commandes")
    for module in (core, proofs, subscriptions, jobs, web, init):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(hoist_options(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("imapclient", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        result = args.func(args, Cli(args))
    except SETUP_ERRORS as err:
        print(f"mailbot\u00a0: {err}", file=sys.stderr)
        return 1
    except MailbotError as err:
        print(f"mailbot\u00a0: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as err:
        from mailbot.cli.labels import os_error

        print(f"mailbot\u00a0: {os_error(err)}", file=sys.stderr)
        return 2 if isinstance(err, FileNotFoundError) else 1
    except Exception as err:  # the command line's boundary: one line, the detail with -v
        logging.getLogger("mailbot").debug("erreur inattendue", exc_info=True)
        print(f"mailbot\u00a0: erreur inattendue ({type(err).__name__}\u00a0: {err})"
              + ("" if args.verbose else "\u202f; « -v » en donne le détail"), file=sys.stderr)
        return 1
    return int(result or 0)
