"""Proof kinds on mail as four clients write it (tests.support.clientcorpus), dev and held-out.

Each message goes through parsing, the guards and the classification rules (is it a proof
message at all?) and the proof_kind stage (what is each file and forward?), as the proof
handler sees it. Figures: precision and recall of proof kinds over every file and forward
(an "unusable" file counts as right only when it is reported unusable: never a proof).
Run with -s to see them; both splits must stay at or above 0.95.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.decide.classify import classify
from mailbot.decide.facts import FIELDS, Context
from mailbot.decide.guards import GuardEnv
from mailbot.decide.rules import RuleSet, load_rules
from mailbot.mime.parse import parse_message
from mailbot.proofs.labels import KINDS, UNUSABLE
from mailbot.proofs.kinds import decide, items_of
from tests.support.clientcorpus import corpus, score
from tests.support.clientmail import AMO, BOT, Case

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(ROOT / "rules", FIELDS)


def judged(rules: RuleSet, case: Case) -> list[tuple[str, str, str]]:
    """(name, expected, found) for each file and forward of one message."""
    msg = parse_message(case.raw)
    ctx = Context(role="inbox")
    verdict = classify(msg, ctx, rules, GuardEnv(bot_address=BOT))
    items, empty = items_of(msg, {AMO[1]}, AMO[0])
    decide(rules, msg, ctx, items)
    found = {(i.forward_from if i.item == "forward" else i.name) or "": i.kind for i in items}
    found.update({name: UNUSABLE for name in empty})
    if verdict.category != "proof":
        found = {name: f"message {verdict.category}" for name in found}
    out = [(name, kind, found.pop(name, "absent")) for name, kind in case.expected]
    return out + [(name, "none", kind) for name, kind in found.items()]


@pytest.mark.parametrize("split", ["dev", "held_out"])
def test_proof_kinds_precision_and_recall(rules: RuleSet, split: str) -> None:
    rows = [(case.id, *row) for case in corpus(split) for row in judged(rules, case)]
    precision, recall, predicted, expected = score([(e, f) for _, _, e, f in rows], KINDS)
    unusable = [(e, f) for _, _, e, f in rows if e == UNUSABLE]
    print(f"\n{split}: {len(corpus(split))} messages, {len(rows)} files and forwards; proof kinds "
          f"precision {precision:.3f} ({predicted} predicted), recall {recall:.3f} ({expected} expected); "
          f"unusable reported {sum(f == UNUSABLE for _, f in unusable)}/{len(unusable)}")
    for case_id, name, e, f in rows:
        if e != f:
            print(f"  miss {case_id}: {name}: expected {e}, found {f}")
    assert precision >= 0.95 and recall >= 0.95
    assert all(f == UNUSABLE for _, f in unusable)
