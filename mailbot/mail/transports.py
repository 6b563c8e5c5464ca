"""Transports for finished mail: an SMTP server (aiosmtplib) or a local folder.

The folder transport is the embedded default: each mail becomes one `.eml`
file named after its Message-ID, so writing it twice leaves one file.
"""

from __future__ import annotations

import hashlib
import os
import re
from email.parser import BytesHeaderParser
from pathlib import Path

import aiosmtplib

from mailbot.settings import SmtpSettings
from mailbot.errors import DeliveryError


class SmtpTransport:
    """Sends through an SMTP server with aiosmtplib (SSL, STARTTLS or plain).

    One connection serves a whole outbox flush (`close()` ends it): a message's
    250 reaches the caller, who marks it sent, before any QUIT round trip, which
    keeps the crash window for a duplicate as short as it can be.
    """

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.host, port=s.port, username=s.username or None,
            password=str(s.password) or None, use_tls=s.tls == "ssl",
            start_tls=True if s.tls == "starttls" else False, timeout=s.timeout_s,
        )
        await client.connect()
        return client

    async def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        s = self.settings
        try:
            reused = self._client is not None and self._client.is_connected
            if not reused:
                self._client = await self._connect()
            assert self._client is not None
            try:
                await self._client.sendmail(sender, recipients, raw)
            except aiosmtplib.SMTPServerDisconnected:
                if not reused:
                    raise
                self._client = await self._connect()  # the server dropped an idle connection
                await self._client.sendmail(sender, recipients, raw)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as err:
            await self.close()
            raise DeliveryError(f"SMTP {s.host}:{s.port}: {err}") from err

    async def close(self) -> None:
        """End the connection (QUIT), if one is open."""
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()


class FolderTransport:
    """Writes each mail as `<hash of Message-ID>.eml` in a folder (atomic rename)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        headers = BytesHeaderParser().parsebytes(raw)
        msgid = str(headers.get("Message-ID", "")) or hashlib.sha256(raw).hexdigest()
        stem = re.sub(r"[^A-Za-z0-9]", "", hashlib.sha256(msgid.encode()).hexdigest())[:32]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{stem}.tmp"
            envelope = f"X-Envelope-From: {sender}\nX-Envelope-To: {', '.join(recipients)}\n"
            tmp.write_bytes(envelope.encode() + raw)
            os.replace(tmp, self.folder / f"{stem}.eml")
        except OSError as err:
            raise DeliveryError(f"cannot write to {self.folder}: {err}") from err
