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

from mailbot.config import SmtpSettings
from mailbot.errors import DeliveryError


class SmtpTransport:
    """Sends through an SMTP server with aiosmtplib (SSL, STARTTLS or plain)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    async def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        s = self.settings
        try:
            await aiosmtplib.send(
                raw, sender=sender, recipients=recipients, hostname=s.host, port=s.port,
                username=s.username or None, password=str(s.password) or None,
                use_tls=s.tls == "ssl", start_tls=True if s.tls == "starttls" else False,
                timeout=s.timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as err:
            raise DeliveryError(f"SMTP {s.host}:{s.port}: {err}") from err


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
