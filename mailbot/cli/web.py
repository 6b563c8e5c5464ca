"""`mailbot web`: serve the COTECH's intranet page (uvicorn, the `[web]` settings).

    mailbot web [--listen HOST:PORT]

Behind the operator's HTTPS reverse proxy; see the README's « Page web du COTECH ».
"""

from __future__ import annotations

import argparse
from typing import Any

from mailbot.cli import Cli


def register(sub: Any) -> None:
    p = sub.add_parser("web", help="servir la page web du COTECH ([web] dans config.toml)")
    p.add_argument("--listen", metavar="HÔTE:PORT", help="écouter ici plutôt qu'à [web] listen")
    p.set_defaults(func=cmd_web)


def cmd_web(args: argparse.Namespace, cli: Cli) -> int:
    from mailbot.web.serve import server
    from mailbot.web.settings import listening_on

    web = cli.settings.web
    if args.listen:
        web = listening_on(web, args.listen)
    server(cli.services, web).run()
    return 0
