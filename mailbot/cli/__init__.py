"""The `mailbot` command line: one sub-command module per domain.

Each module has `register(subparsers)`, adding its commands with
`set_defaults(func=...)`; a command gets the parsed arguments and a `Cli`
that loads the settings and the database on first use. Output: a readable
table, or JSON with --json. Errors: one clear line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine

from mailbot import config as config_mod
from mailbot import db
from mailbot.settings import Settings
from mailbot.errors import MailbotError
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
    if not rows:
        return
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def default_config() -> str:
    return os.environ.get("MAILBOT_CONFIG", "config.toml")


def build_parser() -> argparse.ArgumentParser:
    from mailbot.cli import core, jobs, proofs, subscriptions, web

    parser = argparse.ArgumentParser(prog="mailbot", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=default_config(),
                        help="path to config.toml (default: $MAILBOT_CONFIG or ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (core, proofs, subscriptions, jobs, web):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("imapclient", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        result = args.func(args, Cli(args))
    except MailbotError as err:
        print(f"mailbot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return int(result or 0)
