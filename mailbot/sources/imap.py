"""An IMAP folder as a mail source (imapclient): push by IDLE, fetch by PEEK.

One connection per watched folder. IDLE is re-issued before the 29-minute
limit of RFC 2177; a server without IDLE is polled. Keys carry the account
(user@host: daemons of two accounts may share one database) and UIDVALIDITY,
so a folder recreated with a new UIDVALIDITY yields new keys, and the
pipeline's Message-ID check keeps those messages from being handled twice.
Every network or protocol error becomes a SourceError; the worker reconnects.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Set

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mailbot.config import ImapSettings
from mailbot.errors import SourceError
from mailbot.sources import Envelope

log = logging.getLogger(__name__)
NET_ERRORS = (IMAPClientError, OSError, socket.timeout, ssl.SSLError, EOFError)


class ImapSource:
    """One IMAP folder with one role."""

    def __init__(self, settings: ImapSettings, mailbox: str, role: str) -> None:
        self.settings, self.mailbox, self.role = settings, mailbox, role
        self.client: IMAPClient | None = None
        self.uidvalidity = 0
        self.can_idle = False
        self.can_move = False
        self._stop = threading.Event()

    def open(self) -> None:
        self._stop.clear()  # here, not in wait(): an interrupt() just before wait() must hold
        s = self.settings
        try:
            client = IMAPClient(s.host, port=s.port, ssl=s.tls == "ssl", timeout=60)
            if s.tls == "starttls":
                client.starttls(ssl.create_default_context())
            client.login(s.username, str(s.password))
            self.can_idle = client.has_capability("IDLE")
            self.can_move = client.has_capability("MOVE")
            self._ensure_folder(client, s.quarantine_folder)
            info = client.select_folder(self.mailbox)
        except NET_ERRORS as err:
            raise SourceError(f"IMAP {s.host}:{s.port} {self.mailbox}: {err}") from err
        self.client = client
        new_validity = int(info[b"UIDVALIDITY"])
        if self.uidvalidity and new_validity != self.uidvalidity:
            log.warning("%s: UIDVALIDITY changed %s -> %s", self.mailbox, self.uidvalidity,
                        new_validity)
        self.uidvalidity = new_validity

    @staticmethod
    def _ensure_folder(client: IMAPClient, name: str) -> None:
        if not client.folder_exists(name):
            client.create_folder(name)

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.logout()
        except NET_ERRORS:
            try:
                client.shutdown()
            except NET_ERRORS:
                pass

    def _c(self) -> IMAPClient:
        if self.client is None:
            raise SourceError(f"{self.mailbox}: not connected")
        return self.client

    def known_prefix(self) -> str:
        return f"imap:{self.account}/{self.mailbox}/{self.uidvalidity}/"

    @property
    def account(self) -> str:
        """user@host: two accounts' folders (INBOX, same UIDVALIDITY) never share keys."""
        return f"{self.settings.username}@{self.settings.host}"

    def pending(self, known: Set[str]) -> list[Envelope]:
        try:
            client = self._c()
            client.noop()
            uids = sorted(client.search(["ALL"]))
            new = [u for u in uids if f"{self.known_prefix()}{u}" not in known]
            sizes: dict[int, int] = {}
            for start in range(0, len(new), 1000):
                chunk = new[start:start + 1000]
                for uid, data in client.fetch(chunk, [b"RFC822.SIZE"]).items():
                    sizes[uid] = int(data.get(b"RFC822.SIZE", 0))
        except NET_ERRORS as err:
            raise SourceError(f"{self.mailbox}: search failed: {err}") from err
        return [Envelope(self.role, self.mailbox, self.uidvalidity, u, "", sizes.get(u, 0),
                         self.account) for u in new if u in sizes]

    def fetch(self, envelopes: list[Envelope], headers_only: bool
              ) -> Iterator[tuple[Envelope, bytes]]:
        item = b"BODY.PEEK[HEADER]" if headers_only else b"BODY.PEEK[]"
        answer = b"BODY[HEADER]" if headers_only else b"BODY[]"
        by_uid = {e.uid: e for e in envelopes}
        try:
            data = self._c().fetch(list(by_uid), [item])
        except NET_ERRORS as err:
            raise SourceError(f"{self.mailbox}: fetch failed: {err}") from err
        for uid in sorted(by_uid):
            if uid in data and answer in data[uid]:
                yield by_uid[uid], bytes(data[uid][answer])

    def fetch_one(self, envelope: Envelope) -> bytes:
        try:
            data = self._c().fetch([envelope.uid], [b"BODY.PEEK[]"])
        except NET_ERRORS as err:
            raise SourceError(f"{self.mailbox}: fetch failed: {err}") from err
        if envelope.uid not in data:
            raise SourceError(f"{envelope.key}: message has disappeared")
        return bytes(data[envelope.uid][b"BODY[]"])

    def add_keyword(self, envelopes: list[Envelope], keyword: str) -> None:
        uids = [e.uid for e in envelopes if e.uidvalidity == self.uidvalidity]
        if not uids:
            return
        try:
            self._c().add_flags(uids, [keyword.encode()], silent=True)
        except NET_ERRORS as err:
            raise SourceError(f"{self.mailbox}: cannot set {keyword}: {err}") from err

    def quarantine(self, envelopes: list[Envelope]) -> None:
        uids = [e.uid for e in envelopes if e.uidvalidity == self.uidvalidity]
        if not uids:
            return
        target = self.settings.quarantine_folder
        try:
            client = self._c()
            present = set(client.search(["UID", ",".join(str(u) for u in uids)]))
            uids = [u for u in uids if u in present]  # a UID already moved is done
            if not uids:
                return
            if self.can_move:
                client.move(uids, target)
            else:
                client.copy(uids, target)
                client.delete_messages(uids)
                client.uid_expunge(uids) if client.has_capability("UIDPLUS") else client.expunge()
        except NET_ERRORS as err:
            raise SourceError(f"{self.mailbox}: cannot move to {target}: {err}") from err

    def wait(self, timeout: float) -> bool:
        """IDLE (or poll) until the folder changes, the timeout, or interrupt()."""
        client = self._c()
        deadline = time.monotonic() + min(timeout, self.settings.idle_seconds)
        if not self.can_idle:
            return self._stop.wait(min(timeout, self.settings.poll_seconds))
        try:
            client.idle()
            try:
                while not self._stop.is_set():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    step = min(left, 1.0)
                    started = time.monotonic()
                    responses = client.idle_check(timeout=step)
                    if any(isinstance(r, tuple) and r and r[0] == b"BYE" for r in responses):
                        raise SourceError(f"{self.mailbox}: server said BYE")
                    if any(r[1] in (b"EXISTS", b"RECENT") for r in responses
                           if isinstance(r, tuple) and len(r) > 1):
                        return True
                    if not responses and time.monotonic() - started < step / 2:
                        self._check_alive(client)
                return False
            finally:
                client.idle_done()
        except NET_ERRORS as err:
            raise SourceError(f"{self.mailbox}: IDLE failed: {err}") from err

    @staticmethod
    def _check_alive(client: IMAPClient) -> None:
        """idle_check swallows EOF: a readable socket with nothing to read is closed."""
        sock = client.socket()
        try:
            sock.setblocking(False)
            closed = sock.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            closed = False
        finally:
            sock.setblocking(True)
        if closed:
            raise SourceError("connection closed by the server")

    def interrupt(self) -> None:
        self._stop.set()
