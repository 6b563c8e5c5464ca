"""The one way tests build mailbot: `build_app` (an App on the embedded default, or on the
real loopback servers) and `make_services` (the services alone, on a fresh migrated SQLite
copy). The fixtures of tests/conftest.py (`clock`, `app`, `make_app`, `services`) use them."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from mailbot import config, db, members
from mailbot.app import App
from mailbot.services import Services, build_services
from tests.support.helpers import BOT, LIST_FOLDER, ROOT, maildir_config, write_config
from tests.support.servers import Dovecot, SmtpCapture

SAMPLE_ROSTER = ROOT / "samples" / "roster.csv"
COTECH = "cotech-qpv@habitatparticipatif-france.fr"


def build_app(tmp_path: Path, *, clock: Callable[[], datetime] | None = None,
              dovecot: Dovecot | None = None, smtp: SmtpCapture | None = None,
              extra: str = "", roster: Path | None = SAMPLE_ROSTER) -> App:
    """An App with its roster imported (`roster=None`: none). With `dovecot` it reads the
    real IMAP server (the list folder made) and sends through `smtp`; otherwise the
    embedded default: Maildir folders list/ and inbox/ under tmp_path, a local outbox."""
    if dovecot is not None:
        dovecot.create_folder("bot", LIST_FOLDER)
        cfg = write_config(tmp_path, dovecot=dovecot, smtp=smtp, extra=extra)
    else:
        cfg = maildir_config(tmp_path, extra)
    app = App(config.load(cfg)) if clock is None else App(config.load(cfg), clock=clock)
    if roster is not None:
        with Session(app.engine) as s:
            members.import_csv(s, roster)
            s.commit()
    return app


_TEMPLATE: list[Path] = []  # one migrated SQLite file, copied for each test


def _migrated_copy(target: Path) -> None:
    if not _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="mbdigest")) / "template.sqlite3"
        engine = db.make_engine(f"sqlite:///{template}")
        db.migrate(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _TEMPLATE.append(template)
    if not target.exists():
        shutil.copyfile(_TEMPLATE[0], target)


def make_services(tmp_path: Path, clock: Callable[[], datetime],
                  doc: dict[str, Any] | None = None) -> Services:
    """Services on a fresh SQLite database under tmp_path (a copy of a migrated one);
    `doc` overrides config tables ({"cotech": {"recipients": []}})."""
    _migrated_copy(tmp_path / "mailbot.sqlite3")
    base: dict[str, Any] = {
        "bot": {"address": BOT, "data_dir": str(tmp_path / "data"),
                "database": f"sqlite:///{tmp_path / 'mailbot.sqlite3'}"},
        "cotech": {"recipients": [COTECH]},
        "paths": {"rules": str(ROOT / "rules"), "templates": str(ROOT / "templates")},
    }
    for section, values in (doc or {}).items():
        base.setdefault(section, {}).update(values)
    settings = config.from_dict(base, tmp_path / "config.toml")
    engine = db.make_engine(settings.bot.database)
    db.migrate(engine)
    return build_services(settings, engine, clock)
