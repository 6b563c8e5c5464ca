"""Real loopback servers for tests: a private Dovecot IMAP server and an SMTP sink.

This module owns the test-side server infrastructure and nothing else:

* :class:`Dovecot` runs a throw-away Dovecot (Debian ``dovecot-imapd``) in a short
  temporary directory, listening on 127.0.0.1 on a free port, with plaintext LOGIN,
  passwd-file users and Maildir storage. It works as root (mail owned by
  nobody/nogroup) and as a plain user (every Dovecot process runs as that user).
* :class:`SmtpCapture` is an aiosmtpd server on 127.0.0.1 that records every
  message it accepts and can be told to refuse the next few with a 4xx.
* :func:`free_port` picks a free TCP port on the loopback interface.

The fixtures wrapping these live in ``tests/conftest.py``.
"""

from __future__ import annotations

import email
import email.policy
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Iterable, Sequence

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from imapclient import IMAPClient

__all__ = [
    "DOVECOT_BINARY",
    "CapturedMessage",
    "Dovecot",
    "DovecotError",
    "SmtpCapture",
    "dovecot_available",
    "free_port",
]

DOVECOT_BINARY = "/usr/sbin/dovecot"
HOST = "127.0.0.1"
_START_TIMEOUT = 15.0
_STOP_TIMEOUT = 10.0
_APPENDUID_RE = re.compile(rb"\[APPENDUID (\d+) ([0-9:,]+)\]")


