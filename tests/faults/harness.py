"""The fault tests' tools: a real daemon process, an in-process one, and what the database says.

`Daemon` runs `python -m mailbot --config X run` in its own process group (so a
SIGKILL takes the whole process, threads and all, at once) with its log in a
file; `open_db` opens the daemon's database from its config (migrated, roster
imported), for the test to watch progress and check the end state; `InProcess`
runs `App.run()` in a thread, for tests that patch a clock or read its logs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from mailbot import config, db, members
from tests.support.helpers import ROOT, InProcess, wait_until  # noqa: F401  (InProcess re-exported)


class Daemon:
    """One real mailbot daemon process, restartable, killable."""

    def __init__(self, config_path: Path, log_path: Path) -> None:
        self.config_path, self.log_path = config_path, log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in _reap
        self._log.write(f"--- start {self.starts} ---\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mailbot", "--config", str(self.config_path), "run"],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.starts += 1

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the daemon's whole process group, now."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._reap(10.0)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, wait for a clean exit; return the exit code (SIGKILL after timeout)."""
        if self.proc is None:
            return 0
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return -9
        self._reap(1.0)
        return code

    def _reap(self, timeout: float) -> None:
        if self.proc is not None:
            self.proc.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def open_db(config_path: Path, roster: bool = True) -> Engine:
    """The daemon's database (migrated; the sample roster imported when `roster`)."""
    settings = config.load(config_path)
    engine = db.make_engine(settings.bot.database)
    db.migrate(engine)
    if roster:
        with Session(engine) as s:
            members.import_csv(s, ROOT / "samples" / "roster.csv")
            s.commit()
    return engine


def scalar(engine: Engine, sql: str, **params: object) -> int:
    """One integer from a query (progress polling)."""
    with engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar() or 0)


def pause(seconds: float) -> None:
    """A deliberate wait that is part of the fault scenario (not a poll)."""
    time.sleep(seconds)
