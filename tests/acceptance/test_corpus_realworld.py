"""Acceptance over real mail nobody on this project wrote: `../shared/corpus/realworld/`
(skipped only when absent) and our own `tests/fixtures/realmail/` (always present),
whose held-out part is scored and reported apart.

The bar (issue #11): no reply to any `must_not_reply` message, no subscription change
caused by a robot's mail, category right for at least 97 %, and no plain bounce
quarantined. Each corpus runs once through the daemon on the embedded default.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from mailbot.models import OutboxMessage, ProcessedMessage
from mailbot.models.subscriptions import SubscriptionAudit, SubscriptionRequest
from tests.support.helpers import ROOT, run_corpus

pytestmark = [pytest.mark.acceptance]
REALWORLD = ROOT.parent / "shared" / "corpus" / "realworld"
REALMAIL = ROOT / "tests" / "fixtures" / "realmail"
CATEGORY_BAR = 0.97
ROBOT_CATEGORIES = {"bounce", "autoreply", "sympa"}


@dataclass
class Run:
    """What the daemon did with one corpus."""

    cases: list[dict[str, Any]]
    rows: dict[str, ProcessedMessage]
    replies: Counter[str] = field(default_factory=Counter)  # message_id -> replies sent
    changes: Counter[str] = field(default_factory=Counter)  # message_id -> subscription changes

    def score(self, subset: list[dict[str, Any]]) -> dict[str, Any]:
        good = [c for c in subset if self.rows[c["file"]].category == c["category"]]
        robots = [c for c in subset if c["must_not_reply"]]
        return {
            "total": len(subset), "good": len(good),
            "misses": [f"{c['file']}: {self.rows[c['file']].category} ({self.rows[c['file']].reason})"
                       f" attendu {c['category']}" for c in subset if c not in good],
            "answered": [c["file"] for c in robots if self.replies[self.rows[c["file"]].message_id]],
            "robot_changes": [c["file"] for c in subset if c["category"] in ROBOT_CATEGORIES
                              and self.changes[self.rows[c["file"]].message_id]],
            "bounce_quarantined": [c["file"] for c in subset if c["category"] == "bounce"
                                   and self.rows[c["file"]].status == "quarantined"],
        }


def run_dir(tmp: Path, corpus: Path) -> Run:
    """Every labelled file of `corpus` into the inbox of a fresh embedded daemon, run once."""
    cases: list[dict[str, Any]] = json.loads((corpus / "expected.json").read_text("utf-8"))
    app, rows = run_corpus(tmp, cases, corpus)
    with Session(app.engine) as s:
        run = Run(cases, rows)
        for out in s.exec(select(OutboxMessage)).all():
            if out.status != "suppressed" and out.cause_message_id:
                run.replies[out.cause_message_id] += 1
        for req in s.exec(select(SubscriptionRequest)).all():
            run.changes[req.asked_message_id or ""] += 1
        for audit in s.exec(select(SubscriptionAudit)).all():
            if audit.action in ("subscribe", "unsubscribe", "change_address", "remove"):
                run.changes[audit.message_id or ""] += 1
    return run


def _report(title: str, score: dict[str, Any]) -> None:
    print(f"\n{title}: category {score['good']}/{score['total']}"
          f" ({score['good'] / max(score['total'], 1):.1%}),"
          f" replies to must_not_reply {len(score['answered'])},"
          f" robot subscription changes {len(score['robot_changes'])},"
          f" bounces quarantined {len(score['bounce_quarantined'])}")
    for line in score["misses"]:
        print(f"  miss: {line}")
    for name in ("answered", "robot_changes", "bounce_quarantined"):
        for f in score[name]:
            print(f"  {name}: {f}")


def _check(score: dict[str, Any], category_bar: bool = True) -> None:
    assert score["answered"] == [], "replies to must_not_reply"
    assert score["robot_changes"] == [], "subscription changes caused by a robot"
    assert score["bounce_quarantined"] == [], "plain bounces quarantined"
    if category_bar:
        assert score["good"] >= CATEGORY_BAR * score["total"], score["misses"]


@pytest.mark.skipif(not REALWORLD.is_dir(), reason="../shared/corpus/realworld is absent")
def test_shared_realworld(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_dir(tmp_path, REALWORLD)
    assert len(run.rows) == len(run.cases)
    score = run.score(run.cases)
    with capsys.disabled():
        _report("realworld (../shared)", score)
    _check(score)


@pytest.fixture(scope="module")
def own_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_dir(tmp_path_factory.mktemp("realmail"), REALMAIL)


@pytest.mark.parametrize("part", ["dev", "heldout"])
def test_own_realmail(own_run: Run, part: str, capsys: pytest.CaptureFixture[str]) -> None:
    """tests/fixtures/realmail: the development part and the held-out part, apart. The
    held-out part must be as safe (no reply, no change, no bounce quarantined); its
    category score is reported, not held to the bar (a handful of files: one miss is
    17 %), so that nothing is ever tuned to it."""
    assert len(own_run.rows) == len(own_run.cases)
    subset = [c for c in own_run.cases if c.get("set", "dev") == part]
    assert subset, f"no {part} samples"
    score = own_run.score(subset)
    with capsys.disabled():
        _report(f"realmail {part} (tests/fixtures)", score)
    _check(score, category_bar=part == "dev")
