"""Test helpers: config files for the embedded default or real servers, sample mail,
and polling with a timeout (never a bare sleep).

With MAILBOT_TEST_DATABASE_URL set (a PostgreSQL server URL, as `.ci/run` sets for
its second pass), every config written gets its own fresh PostgreSQL database
(one per test directory) instead of the SQLite file under data_dir.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlmodel import Session, select

from mailbot import config, members
from mailbot.app import App
from mailbot.cli import main as cli_main
from mailbot.models import ProcessedMessage
from tests.support.servers import Dovecot, SmtpCapture

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "mail"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "public"
BOT = "preuves-qpv@habitatparticipatif-france.fr"
LIST_FOLDER = "qpv-hpf"
T = TypeVar("T")


def sample(role: str, name: str) -> bytes:
    return (SAMPLES / role / f"{name}.eml").read_bytes()


TEST_DATABASE_URL = os.environ.get("MAILBOT_TEST_DATABASE_URL", "")
_DATABASES: dict[Path, str] = {}
CREATED_DATABASES: list[str] = []  # dropped at the end of the session (tests/conftest.py)


def fresh_database(tmp_path: Path | None = None) -> str:
    """A new, empty database on MAILBOT_TEST_DATABASE_URL's PostgreSQL server (its URL),
    the same one for every call with the same tmp_path."""
    if tmp_path is not None and tmp_path in _DATABASES:
        return _DATABASES[tmp_path]
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(TEST_DATABASE_URL)
    name = f"mbt_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(host=base.host, port=base.port, user=base.username,
                         password=base.password, dbname=base.database or "postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    CREATED_DATABASES.append(name)
    url = base.set(database=name).render_as_string(hide_password=False)
    if tmp_path is not None:
        _DATABASES[tmp_path] = url
    return url


def drop_databases() -> None:
    """Drop every database `fresh_database` created (best effort)."""
    if not CREATED_DATABASES:
        return
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(TEST_DATABASE_URL)
    with psycopg.connect(host=base.host, port=base.port, user=base.username,
                         password=base.password, dbname=base.database or "postgres",
                         autocommit=True) as conn:
        while CREATED_DATABASES:
            conn.execute(f'DROP DATABASE IF EXISTS "{CREATED_DATABASES.pop()}" WITH (FORCE)')


def deliver(maildir: Path, role: str, name: str, raw: bytes) -> None:
    """Drop a message in a Maildir folder's new/."""
    target = maildir / role / "new"
    target.mkdir(parents=True, exist_ok=True)
    (target / name).write_bytes(raw)


