"""The COTECH's intranet page: the Starlette application and its routes.

`create_app(ctx)` wires the routes below; `build_context(settings, web)` makes
the context from the settings (mail folders as in the daemon, the outbox sent
through the configured transport). Served by uvicorn (`mailbot web`, or inside
`mailbot run` when `[web] in_daemon` is true), behind the operator's HTTPS proxy.

    GET  /connexion                 ask for a link          POST /connexion
    GET  /connexion/{secret}        one button              POST /connexion/{secret}
    POST /deconnexion
    GET  /                          tableau de bord         GET /taches
    GET  /dossiers                  GET /dossiers/{id}      POST /dossiers/{id}/export
    GET  /dossiers/{id}/preuves/{proof}[?voir=1]
    GET  /a-traiter                 GET /a-traiter/{id}     POST /a-traiter/{id}
    GET  /membres                   GET /membres/{id}
    GET  /liste[?onglet=GO]         POST /liste/etiquette
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from mailbot.app import daemon_identity, make_transport
from mailbot.mail.outbox import OutboxSender
from mailbot.services import Services
from mailbot.settings import Settings, WebSettings
from mailbot.sources import MailSource
from mailbot.sources.imap import ImapSource
from mailbot.sources.maildir import MaildirSource
from mailbot.web import auth, pages_board, pages_dossiers, pages_held, pages_people
from mailbot.web.context import SourceFactory, WebContext
from mailbot.web.guard import SecurityHeaders
from mailbot.web.session import Sessions
from mailbot.web.settings import signing_key

STATIC = Path(__file__).parent / "static"


def routes() -> list[Route | Mount]:
    return [
        Route("/connexion", auth.form, methods=["GET"]),
        Route("/connexion", auth.ask, methods=["POST"]),
        Route("/connexion/{secret}", auth.link, methods=["GET"]),
        Route("/connexion/{secret}", auth.use, methods=["POST"]),
        Route("/deconnexion", auth.signout, methods=["POST"]),
        Route("/", pages_board.dashboard),
        Route("/taches", pages_board.jobs),
        Route("/dossiers", pages_dossiers.dossiers),
        Route("/dossiers/{member_id:int}", pages_dossiers.dossier),
        Route("/dossiers/{member_id:int}/export", pages_dossiers.export, methods=["POST"]),
        Route("/dossiers/{member_id:int}/preuves/{proof_id:int}", pages_dossiers.proof_file),
        Route("/a-traiter", pages_held.held),
        Route("/a-traiter/{row_id:int}", pages_held.message, methods=["GET"]),
        Route("/a-traiter/{row_id:int}", pages_held.act, methods=["POST"]),
        Route("/membres", pages_people.people),
        Route("/membres/{member_id:int}", pages_people.person),
        Route("/liste", pages_people.threads),
        Route("/liste/etiquette", pages_people.retag, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def create_app(ctx: WebContext) -> Starlette:
    app = Starlette(routes=routes(), middleware=[Middleware(SecurityHeaders)])
    app.state.web = ctx
    app.state.pipeline = pages_held.PipelineHolder(ctx)
    return app


def source_factory(settings: Settings) -> SourceFactory:
    """Unopened sources for a role ("list", "inbox") or its quarantine ("quarantine:inbox")."""
    def make(role: str) -> MailSource | None:
        moved, _, role = role.rpartition(":")
        if settings.imap is not None:
            i = settings.imap
            folder = {"list": i.list_folder, "inbox": i.inbox_folder}.get(role)
            return ImapSource(i, folder, role) if folder and not moved else None
        root = settings.source.maildir
        if root is None or role not in ("list", "inbox"):
            return None
        return MaildirSource(root, "quarantine" if moved else role, role, "quarantine")
    return make


def build_context(services: Services, web: WebSettings) -> WebContext:
    settings = services.settings
    sender = OutboxSender(services.engine, make_transport(settings), settings.bot.address,
                          owner="web:" + daemon_identity(settings))
    return WebContext(services, web, Sessions(signing_key(web, settings.bot.data_dir),
                                              web.secure),
                      source_factory(settings), sender.flush)
