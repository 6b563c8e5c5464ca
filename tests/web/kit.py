"""The web page under test: an App on the embedded default (Maildir folders), an SMTP
sink for the mail it sends, the roster, one proof message held (unknown address,
hostile subject and file name), and the Starlette application over it.
"""

from __future__ import annotations

import asyncio
import atexit
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from sqlmodel import Session, select
from starlette.applications import Starlette

from mailbot import config, members
from mailbot.app import App
from mailbot.models import ProcessedMessage
from mailbot.web.app import build_context, create_app
from mailbot.web.context import WebContext
from mailbot.settings import WebSettings
from tests.support.helpers import (
    ROOT, SAMPLES, TEST_DATABASE_URL, deliver, wait_until, write_config,
)
from tests.support.servers import SmtpCapture, free_port

COTECH = "helene.garnier@habitatparticipatif-france.fr"
ALLOWED = "tresoriere@habitatparticipatif-france.fr"  # [web] allow, not on the roster
GO = "j.roux@atelier-commun.org"
STRANGER = "julien.roux.perso@atelier-commun.org"
HOSTILE_SUBJECT = "<b>Justificatifs</b> <script>alert('x')</script>"
HOSTILE_FILE = "<img src=x onerror=alert(1)>.pdf"
LINK = re.compile(r"(https?://\S+/connexion/[A-Za-z0-9_\-]+)")


def held_proof() -> bytes:
    """A real proof message from an address the roster does not know, made hostile."""
    raw = (SAMPLES / "inbox" / "proof-emargement-and-mission-form.eml").read_bytes()
    raw = raw.replace(GO.encode(), STRANGER.encode())
    raw = raw.replace(b"Subject: Justificatifs atelier Villeneuve du 26/11",
                      b"Subject: " + HOSTILE_SUBJECT.encode())
    return raw.replace(b'filename="Formulaire de mission - Julien Roux - Villeneuve.pdf"',
                       b'filename="' + HOSTILE_FILE.encode() + b'"')


@dataclass
class Site:
    app: App
    ctx: WebContext
    asgi: Starlette
    smtp: SmtpCapture
    base_url: str

    def held_row(self) -> ProcessedMessage:
        with Session(self.app.engine) as s:
            return s.exec(select(ProcessedMessage).where(
                ProcessedMessage.from_email == STRANGER).order_by(ProcessedMessage.id)).first()

    def links(self, to: str) -> list[str]:
        found = []
        for m in self.smtp.messages:
            if to in m.rcpt_tos:
                body = m.message.get_body(("plain",))
                found += LINK.findall(body.get_content() if body else "")
        return found


def _build(tmp_path: Path, smtp: SmtpCapture) -> App:
    """Roster imported, the held proof and a filed one processed (their mail sent)."""
    maildir = tmp_path / "maildir"
    for role in ("list", "inbox"):
        (maildir / role / "new").mkdir(parents=True, exist_ok=True)
    app = App(config.load(write_config(tmp_path, smtp=smtp, maildir=maildir)))
    with Session(app.engine) as s:
        members.import_csv(s, ROOT / "samples" / "roster.csv")
        s.commit()
    deliver(maildir, "inbox", "1000.held.mbox", held_proof())
    deliver(maildir, "inbox", "1001.proof.mbox",
            (SAMPLES / "inbox" / "proof-ticket-sncf-tresorerie.eml").read_bytes())
    asyncio.run(app.run_once())
    return app


_BUILT: list[Path] = []  # one SQLite build per test session, copied for each test


def _copied(tmp_path: Path, smtp: SmtpCapture) -> App:
    if not _BUILT:
        first = Path(tempfile.mkdtemp(prefix="mbweb-"))
        atexit.register(shutil.rmtree, first, True)
        with SmtpCapture() as sink:
            _build(first, sink).engine.dispose()
        _BUILT.append(first)
    for part in ("data", "maildir"):
        shutil.copytree(_BUILT[0] / part, tmp_path / part)
    return App(config.load(write_config(tmp_path, smtp=smtp, maildir=tmp_path / "maildir")))


def make_site(tmp_path: Path, smtp: SmtpCapture, port: int | None = None,
              fresh: bool = False) -> Site:
    """The site over a new database: built here when `fresh` (or on PostgreSQL), else a
    copy of the session's one build (SQLite)."""
    fresh = fresh or bool(TEST_DATABASE_URL)
    app = _build(tmp_path, smtp) if fresh else _copied(tmp_path, smtp)
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    web = WebSettings(listen=f"127.0.0.1:{port}", base_url=base, allow=(ALLOWED,))
    ctx = build_context(app.services, web)
    return Site(app, ctx, create_app(ctx), smtp, base)


class Served:
    """The site served by uvicorn in a thread (for the browser)."""

    def __init__(self, site: Site) -> None:
        port = int(site.base_url.rsplit(":", 1)[1])
        self.server = uvicorn.Server(uvicorn.Config(site.asgi, host="127.0.0.1", port=port,
                                                    log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "Served":
        self.thread.start()
        wait_until(lambda: self.server.started, 10, what="uvicorn")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
