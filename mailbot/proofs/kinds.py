"""The candidate proofs of a message and the kind of each (rules stage "proof_kind").

Candidates ("items") are every non-empty attachment, wherever it sits (outer
message, attached .eml, winmail.dat), and every forwarded message (attached or
inline). For each, the text is read (`doctext`), and a ticket reader is tried
(`mailbot.tickets`: the PDF readers on a PDF's text, the email readers on a
forwarded booking mail). Then the rules of stage ``proof_kind`` decide, with
the message's facts plus the item's own (`item`, `item_name`, `item_type`,
`item_size`, `item_inline`, `item_head`, `item_text`, `item_from`,
`item_by_sender`, `item_ticket`). The first matching rule gives the kind: one
of `mailbot.proofs.KINDS`, "other" (kept for a human), or "none" (not a proof:
logos, invitations, the AMO's own mail). With no rule matching, an attachment
is "other" and a forward "none".

Before any rule, each file is checked (`validity`): one that does not open
(password, damaged, cut short, not what its name says, broken in transit) is
"unusable" whatever its name, with the reason; no rule and no ticket reader
sees it.

Reading happens here, before the handler writes anything: no database, no
network; the ticket and PDF readers are bounded.
"""

from __future__ import annotations

import hashlib
import logging
from collections import ChainMap
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from mailbot.decide import facts as facts_mod
from mailbot.decide.facts import Context
from mailbot.mime.incoming import Attachment, Forwarded, Incoming
from mailbot.proofs.labels import KINDS, NOT_A_PROOF, OTHER, UNUSABLE
from mailbot.proofs.attribution import fold
from mailbot.proofs.doctext import document_text
from mailbot.proofs.validity import check
from mailbot.decide.rules import FactValue, RuleSet
from mailbot.tickets import TicketResult, extract_from_email, extract_from_pdf_text

log = logging.getLogger(__name__)
STAGE = "proof_kind"
RESULTS = frozenset((*KINDS, OTHER, NOT_A_PROOF))
_NOT_JUDGED = ("image/", "text/calendar", "text/vcard", "text/x-vcard")  # no claim of a document


@dataclass
class Item:
    """One candidate proof, read, and (once `decide` ran) its kind."""

    item: str  # attachment | forward
    name: str  # display name (file name, or "mail de <sender>")
    content_type: str
    data: bytes  # what is stored: the file, or the forwarded message as text
    sha256: str
    inline: bool = False
    text: str = ""
    forward_from: str | None = None
    subject: str = ""  # of a forwarded message
    by_sender: bool = False
    ticket: TicketResult | None = None
    problems: list[str] = field(default_factory=list)
    kind: str = OTHER
    rule: str = ""

    @property
    def ticket_reader(self) -> str:
        if self.ticket is None:
            return ""
        return self.ticket.layout or "generic"


def _head(text: str, lines: int = 6) -> str:
    return "\n".join([x.strip() for x in text.splitlines() if x.strip()][:lines])


def _day(msg: Incoming) -> date | None:
    return msg.date.date() if msg.date else None


def attachment_item(att: Attachment, msg: Incoming) -> Item:
    """Read one attachment: its text and, for a PDF, a ticket."""
    item = Item("attachment", att.filename or "sans nom", att.sniffed_type, att.data, att.sha256,
                inline=att.inline)
    doc = None
    if not att.sniffed_type.startswith(_NOT_JUDGED):
        doc = document_text(att.data, att.sniffed_type, att.filename)
    verdict = check(att.data, name=att.filename, declared=att.content_type,
                    sniffed=att.sniffed_type, transfer_defect=att.transfer_defect,
                    pdf=doc.pdf if doc else None)
    if not verdict.usable:
        item.kind, item.rule, item.problems = UNUSABLE, "validité", [verdict.reason]
        return item
    if doc is None:
        return item
    item.text = doc.text
    if doc.problem:
        item.problems.append(doc.problem)
    if att.sniffed_type == "application/pdf" and doc.text:
        item.ticket = extract_from_pdf_text(doc.text, message_date=_day(msg))
        if item.ticket is not None:
            item.problems.extend(item.ticket.problems)
    return item


def forward_item(fwd: Forwarded, msg: Incoming, own: Collection[str], own_name: str) -> Item:
    """A forwarded message as a candidate: stored as a small text file."""
    sender = fwd.sender.email if fwd.sender else ""
    shown = "expéditeur inconnu"
    if fwd.sender is not None:
        shown = f"{fwd.sender.name} ({sender})" if fwd.sender.name else sender
    when = fwd.date.isoformat() if fwd.date else ""
    body = "\n".join(" ".join(line.split()) for line in fwd.text.splitlines() if line.strip())
    blob = f"De : {shown}\nDate : {when}\nObjet : {fwd.subject}\n\n{body}\n".encode()
    by_sender = bool(sender and sender in own) or bool(
        fwd.sender and own_name and fold(fwd.sender.name) == fold(own_name))
    item = Item("forward", f"mail de {shown}", "text/plain", blob,
                hashlib.sha256(blob).hexdigest(), text=fwd.text, forward_from=sender or None,
                subject=fwd.subject, by_sender=by_sender)
    item.ticket = extract_from_email(
        sender=sender or None, subject=fwd.subject, text=fwd.text,
        html=msg.html if fwd.how == "inline" else "",
        message_date=fwd.date.date() if fwd.date else _day(msg))
    if item.ticket is not None:
        item.problems.extend(item.ticket.problems)
    return item


def items_of(msg: Incoming, own: Collection[str], own_name: str) -> tuple[list[Item], list[str]]:
    """Every candidate of the message, and the names of empty files (never candidates)."""
    empty = [a.filename or "sans nom" for a in msg.attachments if a.size == 0]
    found = [attachment_item(a, msg) for a in msg.attachments if a.size > 0]
    found += [forward_item(f, msg, own, own_name) for f in msg.forwards]
    return found, empty


def item_facts(base: Mapping[str, FactValue], item: Item) -> Mapping[str, FactValue]:
    """The message's facts plus the item's (the message's still read on first use)."""
    return ChainMap({
        "item": item.item,
        "item_name": item.subject if item.item == "forward" else item.name,
        "item_type": item.content_type,
        "item_size": len(item.data),
        "item_inline": item.inline,
        "item_head": _head(item.text),
        "item_text": item.text,
        "item_from": item.forward_from,
        "item_by_sender": item.by_sender,
        "item_ticket": item.ticket_reader,
    }, base)  # type: ignore[arg-type]


def decide(rules: RuleSet, msg: Incoming, ctx: Context, items: list[Item]) -> None:
    """Set each item's kind and the rule that decided it."""
    base = facts_mod.build(msg, ctx)
    for item in items:
        if item.kind == UNUSABLE:
            continue  # decided by `validity`, before any rule
        decision = rules.decide(STAGE, item_facts(base, item))
        kind = decision.result or (OTHER if item.item == "attachment" else NOT_A_PROOF)
        if kind not in RESULTS:
            log.warning("rule %s: unknown proof kind %r, kept as %s", decision.rule, kind, OTHER)
            kind = OTHER
        item.kind, item.rule = kind, decision.rule or "défaut"
