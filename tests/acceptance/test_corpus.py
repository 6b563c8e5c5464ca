"""Acceptance over ../shared/corpus/public: category, tag and "never answer what
must not be answered", for every labelled message, on the embedded default.

Skipped only when the shared corpus is absent (a clone without ../shared).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from sqlmodel import Session, select

from mailbot.models import OutboxMessage, ProcessedMessage
from mailbot.mime.parse import parse_message
from tests.support.helpers import SHARED_CORPUS, run_corpus

pytestmark = [
    pytest.mark.acceptance,
    pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus/public is absent"),
]
MUST_BE_EXACT = {"list_post", "bounce", "autoreply"}


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the whole corpus once through the daemon; collect what it decided."""
    tmp = tmp_path_factory.mktemp("corpus")
    expected = json.loads((SHARED_CORPUS / "expected.json").read_text(encoding="utf-8"))
    app, rows = run_corpus(tmp, expected)
    with Session(app.engine) as s:
        replies = Counter(o.cause_message_id for o in s.exec(select(OutboxMessage)).all()
                          if o.status != "suppressed")
    return {"expected": expected, "rows": rows, "replies": replies}


def _message_id(case: dict[str, Any]) -> str:
    return parse_message((SHARED_CORPUS / case["file"]).read_bytes()).message_id


def test_score(corpus_run: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """Report per-category accuracy; exact on list posts, bounces and auto-replies."""
    by_file: dict[str, ProcessedMessage] = corpus_run["rows"]
    good: Counter[str] = Counter()
    total: Counter[str] = Counter()
    tags_ok = tags_total = 0
    misses = []
    for case in corpus_run["expected"]:
        row = by_file[case["file"]]
        total[case["category"]] += 1
        if row.category == case["category"]:
            good[case["category"]] += 1
        else:
            misses.append(f"{case['file']}: {row.category} (attendu {case['category']})")
        if case["folder"] == "list":
            tags_total += 1
            tags_ok += row.tag == case["tag"]
            if row.tag != case["tag"]:
                misses.append(f"{case['file']}: tag {row.tag} (attendu {case['tag']})")
    with capsys.disabled():
        print("\ncorpus acceptance: category accuracy")
        for cat in sorted(total):
            print(f"  {cat:14s} {good[cat]:2d}/{total[cat]:2d}")
        print(f"  {'ALL':14s} {sum(good.values()):2d}/{sum(total.values()):2d}")
        print(f"  tags (list)    {tags_ok:2d}/{tags_total:2d}")
        for miss in misses:
            print(f"  miss: {miss}")
    for cat in MUST_BE_EXACT:
        assert good[cat] == total[cat], f"{cat}: {misses}"
    assert tags_ok == tags_total, misses


def test_never_answers_what_must_not_be_answered(corpus_run: dict[str, Any]) -> None:
    """Zero replies to every message labelled must_not_reply."""
    offenders = [case["file"] for case in corpus_run["expected"]
                 if case["must_not_reply"] and corpus_run["replies"][_message_id(case)]]
    assert offenders == []


def test_every_message_recorded_once(corpus_run: dict[str, Any]) -> None:
    assert len(corpus_run["rows"]) == len(corpus_run["expected"])
