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
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mailbot.settings import ImapSettings
from mailbot.errors import SourceError
from mailbot.sources import Envelope

log = logging.getLogger(__name__)
NET_ERRORS = (IMAPClientError, OSError, socket.timeout, ssl.SSLError, EOFError)


_UID = re.compile(rb"\bUID (\d+)")


def uid_set(uids: list[int]) -> str:
    """A UID set in ranges ("3:7,9"): a command line stays short however large the batch."""
    runs: list[str] = []
    ordered = sorted(set(uids))
    start = 0
    for n in range(1, len(ordered) + 1):
        if n == len(ordered) or ordered[n] != ordered[n - 1] + 1:
            first, last = ordered[start], ordered[n - 1]
            runs.append(str(first) if first == last else f"{first}:{last}")
            start = n
    return ",".join(runs)


def parse_fetched_literals(lines: list[Any]) -> dict[int, bytes]:
    """UID -> literal of an imaplib FETCH answer: (b'1 (UID 7 BODY[...] {490}', b'...')
    tuples, the UID before the literal or in the b' UID 7)' line after it; answers
    without a literal (a concurrent flag change) are skipped."""
    found: dict[int, bytes] = {}
    waiting: bytes | None = None
    for line in lines:
        if isinstance(line, tuple) and len(line) == 2:
            uid = _UID.search(line[0])
            if uid is not None:
                found[int(uid.group(1))], waiting = bytes(line[1]), None
            else:
                waiting = bytes(line[1])
        elif isinstance(line, bytes) and waiting is not None:
            uid = _UID.search(line)
            if uid is not None:
                found[int(uid.group(1))] = waiting
            waiting = None
    return found


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

    def pending(self, since: int | None = None) -> list[Envelope]:
        """SEARCH ALL, or UID SEARCH `since`:* (which also answers the last UID when
        none is that high: filtered)."""
        try:
            client = self._c()
            client.noop()
            found = client.search(["ALL"] if since is None else ["UID", f"{since}:*"])
        except NET_ERRORS as err:
            raise SourceError(f"{self.mailbox}: search failed: {err}") from err
        uids = sorted(u for u in found if since is None or u >= since)
        return [Envelope(self.role, self.mailbox, self.uidvalidity, u, "", 0, self.account)
                for u in uids]

    def sized(self, envelopes: list[Envelope]) -> list[Envelope]:
        """RFC822.SIZE, 1,000 at a time (Dovecot reads a whole file to tell its size:
        not for a folder read by header fields)."""
        sizes: dict[int, int] = {}
        try:
            for start in range(0, len(envelopes), 1000):
                chunk = [e.uid for e in envelopes[start:start + 1000]]
                for uid, data in self._c().fetch(chunk, [b"RFC822.SIZE"]).items():
                    sizes[uid] = int(data.get(b"RFC822.SIZE", 0))
        except NET_ERRORS as err:
            raise SourceError(f"{self.mailbox}: size fetch failed: {err}") from err
        return [replace(e, size=sizes[e.uid]) for e in envelopes if e.uid in sizes]

    def fetch(self, envelopes: list[Envelope], fields: Sequence[str] | None = None
              ) -> Iterator[tuple[Envelope, bytes]]:
        """BODY.PEEK[] or, with `fields`, BODY.PEEK[HEADER.FIELDS (...)]: a tenth of the
        header block, which Received and DKIM lines make 5 kB a message."""
        by_uid = {e.uid: e for e in envelopes}
        try:
            if fields is None:
                answers = {uid: bytes(data[b"BODY[]"]) for uid, data in
                           self._c().fetch(list(by_uid), [b"BODY.PEEK[]"]).items()
                           if b"BODY[]" in data}
            else:
                answers = self._header_fields(sorted(by_uid), fields)
        except NET_ERRORS as err:
            raise SourceError(f"{self.mailbox}: fetch failed: {err}") from err
        for uid in sorted(by_uid):
            if uid in answers:
                yield by_uid[uid], answers[uid]

    def _header_fields(self, uids: list[int], fields: Sequence[str]) -> dict[int, bytes]:
        """UID FETCH of header fields through imapclient's own imaplib connection.

        imapclient lexes the field list the server echoes for every message one
        byte at a time in Python: 60% of a list catch-up. imaplib hands back each
        literal whole; the UID is read from the line around it."""
        imap = getattr(self._c(), "_imap", None)
        names = " ".join(sorted({f.upper() for f in fields}))
        if imap is None:  # an imapclient without it: its own (slower) fetch
            item = f"BODY.PEEK[HEADER.FIELDS ({names})]".encode("ascii")
            return {uid: bytes(next(v for k, v in data.items() if k.startswith(b"BODY[")))
                    for uid, data in self._c().fetch(uids, [item]).items()}
        if not uids:
            return {}
        status, lines = imap.uid("FETCH", uid_set(uids),
                                 f"(UID BODY.PEEK[HEADER.FIELDS ({names})])")
        if status != "OK":
            raise IMAPClientError(f"UID FETCH: {status} {lines!r}")
        return parse_fetched_literals(lines)

    def fetch_one(self, envelope: Envelope) -> bytes:
        return bytes(self._fetch_item(envelope, b"BODY.PEEK[]")[b"BODY[]"])

    def size(self, envelope: Envelope) -> int:
        return int(self._fetch_item(envelope, b"RFC822.SIZE").get(b"RFC822.SIZE", 0))

    def _fetch_item(self, envelope: Envelope, item: bytes) -> dict[bytes, Any]:
        try:
            data = self._c().fetch([envelope.uid], [item])
        except NET_ERRORS as err:
            raise SourceError(f"{self.mailbox}: fetch failed: {err}") from err
        if envelope.uid not in data:
            raise SourceError(f"{envelope.key}: message has disappeared")
        return dict(data[envelope.uid])

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

    def settle(self, envelopes: list[Envelope]) -> None:
        """Nothing to do: a pass lists UIDs from the folder's mark on."""

    def wait(self, timeout: float) -> bool:
        """IDLE (or poll) until the folder changes, the timeout, or interrupt()."""
        client = self._c()
        deadline = time.monotonic() + min(timeout, self.settings.idle_seconds)
        if not self.can_idle:
            return self._stop.wait(min(timeout, self.settings.poll_seconds))
        try:
            client.idle()
            try:
                if _news_before_idle(client):
                    return True
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


def _news_before_idle(client: IMAPClient) -> bool:
    """EXISTS or RECENT the server sent before IDLE's continuation line: imaplib files
    them aside while it waits for the "+", and idle_check() never shows them."""
    untagged = getattr(getattr(client, "_imap", None), "untagged_responses", None)
    if not isinstance(untagged, dict):
        return False
    return bool(untagged.pop("EXISTS", None)) | bool(untagged.pop("RECENT", None))
