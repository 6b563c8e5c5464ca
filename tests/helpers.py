"""Test helpers: config files for the embedded default or real servers, sample mail,
and polling with a timeout (never a bare sleep)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tests.servers import Dovecot, SmtpCapture

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "mail"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "public"
BOT = "preuves-qpv@habitatparticipatif-france.fr"
LIST_FOLDER = "qpv-hpf"
T = TypeVar("T")


def sample(role: str, name: str) -> bytes:
    return (SAMPLES / role / f"{name}.eml").read_bytes()


def write_config(tmp_path: Path, *, dovecot: Dovecot | None = None,
                 smtp: SmtpCapture | None = None, maildir: Path | None = None,
                 database: str | None = None, extra: str = "") -> Path:
    """A config.toml under tmp_path wired to the given servers (or the local defaults)."""
    lines = [
        "[bot]", f'address = "{BOT}"', 'name = "AMI QPV - Habitat Participatif France"',
        f'data_dir = "{tmp_path / "data"}"',
    ]
    if database:
        lines.append(f'database = "{database}"')
    if dovecot is not None:
        lines += ["[imap]", f'host = "{dovecot.host}"', f"port = {dovecot.port}", 'tls = "none"',
                  'username = "bot"', 'password = "secret"', f'list_folder = "{LIST_FOLDER}"',
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
