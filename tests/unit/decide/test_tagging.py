"""GO/GT tagging: subject tag, then thread, then roster group, then keywords."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.decide.facts import FIELDS, Context, MemberView
from mailbot.decide.rules import load_rules
from mailbot.decide.tagging import tag_post

RULES = load_rules(Path(__file__).resolve().parents[3] / "rules", FIELDS)
AMO = MemberView(1, "amo@x.fr", "Une AMO", "GO", "active")
COTECH = MemberView(2, "c@x.fr", "Quelqu'un du COTECH", "COTECH", "active")


@pytest.mark.parametrize("subject, ctx, tag, step", [
    ("[qpv-hpf] [GT] Compte-rendu", Context("list", author=AMO), "GT", "subject"),
    ("Re: [qpv-hpf] [go] logistique", Context("list", author=COTECH), "GO", "subject"),
    ("Re: [qpv-hpf] question", Context("list", author=COTECH, thread_tag="GO"), "GO", "thread"),
    ("[qpv-hpf] question", Context("list", author=AMO), "GO", "roster"),
    ("[qpv-hpf] question", Context("list", author=COTECH), "GT", "roster"),
    ("[qpv-hpf] La facturation des journées", Context("list"), "GO", "keyword"),
    ("[qpv-hpf] Demande d'information", Context("list"), None, "unclassified"),
])
def test_order_of_steps(subject: str, ctx: Context, tag: str | None, step: str) -> None:
    result = tag_post({"subject": subject, "role": "list"}, ctx, RULES)
    assert (result.tag, result.step) == (tag, step)
