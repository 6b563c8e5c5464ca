"""The facts rules can test: built from an `Incoming` and a `Context`, purely.

`Context` carries what the database knew when the message arrived (who the
sender is, the thread's tag, which of our mails is being answered); the
pipeline fills it, so that classification stays free of I/O. `FIELDS` is the
registry of fact names; rule files may use only these (and `header:Name`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailbot.incoming import Incoming
from mailbot.rules import FactValue

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
    "attachments": "the display names of real attachments (not inline images, not empty)",
    "attachment_types": "the sniffed types of real attachments",
    "empty_attachments": "the display names of 0-byte attachments",
    "inline_images": "the display names of inline images (logos, signatures)",
    "calendar": "the message carries a calendar invitation",
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


def references(msg: Incoming) -> list[str]:
    """Every XXXX-XXXX reference in the subject, then the new text, then quotes."""
    found: list[str] = []
    for chunk in (msg.subject, msg.text, msg.quoted):
        for a, b in REFERENCE_RE.findall(chunk.upper() if chunk else ""):
            ref = f"{a}-{b}"
            if ref not in found:
                found.append(ref)
    return found


def build(msg: Incoming, ctx: Context) -> dict[str, FactValue]:
    """The facts of one message, keyed by FIELDS names (plus header:Name)."""
    real = [a for a in msg.attachments if not a.inline and a.size > 0]
    from_email = msg.from_email or ""
    facts: dict[str, FactValue] = {
        "role": ctx.role,
        "subject": msg.subject,
        "text": msg.text,
        "first_lines": _lines(msg.text),
        "quoted": msg.quoted,
        "body": f"{msg.text}\n{msg.quoted}",
        "from": from_email,
        "from_domain": from_email.rpartition("@")[2],
        "author": ctx.author_email,
        "sender_known": ctx.sender is not None,
        "sender_group": ctx.sender.group if ctx.sender else None,
        "author_group": ctx.author.group if ctx.author else None,
        "thread_tag": ctx.thread_tag,
        "in_reply_to_kind": ctx.in_reply_to_kind,
        "reference": references(msg),
        "attachments": [a.filename for a in real],
        "attachment_types": [a.sniffed_type for a in real],
        "empty_attachments": [a.filename for a in msg.attachments if a.size == 0],
        "inline_images": [a.filename for a in msg.attachments
                          if a.inline and a.sniffed_type.startswith("image/")],
        "calendar": msg.is_invitation,
        "forwards": [f.sender.email if f.sender else "" for f in msg.forwards],
        "forward_text": "\n".join(f.text for f in msg.forwards),
        "list_id": msg.header("List-Id") or "",
    }
    for name, value in msg.headers.items():
        key = f"header:{name.lower()}"
        facts.setdefault(key, str(value))
    return facts
