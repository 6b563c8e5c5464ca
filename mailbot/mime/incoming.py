"""The normalised incoming message every other module reads.

`Incoming` is built by `mailbot.mime.parse` from raw bytes (or from headers only,
for fast list tagging). It owns no behaviour beyond small accessors: guards,
rules and handlers read it, nothing writes it after parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message


@dataclass(frozen=True)
class Address:
    """One mailbox: display name (decoded) and address (lower-cased)."""

    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass
class Attachment:
    """One file carried by the message (or by a message forwarded inside it)."""

    filename: str  # decoded display name (RFC 2231/2047, NFC); never a path
    content_type: str  # as declared by the sender
    sniffed_type: str  # from the bytes themselves ("application/pdf", "image/jpeg", ...)
    data: bytes
    sha256: str
    inline: bool  # disposition inline, or a Content-ID image inside multipart/related
    content_id: str | None = None
    forward_index: int | None = None  # index in Incoming.forwards, None: the outer message
    transfer_defect: str = ""  # its base64 body was damaged in transit (mime.transfer), French

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def is_calendar(self) -> bool:
        """A calendar file (text/calendar, application/ics, .ics)."""
        kind = self.content_type.lower()
        return kind.startswith("text/calendar") or kind == "application/ics" or \
            self.filename.lower().endswith(".ics")


@dataclass
class Forwarded:
    """A message forwarded inside this one: attached message/rfc822 or an inline forward."""

    how: str  # "rfc822" | "inline" | "tnef"
    sender: Address | None
    subject: str
    date: datetime | None
    text: str


@dataclass
class Incoming:
    """One received message, decoded once, read by guards, rules and handlers."""

    message_id: str  # without angle brackets; "sha256:<hex>" when the message has none
    subject: str
    from_: Address | None
    sender: Address | None  # the Sender: header
    reply_to: list[Address]
    to: list[Address]
    cc: list[Address]
    date: datetime | None  # timezone-aware
    in_reply_to: str | None
    references: list[str]
    headers: Message  # the outer header block, for guards and rules
    raw_size: int
    text: str = ""  # the new text of the outer message (html converted when no plain part)
    html: str = ""
    quoted: str = ""  # quoted text and anything after a forward separator
    attachments: list[Attachment] = field(default_factory=list)
    forwards: list[Forwarded] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    has_body: bool = True  # False when built from the header block alone
    raw: bytes = field(default=b"", repr=False)  # the bytes as fetched (set by the pipeline)
    # lower-case name -> decoded values, as in `headers` (Message.get scans every field on
    # each call, and guards ask for a dozen names); built on first use when not given
    header_index: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    def _values(self, name: str) -> list[str]:
        if self.header_index is None:
            index: dict[str, list[str]] = {}
            for key, value in self.headers.items():
                index.setdefault(key.lower(), []).append(str(value))
            self.header_index = index
        return self.header_index.get(name.lower(), [])

    def header(self, name: str) -> str | None:
        """The first value of a header, decoded, or None."""
        values = self._values(name)
        return values[0] if values else None

    def header_all(self, name: str) -> list[str]:
        """Every value of a header, decoded."""
        return list(self._values(name))

    @property
    def answers(self) -> list[str]:
        """The Message-IDs this message answers, nearest first (In-Reply-To, then
        References from the last)."""
        return [i for i in [self.in_reply_to, *reversed(self.references)] if i]

    @property
    def from_email(self) -> str | None:
        return self.from_.email if self.from_ else None

    @property
    def is_invitation(self) -> bool:
        """A calendar invitation: a text/calendar part or an .ics file."""
        return "calendar" in (self.header("Content-Type") or "").lower() or any(
            a.is_calendar for a in self.attachments)
