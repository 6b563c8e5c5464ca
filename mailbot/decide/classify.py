"""Classification: guards first, then the `classify` rules, then tagging.

Pure: the message, its context and the rule set in; a `Verdict` out. The
categories are those of CATEGORIES; list posts also get their GO/GT tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mailbot.decide import facts as facts_mod
from mailbot.decide.facts import Context
from mailbot.decide.guards import GuardEnv, run_guards
from mailbot.mime.incoming import Incoming
from mailbot.decide.rules import RuleSet
from mailbot.decide.tagging import tag_post
from mailbot.vocab import Category

CATEGORIES = tuple(Category)


@dataclass(frozen=True)
class Verdict:
    """What a message is, and why."""

    category: str
    reason: str
    hits: tuple[str, ...] = ()
    tag: str | None = None
    tag_step: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)


def classify(msg: Incoming, ctx: Context, rules: RuleSet, env: GuardEnv) -> Verdict:
    """Guards, then rules: the first that decides gives the category."""
    hit = run_guards(msg, env)
    if hit is not None:
        return Verdict(hit.category, hit.reason, (f"guard:{hit.guard}",), values=hit.details)
    facts = facts_mod.build(msg, ctx)
    if ctx.role == "list":
        tag = tag_post(facts, ctx, rules)
        hits = (f"tag:{tag.step}",) + ((tag.rule,) if tag.rule else ())
        return Verdict("list_post", "message de la liste", hits, tag.tag, tag.step)
    decision = rules.decide("classify", facts)
    if decision.result is None:
        return Verdict("other", "aucune règle ne s'applique")
    if decision.result not in CATEGORIES:
        return Verdict("other", f"règle {decision.rule} : catégorie inconnue {decision.result}")
    return Verdict(decision.result, f"règle {decision.rule}", (decision.rule or "",),
                   values=decision.values)
