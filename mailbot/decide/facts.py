"""The facts rules can test: built from an `Incoming` and a `Context`, purely.

`Context` carries what the database knew when the message arrived (who the
sender is, the thread's tag, which of our mails is being answered); the
pipeline fills it, so that classification stays free of I/O. `FIELDS` is the
registry of fact names; rule files may use only these (and `header:Name`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from mailbot.mime.incoming import Attachment, Incoming
from mailbot.decide.rules import FactValue

REFERENCE_RE = re.compile(r"\b([A-HJ-NP-Z2-9]{4})-([A-HJ-NP-Z2-9]{4})\b")
DOCUMENT_TYPES = ("application/pdf", "image/", "application/vnd", "application/msword",
                  "application/zip", "text/csv", "application/octet-stream")

FIELDS: dict[str, str] = {
    "role": "the watched folder: list or inbox",
    "subject": "the decoded Subject",
    "text": "the new text of the message (quotes and forwards removed)",
    "first_lines": "the first 10 non-empty lines of the new text",
    "quoted": "quoted text and forwarded parts",
    "body": "new text and quoted text together",
    "from": "the From address",
    "from_domain": "the domain of the From address",
    "author": "the real author of a list post (Reply-To / X-Original-From under DMARC rewriting)",
    "sender_known": "the sender is on the roster (directly or by alias)",
    "sender_group": "the roster group of the sender (GO, GT, HABITANTS, COTECH)",
    "author_group": "the roster group of a list post's author",
    "thread_tag": "the GO/GT tag of the thread this message answers",
    "in_reply_to_kind": "the kind of our own mail this message answers",
    "reference": "the XXXX-XXXX references found in the subject and text",
    "own_reference": "the XXXX-XXXX references the sender wrote (subject and new text, no quote)",
    "attachments": "the display names of real attachments (not inline images, not empty)",
    "attachment_types": "the sniffed types of real attachments",
    "empty_attachments": "the display names of 0-byte attachments",
    "inline_images": "the display names of inline images (logos, signatures)",
    "calendar": "the message carries a calendar invitation",
    "documents": "the display names of real attachments that are not calendar files",
    "forwards": "the senders of forwarded messages (inline or attached)",
    "forward_text": "the text of the forwarded messages",
    "list_id": "the List-Id header",
    # Stage "proof_kind" only (mailbot.proofs.kinds): one candidate proof of the message.
    "item": "proof_kind: what is judged: attachment or forward",
    "item_name": "proof_kind: the file's display name, or the forwarded message's subject",
    "item_type": "proof_kind: the sniffed type of the file (forward: message/rfc822)",
    "item_size": "proof_kind: the file's size in bytes",
    "item_inline": "proof_kind: the file is inline (Content-ID image, inline disposition)",
    "item_head": "proof_kind: the first 6 non-empty lines of the item's text",
    "item_text": "proof_kind: the text read from the file, or the forwarded message's text",
    "item_from": "proof_kind: the sender of the forwarded message",
    "item_by_sender": "proof_kind: the forwarded message was written by the sender herself",
    "item_ticket": "proof_kind: the ticket reader that read the item, 'generic', or ''",
}


@dataclass(frozen=True)
class MemberView:
    """What the rules and handlers may know of a roster member."""

    id: int
    email: str
    name: str
    group: str
    status: str


@dataclass(frozen=True)
class Context:
    """What the database said about a message before it is classified."""

    role: str
    sender: MemberView | None = None  # the member the From address belongs to
    author_email: str | None = None  # list posts: the real author
    author: MemberView | None = None
    thread_tag: str | None = None
    in_reply_to_kind: str | None = None


def _lines(text: str, limit: int = 10) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:limit]


def references(msg: Incoming, quoted: bool = True) -> list[str]:
    """Every XXXX-XXXX reference in the subject, then the new text, then quotes."""
    found: list[str] = []
    for chunk in (msg.subject, msg.text, msg.quoted if quoted else ""):
        for a, b in REFERENCE_RE.findall(chunk.upper() if chunk else ""):
            ref = f"{a}-{b}"
            if ref not in found:
                found.append(ref)
    return found


def _real(msg: Incoming) -> list[Attachment]:
    return [a for a in msg.attachments if not a.inline and a.size > 0]


Getter = Callable[[Incoming, Context], FactValue]

# each fact of FIELDS (but the proof_kind items) and how it is read; computed on first use
GETTERS: dict[str, Getter] = {
    "role": lambda m, c: c.role,
    "subject": lambda m, c: m.subject,
    "text": lambda m, c: m.text,
    "first_lines": lambda m, c: _lines(m.text),
    "quoted": lambda m, c: m.quoted,
    "body": lambda m, c: f"{m.text}\n{m.quoted}",
    "from": lambda m, c: m.from_email or "",
    "from_domain": lambda m, c: (m.from_email or "").rpartition("@")[2],
    "author": lambda m, c: c.author_email,
    "sender_known": lambda m, c: c.sender is not None,
    "sender_group": lambda m, c: c.sender.group if c.sender else None,
    "author_group": lambda m, c: c.author.group if c.author else None,
    "thread_tag": lambda m, c: c.thread_tag,
    "in_reply_to_kind": lambda m, c: c.in_reply_to_kind,
    "reference": lambda m, c: references(m),
    "own_reference": lambda m, c: references(m, quoted=False),
    "attachments": lambda m, c: [a.filename for a in _real(m)],
    "attachment_types": lambda m, c: [a.sniffed_type for a in _real(m)],
    "empty_attachments": lambda m, c: [a.filename for a in m.attachments if a.size == 0],
    "inline_images": lambda m, c: [a.filename for a in m.attachments
                                   if a.inline and a.sniffed_type.startswith("image/")],
    "calendar": lambda m, c: m.is_invitation,
    "documents": lambda m, c: [a.filename for a in _real(m) if not a.is_calendar],
    "forwards": lambda m, c: [f.sender.email if f.sender else "" for f in m.forwards],
    "forward_text": lambda m, c: "\n".join(f.text for f in m.forwards),
    "list_id": lambda m, c: m.header("List-Id") or "",
}


class MessageFacts(Mapping[str, FactValue]):
    """The facts of one message, keyed by FIELDS names (plus header:name), each read
    on first use: a list post tagged by its subject never builds its other facts."""

    def __init__(self, msg: Incoming, ctx: Context) -> None:
        self.msg, self.ctx = msg, ctx
        self._known: dict[str, FactValue] = {}

    def __getitem__(self, key: str) -> FactValue:
        if key in self._known:
            return self._known[key]
        getter = GETTERS.get(key)
        if getter is not None:
            value = getter(self.msg, self.ctx)
        elif key.startswith("header:"):
            value = self.msg.header(key[7:])
            if value is None:
                raise KeyError(key)
        else:
            raise KeyError(key)
        self._known[key] = value
        return value

    def __iter__(self) -> Iterator[str]:
        yield from GETTERS
        seen: set[str] = set()
        for name in self.msg.headers.keys():
            key = f"header:{name.lower()}"
            if key not in seen:
                seen.add(key)
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)


def build(msg: Incoming, ctx: Context) -> MessageFacts:
    """The facts of one message (read lazily, see MessageFacts)."""
    return MessageFacts(msg, ctx)