def maildir_config(tmp_path: Path, extra: str = "") -> Path:
    """A config file for the embedded default, with its Maildir folders list/ and inbox/."""
    maildir = tmp_path / "maildir"
    for role in ("list", "inbox"):
        (maildir / role / "new").mkdir(parents=True, exist_ok=True)
    return write_config(tmp_path, maildir=maildir, extra=extra)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`mailbot ARGS` in this process: its exit code and what it printed."""
    code = cli_main(list(args))
    return code, capsys.readouterr().out


def maildir_app(tmp_path: Path, extra: str = "") -> App:
    """An app on the embedded default (Maildir folders list/ and inbox/), roster loaded."""
    from tests.support.apps import build_app

    return build_app(tmp_path, extra=extra)


def processed_rows(app: App) -> list[ProcessedMessage]:
    with Session(app.engine) as s:
        return list(s.exec(select(ProcessedMessage).order_by(ProcessedMessage.id)).all())


def write_config(tmp_path: Path, *, dovecot: Dovecot | None = None,
                 smtp: SmtpCapture | None = None, maildir: Path | None = None,
                 database: str | None = None, extra: str = "", bot_extra: str = "",
                 imap_user: str = "bot", list_folder: str = LIST_FOLDER) -> Path:
    """A config.toml under tmp_path wired to the given servers (or the local defaults).

    `bot_extra` holds more `key = value` lines for the [bot] table; without an
    explicit `database`, MAILBOT_TEST_DATABASE_URL gives a fresh PostgreSQL one.
    """
    lines = [
        "[bot]", f'address = "{BOT}"', 'name = "AMI QPV - Habitat Participatif France"',
        f'data_dir = "{tmp_path / "data"}"',
    ]
    if database is None and TEST_DATABASE_URL:
        database = fresh_database(tmp_path)
    if database:
        lines.append(f'database = "{database}"')
    if bot_extra:
        lines.append(bot_extra.strip())
    if dovecot is not None:
        lines += ["[imap]", f'host = "{dovecot.host}"', f"port = {dovecot.port}", 'tls = "none"',
                  f'username = "{imap_user}"', f'password = "{dovecot.users[imap_user]}"',
                  f'list_folder = "{list_folder}"',
                  'inbox_folder = "INBOX"', 'quarantine_folder = "Quarantaine"']
    if smtp is not None:
        lines += ["[smtp]", f'host = "{smtp.host}"', f"port = {smtp.port}", 'tls = "none"',
                  "timeout_s = 5.0"]
    if maildir is not None:
        lines += ["[source]", f'maildir = "{maildir}"']
    lines += ["[auth]", 'authserv_id = "mx.habitatparticipatif-france.fr"',
              "[cotech]", 'recipients = ["cotech-qpv@habitatparticipatif-france.fr"]',
              "[paths]", f'rules = "{ROOT / "rules"}"', f'templates = "{ROOT / "templates"}"']
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def wait_until(check: Callable[[], T], timeout: float = 15.0, interval: float = 0.05,
               what: str = "condition") -> T:
    """Poll `check` until it returns something truthy; fail clearly on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def real_app(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCapture) -> App:
    """An App on the real servers, with the list folder made and the sample roster imported."""
    from tests.support.apps import build_app

    return build_app(tmp_path, dovecot=dovecot, smtp=smtp)


class InProcess:
    """`App.run()` on its own event loop in a thread, stopped like SIGTERM would."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.stop_event = asyncio.Event()
        self.thread = threading.Thread(target=self.loop.run_until_complete,
                                       args=(app.run(self.stop_event),), daemon=True)

    def __enter__(self) -> "InProcess":
        self.thread.start()
        wait_until(self.connected, what="the daemon connected to IMAP")
        return self

    def connected(self) -> bool:
        return all(w.connected.is_set() for w in self.app.workers)

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(timeout=30)
        if self.thread.is_alive():  # keep the test's own error if there is one
            import faulthandler

            faulthandler.dump_traceback(all_threads=True)  # where it hangs, on stderr
            for task in list(asyncio.all_tasks(self.loop)):
                task.print_stack(file=sys.stderr)
            if exc_type is None:
                raise AssertionError("the daemon did not stop within 30 s of the stop signal")
            return
        self.loop.close()


def run_corpus(tmp: Path, cases: list[dict[str, object]], corpus: Path = SHARED_CORPUS
               ) -> tuple[App, dict[str, ProcessedMessage]]:
    """A labelled corpus's cases through the embedded default (a Maildir, its folders as
    labelled, the inbox by default), its roster imported, run once; the processed row of
    each corpus file."""
    maildir = tmp / "maildir"
    for role in ("list", "inbox"):
        (maildir / role / "new").mkdir(parents=True, exist_ok=True)
    for n, case in enumerate(cases):
        name = str(case["file"])
        folder = str(case.get("folder", "inbox"))
        shutil.copy(corpus / name, maildir / folder / "new" / f"{n:05d}.{name}")
    app = App(config.load(write_config(tmp, maildir=maildir)))
    with Session(app.engine) as s:
        members.import_csv(s, corpus / "roster.csv")
        s.commit()
    asyncio.run(app.run_once())
    with Session(app.engine) as s:
        # source key "maildir:<folder>/<NNNNN>.<file>": the corpus file name after the number
        rows = {r.source_key.split("/", 1)[1].split(".", 1)[1]: r
                for r in s.exec(select(ProcessedMessage)).all()}
    return app, rows
