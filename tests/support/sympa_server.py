"""A real Sympa 6.2.70 (Debian package `sympa`) for integration tests, without an MTA.

The recipe comes from `../shared/lab/sympa/` (its README gives the reasons and the
figures); the files it needs are copied in `tests/support/sympa/`, so the suite
stands alone:

* `install.sh` installs the package (no MTA, no syslog daemon, no service started;
  `scripts/test.sh` runs it when Sympa is missing);
* `make-instance.sh DIR` builds a self-contained instance in DIR (SQLite, spools,
  the list `qpv-hpf` owned by the bot, its settings from `list-overrides.conf`);
* `sympa-lab-driver.pl` runs Sympa's own incoming, outgoing and bounce spindles in
  one process, polling every 50 ms, and writes `run/idle` when three passes in a row
  found nothing to do: a test that injected mail at time T has every answer once
  that number is greater than T (no guessing, no sleep);
* `capture-sendmail` stands in for sendmail: every mail Sympa sends lands in
  `outbox/*.eml`, its SMTP envelope in `outbox/*.envelope`.

Mail goes INTO Sympa the way its `queue` program (the MTA alias) writes it:
`X-Sympa-To:` and `Return-Path:` lines, then the message, in the incoming spool.
Needs root (Sympa drops to its own user) and the package.
"""

from __future__ import annotations

import os
import pwd
import random
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

HERE = Path(__file__).resolve().parent / "sympa"
SYMPA_BIN = Path("/usr/lib/sympa/bin/sympa.pl")
_START_TIMEOUT = 30.0


def sympa_available() -> bool:
    """True when Sympa is installed and we may run it (root: it drops to user sympa)."""
    return SYMPA_BIN.exists() and os.geteuid() == 0


@dataclass(frozen=True)
class SympaMail:
    """One mail Sympa handed to sendmail: its SMTP envelope and raw bytes."""

    envelope_from: str
    rcpts: tuple[str, ...]
    raw: bytes


class RealSympa:
    """One private Sympa instance in a temporary folder, run by the lab driver."""

    def __init__(self, owner: str = "bot@habitatparticipatif-france.fr") -> None:
        self.owner = owner
        # Not pytest's tmp_path: it is 0700 and user sympa must reach the instance.
        self.base = Path(tempfile.mkdtemp(prefix="mb-sympa-"))
        self.base.chmod(0o755)
        self.dir = self.base / "i"
        self.proc: subprocess.Popen[bytes] | None = None
        self._seen: set[Path] = set()

    @property
    def conf(self) -> Path:
        return self.dir / "etc" / "sympa.conf"

    @property
    def idle_file(self) -> Path:
        return self.dir / "run" / "idle"

    def start(self) -> "RealSympa":
        """Build the instance (~3 s) and start the driver (~1 s)."""
        subprocess.run([str(HERE / "make-instance.sh"), str(self.dir), self.owner], check=True,
                       stdout=subprocess.DEVNULL)
        log_path = self.dir / "log" / "driver.log"
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(HERE / "sympa-lab-driver.pl"), "--config", str(self.conf),
                 "--status", str(self.idle_file)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=dict(os.environ, SYMPA_CONFIG=str(self.conf)))
        deadline = time.monotonic() + _START_TIMEOUT
        while b"Started" not in log_path.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("Sympa did not start: " + log_path.read_text(errors="replace"))
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> "RealSympa":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- the list ----------------------------------------------------------------

    def set_list_params(self, list_name: str = "qpv-hpf", **params: str) -> None:
        """Set one-line list parameters (`add="auth"`); Sympa re-reads the config
        when its mtime changes, so this works while it runs."""
        path = self.dir / "list_data" / list_name / "config"
        lines = [line for line in path.read_text().splitlines()
                 if line.split(" ", 1)[0] not in params]
        for key, value in params.items():
            lines += ["", f"{key} {value}"]
        path.write_text("\n".join(lines) + "\n")
        mtime = path.stat().st_mtime
        os.utime(path, (mtime, max(time.time(), mtime + 1.5)))  # Sympa compares whole seconds

    def subscribers(self, list_name: str = "qpv-hpf") -> set[str]:
        """Sympa's own subscriber table, read with its CLI-free SQLite file."""
        import sqlite3

        with sqlite3.connect(self.dir / "sympa.sqlite") as db:
            rows = db.execute("SELECT user_subscriber FROM subscriber_table "
                              "WHERE list_subscriber = ?", (list_name,)).fetchall()
        return {str(r[0]) for r in rows}

    # -- mail in and out -----------------------------------------------------------

    def inject(self, envelope_from: str, rcpt: str, raw: bytes) -> None:
        """Put one message in the incoming spool, as `queue RCPT` would."""
        spool = self.dir / "spool" / "msg"
        name = f"{rcpt}.{int(time.time())}.{os.getpid()}{random.randint(0, 10**6)}"
        head = f"X-Sympa-To: {rcpt}\nReturn-Path: <{envelope_from}>\n".encode()
        tmp = spool / f"T.{name}"
        tmp.write_bytes(head + raw.replace(b"\r\n", b"\n"))
        user = pwd.getpwnam("sympa")
        os.chown(tmp, user.pw_uid, user.pw_gid)
        tmp.chmod(0o640)
        tmp.rename(spool / name)

    def wait_idle(self, since: float, timeout: float = 20.0) -> None:
        """Wait until a driver pass begun after `since` found nothing to do."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if float(self.idle_file.read_text() or 0) > since:
                    return
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.02)
        raise TimeoutError(f"Sympa still busy after {timeout:.0f} s")

    def take_outbox(self) -> list[SympaMail]:
        """The mails Sympa sent since the last call, oldest first."""
        out: list[SympaMail] = []
        for path in sorted((self.dir / "outbox").glob("*.eml")):
            if path in self._seen:
                continue
            self._seen.add(path)
            sender, rcpts = "", []
            for line in path.with_suffix(".envelope").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "from":
                    sender = value
                else:
                    rcpts.append(value.lower())
            out.append(SympaMail(sender, tuple(rcpts), path.read_bytes()))
        return out

    def exchange(self, mails: list[tuple[str, str, bytes]]) -> list[SympaMail]:
        """Inject (envelope sender, recipient, raw) mails and return all Sympa sent
        because of them."""
        for envelope_from, rcpt, raw in mails:
            self.inject(envelope_from, rcpt, raw)
        self.wait_idle(time.time())
        return self.take_outbox()
