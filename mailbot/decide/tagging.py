"""GO/GT tagging of list posts, as an ordered table of steps, first answer wins.

    subject   an explicit [GO] / [GT] tag in the Subject
    thread    the tag of the post this one answers (In-Reply-To, References)
    roster    the author's roster group, mapped by the rules' [groups] table
    keyword   the `tag` stage of the rule files
Otherwise the post stays unclassified, for a human. Pure: facts in, tag out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr

from mailbot.decide.facts import Context
from mailbot.mime.incoming import Incoming
from mailbot.decide.rules import Facts, RuleSet

SUBJECT_TAG = re.compile(r"\[\s*(GO|GT)\s*\]", re.IGNORECASE)
DEFAULT_GROUPS = {"GO": "GO", "GT": "GT", "COTECH": "GT", "HABITANTS": "HABITANTS"}
AUTHOR_HEADERS = ("X-Original-From", "Reply-To")  # where Sympa keeps the author under DMARC


def author_of(msg: Incoming, list_address: str) -> str | None:
    """The real author of a list post: the sender, unless Sympa rewrote From to the
    list's own address (DMARC), in which case X-Original-From, then Reply-To."""
    if msg.from_email and msg.from_email != list_address:
        return msg.from_email
    for name in AUTHOR_HEADERS:
        value = msg.header(name)
        if value and "@" in value:
            address = parseaddr(value)[1].lower()
            if address and address != list_address:
                return address
    return msg.from_email


@dataclass(frozen=True)
class Tag:
    """A tag and the step that gave it (None: unclassified)."""

    tag: str | None
    step: str
    rule: str | None = None


def _subject(facts: Facts, ctx: Context, rules: RuleSet) -> Tag | None:
    found = SUBJECT_TAG.search(str(facts.get("subject") or ""))
    return Tag(found.group(1).upper(), "subject") if found else None


def _thread(facts: Facts, ctx: Context, rules: RuleSet) -> Tag | None:
    return Tag(ctx.thread_tag, "thread") if ctx.thread_tag else None


def _roster(facts: Facts, ctx: Context, rules: RuleSet) -> Tag | None:
    if ctx.author is None:
        return None
    groups = {**DEFAULT_GROUPS, **rules.groups}
    tag = groups.get(ctx.author.group.upper())
    return Tag(tag, "roster") if tag else None


def _keyword(facts: Facts, ctx: Context, rules: RuleSet) -> Tag | None:
    decision = rules.decide("tag", facts)
    return Tag(decision.result, "keyword", decision.rule) if decision.result else None


STEPS: tuple[tuple[str, Callable[[Facts, Context, RuleSet], Tag | None]], ...] = (
    ("subject", _subject),
    ("thread", _thread),
    ("roster", _roster),
    ("keyword", _keyword),
)


def tag_post(facts: Facts, ctx: Context, rules: RuleSet) -> Tag:
    """The tag of a list post; Tag(None, "unclassified") when no step answers."""
    for _name, step in STEPS:
        tag = step(facts, ctx, rules)
        if tag is not None:
            return tag
    return Tag(None, "unclassified")


def rule_headers(rules: RuleSet, stage: str = "tag") -> tuple[str, ...]:
    """The header fields the stage's rules test by name (`header:Name` facts)."""
    return tuple(sorted({m.field.partition(":")[2] for r in rules.stage(stage)
                         for m in (*r.all, *r.any, *r.none) if m.field.startswith("header:")}))


def needs_body(rules: RuleSet) -> bool:
    """Whether the keyword step reads the body (so headers alone are not enough)."""
    body_fields = {"text", "first_lines", "quoted", "body", "attachments", "attachment_types",
                   "documents"}
    return any(m.field in body_fields for r in rules.stage("tag") for m in (*r.all, *r.any, *r.none))