def free_port(host: str = HOST) -> int:
    """Return a TCP port on *host* that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def dovecot_available() -> bool:
    """True when the Dovecot binary is installed and executable."""
    return os.access(DOVECOT_BINARY, os.X_OK)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _parse_uid_set(text: bytes) -> list[int]:
    uids: list[int] = []
    for part in text.split(b","):
        if b":" in part:
            lo, hi = (int(x) for x in part.split(b":"))
            uids.extend(range(min(lo, hi), max(lo, hi) + 1))
        else:
            uids.append(int(part))
    return uids


def _appenduid(response: object) -> list[int]:
    """UIDs from an APPEND/MULTIAPPEND response (bytes, or imaplib's (typ, data))."""
    if isinstance(response, tuple):
        response = b" ".join(x for x in response[1] if isinstance(x, bytes))
    match = _APPENDUID_RE.search(response if isinstance(response, bytes) else b"")
    if match is None:
        raise DovecotError(f"no APPENDUID in APPEND response {response!r}")
    return _parse_uid_set(match.group(2))


def _flag_str(flag: bytes | str) -> str:
    return flag.decode("utf-8", "replace") if isinstance(flag, bytes) else flag


class DovecotError(RuntimeError):
    """Dovecot could not be started or stopped; the message holds its log tail."""


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of a Dovecot process group and reap the master."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.wait(timeout=_STOP_TIMEOUT)


class Dovecot:
    """A private Dovecot IMAP server on 127.0.0.1 with the given users.

    ``Dovecot({"bot": "secret"})`` prepares the directory; :meth:`start` runs it.
    :meth:`stop` stops the server and keeps the mail, :meth:`restart` brings it
    back on the same port, :meth:`close` stops it and deletes everything.
    Used as a context manager it starts on entry and closes on exit.
    """

    def __init__(self, users: dict[str, str], port: int | None = None) -> None:
        for name, password in users.items():
            if not name or any(c in name for c in ":\n/ ") or ":" in password or "\n" in password:
                raise ValueError(f"unsupported Dovecot test user {name!r}")
        self.users: dict[str, str] = dict(users)
        self.host: str = HOST
        self.port: int = port if port is not None else free_port()
        self._fixed_port = port is not None
        self.base: Path = Path(tempfile.mkdtemp(prefix="dv", dir="/tmp"))
        self._proc: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._closed = False
        self._as_root = os.geteuid() == 0
        self._setup_dirs()

    # -- layout -------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        """The generated ``dovecot.conf``."""
        return self.base / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        """Dovecot's own log file (errors and info)."""
        return self.base / "dovecot.log"

    def home(self, user: str) -> Path:
        """Home directory of *user*."""
        return self.base / "home" / user

    def maildir(self, user: str) -> Path:
        """Maildir root of *user* (INBOX lives directly in it)."""
        return self.home(user) / "Maildir"

    def _mail_ids(self) -> tuple[int, int]:
        if not self._as_root:
            return os.getuid(), os.getgid()
        uid = pwd.getpwnam("nobody").pw_uid
        try:
            gid = grp.getgrnam("nogroup").gr_gid
        except KeyError:
            gid = grp.getgrnam("nobody").gr_gid
        return uid, gid

    def _setup_dirs(self) -> None:
        # The auth process (not root) must traverse the base dir to read the passwd file.
        os.chmod(self.base, 0o755)
        for sub in ("run", "state", "home"):
            (self.base / sub).mkdir(mode=0o755)
        uid, gid = self._mail_ids()
        lines = []
        for name, password in self.users.items():
            home = self.home(name)
            home.mkdir(mode=0o700)
            if self._as_root:
                os.chown(home, uid, gid)
            lines.append(f"{name}:{{PLAIN}}{password}:{uid}:{gid}::{home}::\n")
        passwd = self.base / "passwd"
        passwd.write_text("".join(lines), encoding="utf-8")
        os.chmod(passwd, 0o644)
        self._write_config()

    def _write_config(self) -> None:
        b = self.base
        if self._as_root:
            identity = ""
            chroot = ""
        else:
            me = pwd.getpwuid(os.getuid()).pw_name
            group = grp.getgrgid(os.getgid()).gr_name
            identity = (
                f"default_internal_user = {me}\n"
                f"default_internal_group = {group}\n"
                f"default_login_user = {me}\n"
            )
            chroot = "  chroot =\n"
        self.config_path.write_text(
            f"""# generated by tests/support/servers.py
{identity}base_dir = {b}/run
state_dir = {b}/state
instance_name = {b.name}
log_path = {self.log_path}
info_log_path = {self.log_path}
protocols = imap
listen = {self.host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {b}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {b}/passwd
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
service imap-login {{
{chroot}  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
{chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
""",
            encoding="utf-8",
        )

    # -- lifecycle ----------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the Dovecot master process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def start(self) -> "Dovecot":
        """Start Dovecot and wait until an IMAP LOGIN works."""
        if self._closed:
            raise DovecotError("this Dovecot was closed")
        if self.running:
            return self
        attempts = 1 if self._fixed_port else 3
        for attempt in range(attempts):
            try:
                self._start_once()
                return self
            except DovecotError:
                in_use = "Address already in use" in self._log_tail()
                if not in_use or attempt == attempts - 1:
                    raise
                self.port = free_port()
                self._write_config()
        raise AssertionError("unreachable")

    def _start_once(self) -> None:
        with open(os.devnull, "rb") as devnull_in, open(self.base / "stdout.log", "ab") as out:
            proc = subprocess.Popen(
                [DOVECOT_BINARY, "-F", "-c", str(self.config_path)],
                stdin=devnull_in,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._proc = proc
        self._finalizer = weakref.finalize(self, _kill_group, proc)
        deadline = time.monotonic() + _START_TIMEOUT
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self._proc = None
                self._finalizer.detach()
                raise DovecotError(
                    f"dovecot exited with {proc.returncode} while starting:\n{self._log_tail()}"
                )
            if _port_open(self.host, self.port):
                try:
                    self._probe_login()
                    return
                except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
                    last_error = exc
            time.sleep(0.02)
        self._terminate()
        raise DovecotError(
            f"dovecot did not accept an IMAP LOGIN on {self.host}:{self.port} within "
            f"{_START_TIMEOUT}s (last error: {last_error!r}):\n{self._log_tail()}"
        )

    def _probe_login(self) -> None:
        client = IMAPClient(self.host, self.port, ssl=False, timeout=2.0)
        try:
            if self.users:
                user, password = next(iter(self.users.items()))
                client.login(user, password)
        finally:
            try:
                client.logout()
            except Exception:  # noqa: BLE001 - the probe only cares about LOGIN
                client.shutdown()

    def _terminate(self, graceful: bool = True) -> None:
        proc = self._proc
        if proc is None:
            return
        self._proc = None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                proc.wait(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        # Children normally die with the master; make sure none outlives it.
        _kill_group(proc)

    def stop(self) -> None:
        """Stop Dovecot (SIGTERM, then wait); the mail data is kept."""
        self._terminate()

    def restart(self) -> "Dovecot":
        """Stop then start again on the same port with the same mail."""
        self.stop()
        self._fixed_port = True
        return self.start()

    def close(self) -> None:
        """Kill Dovecot and delete its directory (the mail is discarded, so no SIGTERM wait)."""
        self._terminate(graceful=False)
        if not self._closed:
            self._closed = True
            shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> "Dovecot":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- IMAP helpers -------------------------------------------------------

    def client(self, user: str) -> IMAPClient:
        """A logged-in, plaintext IMAPClient for *user*; the caller logs out."""
        client = IMAPClient(self.host, self.port, ssl=False, timeout=30.0)
        try:
            client.login(user, self.users[user])
        except BaseException:
            client.shutdown()
            raise
        return client

    def _session(self, user: str) -> "_Session":
        return _Session(self.client(user))

    def create_folder(self, user: str, name: str) -> None:
        """Create folder *name* for *user* unless it exists."""
        with self._session(user) as c:
            if not c.folder_exists(name):
                c.create_folder(name)

    def append(
        self,
        user: str,
        folder: str,
        raw: bytes,
        flags: Sequence[str | bytes] = (),
        create: bool = True,
    ) -> int:
        """Append one message and return its UID (from APPENDUID)."""
        with self._session(user) as c:
            if create and not c.folder_exists(folder):
                c.create_folder(folder)
            response = c.append(folder, raw, flags=tuple(flags))
        return _appenduid(response)[-1]

    def multiappend(
        self, user: str, folder: str, raws: Iterable[bytes], create: bool = True, batch: int = 500
    ) -> list[int]:
        """Append many messages (MULTIAPPEND, in batches) and return their UIDs."""
        items = list(raws)
        uids: list[int] = []
        with self._session(user) as c:
            if create and not c.folder_exists(folder):
                c.create_folder(folder)
            use_multi = c.has_capability("MULTIAPPEND")
            for i in range(0, len(items), batch):
                chunk = items[i : i + batch]
                if use_multi:
                    uids.extend(_appenduid(c.multiappend(folder, chunk)))
                else:
                    for raw in chunk:
                        uids.extend(_appenduid(c.append(folder, raw)))
        return uids

    def uids(self, user: str, folder: str) -> list[int]:
        """Sorted UIDs of every message in *folder*."""
        with self._session(user) as c:
            c.select_folder(folder, readonly=True)
            return sorted(int(u) for u in c.search("ALL"))

    def keywords(self, user: str, folder: str) -> dict[int, set[str]]:
        """UID -> flags (system flags and keywords, as str) of every message in *folder*."""
        with self._session(user) as c:
            c.select_folder(folder, readonly=True)
            # IMAPClient 4 cannot fetch "1:*" (it int()s the message set): list UIDs first.
            uids = c.search("ALL")
            if not uids:
                return {}
            data = c.fetch(uids, ["FLAGS"])
        return {int(uid): {_flag_str(f) for f in item.get(b"FLAGS", ())} for uid, item in data.items()}


class _Session:
    """Context manager that logs an IMAPClient out on exit."""

    def __init__(self, client: IMAPClient) -> None:
        self.client = client

    def __enter__(self) -> IMAPClient:
        return self.client

    def __exit__(self, *exc: object) -> None:
        try:
            self.client.logout()
        except Exception:  # noqa: BLE001 - best effort
            self.client.shutdown()


@dataclass(frozen=True)
class CapturedMessage:
    """One message accepted by :class:`SmtpCapture`."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage = field(repr=False)


class _CaptureHandler:
    """aiosmtpd handler that records messages into its owner."""

    def __init__(self, owner: "SmtpCapture") -> None:
        self.owner = owner

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return self.owner._receive(envelope)


class SmtpCapture:
    """An SMTP sink on 127.0.0.1 that records every message it accepts.

    It can be stopped and started again on the same port (outage tests), and
    :meth:`fail_next` makes it refuse the next messages with a temporary error.
    """

    def __init__(self, port: int | None = None, data_size_limit: int = 100 * 1024 * 1024) -> None:
        self.host: str = HOST
        self.port: int = port if port is not None else free_port()
        self._data_size_limit = data_size_limit
        self._messages: list[CapturedMessage] = []
        self._cond = threading.Condition()
        self._fail_count = 0
        self._fail_code = ""
        self._controller: Controller | None = None

    def _receive(self, envelope: Envelope) -> str:
        with self._cond:
            if self._fail_count > 0:
                self._fail_count -= 1
                return self._fail_code
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        captured = CapturedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            raw=raw,
            message=parsed,
        )
        with self._cond:
            self._messages.append(captured)
            self._cond.notify_all()
        return "250 OK"

    @property
    def running(self) -> bool:
        """True while the server is listening."""
        return self._controller is not None

    def start(self) -> "SmtpCapture":
        """Start listening (on the same port as before, if restarted)."""
        if self._controller is None:
            controller = Controller(
                _CaptureHandler(self),
                hostname=self.host,
                port=self.port,
                data_size_limit=self._data_size_limit,
                ready_timeout=10.0,
            )
            controller.start()
            self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening; recorded messages are kept."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> "SmtpCapture":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def messages(self) -> list[CapturedMessage]:
        """A copy of the messages received so far."""
        with self._cond:
            return list(self._messages)

    def clear(self) -> None:
        """Forget the messages received so far."""
        with self._cond:
            self._messages.clear()

    def fail_next(self, n: int, code: str = "451 4.3.0 try later") -> None:
        """Refuse the next *n* messages at DATA with *code*."""
        with self._cond:
            self._fail_count = n
            self._fail_code = code

    def wait_for(self, count: int, timeout: float = 10.0) -> list[CapturedMessage]:
        """Wait until at least *count* messages arrived and return them all."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._messages) >= count, timeout=timeout):
                raise AssertionError(
                    f"SmtpCapture on {self.host}:{self.port}: expected at least {count} "
                    f"message(s) within {timeout}s, got {len(self._messages)}"
                )
            return list(self._messages)
