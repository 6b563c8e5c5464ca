"""It loads every rule file of rules/ and rejects bad ones, naming file and rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.errors import RulesError
from mailbot.decide.facts import FIELDS
from mailbot.decide.rules import load_rules

ROOT = Path(__file__).resolve().parents[3]


def test_shipped_rules_load() -> None:
    rules = load_rules(ROOT / "rules", FIELDS)
    assert rules.stage("classify"), "no classification rules shipped"
    assert rules.groups["COTECH"] == "GT"
    names = [r.name for r in rules.rules]
    assert len(names) == len(set(names))


def one(tmp_path: Path, text: str) -> Path:
    (tmp_path / "50-test.toml").write_text(text, encoding="utf-8")
    return tmp_path


GOOD = 'schema = 1\nstage = "classify"\n[[rule]]\nname = "r1"\n'


@pytest.mark.parametrize("text, message", [
    ('schema = 2\nstage = "classify"\n', "schema must be 1"),
    ('schema = 1\nstage = "nope"\n', "stage must be one of"),
    (GOOD + 'any = [{ field = "subject", regex = "(" }]\n', r"50-test.toml: rule 'r1': bad regex"),
    (GOOD + 'any = [{ field = "colour", regex = "x" }]\n', r"rule 'r1': unknown field 'colour'"),
    (GOOD + 'any = [{ field = "subject", regex = "x", in = ["y"] }]\n', "needs exactly one of"),
    (GOOD + 'oops = 1\nany = [{ field = "subject", regex = "x" }]\n', r"rule 'r1': unknown key\(s\) oops"),
    (GOOD, r"rule 'r1': needs at least one matcher"),
    ('schema = 1\nstage = "classify"\n[[rule]]\ndescription = "x"\n', "a rule has no name"),
])
def test_bad_rules_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        load_rules(one(tmp_path, text), FIELDS)


def test_first_match_wins_and_none_excludes(tmp_path: Path) -> None:
    one(tmp_path, GOOD + 'any = [{ field = "subject", regex = "(?i)facture" }]\n'
        'none = [{ field = "calendar", exists = true }]\nresult = "proof"\n'
        '[[rule]]\nname = "r2"\nany = [{ field = "subject", regex = "." }]\nresult = "other"\n')
    rules = load_rules(tmp_path, FIELDS)
    assert rules.decide("classify", {"subject": "Ma FACTURE"}).rule == "r1"
    assert rules.decide("classify", {"subject": "Ma facture", "calendar": True}).rule == "r2"
    assert rules.decide("classify", {"subject": ""}).result is None
