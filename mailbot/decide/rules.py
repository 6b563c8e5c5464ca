"""Rule files (rules/*.toml): load, validate, evaluate.

A rule file is data:

    schema = 1
    stage = "classify"            # which decision it feeds (see STAGES)
    applies_to = ["inbox"]        # roles, empty: all

    [[rule]]
    name = "command-unsubscribe"
    description = "Demande de désinscription"
    any = [{ field = "subject", regex = '(?i)\\bunsubscribe\\b' }]
    all = []                      # every matcher must hold
    none = []                     # no matcher may hold
    result = "command"            # what the stage decides
    set = { action = "unsubscribe" }   # extra values for the handler

A rule matches when all of `all` hold, at least one of `any` holds (when
`any` is given), and none of `none` holds. Files load in filename order,
rules in file order; within a stage the first match wins. Every error names
the file and the rule. Evaluation is pure: facts in, decision out.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from mailbot.errors import RulesError

STAGES = ("classify", "tag", "proof_kind", "command", "guard_words")
OPS = ("regex", "in", "equals", "min", "max", "exists")
FactValue = str | int | bool | None | list[str]
Facts = Mapping[str, FactValue]


@dataclass(frozen=True)
class Matcher:
    """One test on one fact: regex, membership, equality, bounds or presence."""

    field: str
    op: str
    value: Any

    def check(self, facts: Facts) -> bool:
        fact = facts.get(self.field)
        if self.op == "exists":
            return bool(fact) is bool(self.value)
        if fact is None:
            return False
        values = fact if isinstance(fact, list) else [fact]
        if self.op == "regex":
            return any(self.value.search(str(v)) is not None for v in values)
        if self.op == "in":
            return any(str(v) in self.value for v in values)
        if self.op == "equals":
            return bool(fact == self.value)
        number = len(fact) if isinstance(fact, list) else fact
        if not isinstance(number, int):
            return False
        return bool(number >= self.value if self.op == "min" else number <= self.value)


@dataclass(frozen=True)
class Rule:
    """A named rule: matchers and what it decides."""

    name: str
    description: str
    stage: str
    roles: tuple[str, ...]
    source: str  # "file.toml"
    all: tuple[Matcher, ...] = ()
    any: tuple[Matcher, ...] = ()
    none: tuple[Matcher, ...] = ()
    result: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)

    def matches(self, facts: Facts) -> bool:
        role = facts.get("role")
        if self.roles and role not in self.roles:
            return False
        if not all(m.check(facts) for m in self.all):
            return False
        if self.any and not any(m.check(facts) for m in self.any):
            return False
        return not any(m.check(facts) for m in self.none)


@dataclass(frozen=True)
class Decision:
    """The first matching rule of a stage, or none."""

    result: str | None
    rule: str | None
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    """Every rule of every file, by stage, in evaluation order."""

    rules: tuple[Rule, ...]
    groups: Mapping[str, str] = field(default_factory=dict)  # roster group -> list tag

    def stage(self, stage: str) -> tuple[Rule, ...]:
        return self._by_stage.get(stage, ())

    @cached_property
    def _by_stage(self) -> dict[str, tuple[Rule, ...]]:
        by_stage: dict[str, list[Rule]] = {}
        for rule in self.rules:
            by_stage.setdefault(rule.stage, []).append(rule)
        return {stage: tuple(rules) for stage, rules in by_stage.items()}

    def decide(self, stage: str, facts: Facts) -> Decision:
        for rule in self.stage(stage):
            if rule.matches(facts):
                return Decision(rule.result or None, rule.name, rule.values)
        return Decision(None, None)

    def all_matches(self, stage: str, facts: Facts) -> list[Rule]:
        return [r for r in self.stage(stage) if r.matches(facts)]


FILE_KEYS = {"schema", "stage", "applies_to", "rule", "groups", "description"}
RULE_KEYS = {"name", "description", "all", "any", "none", "result", "set", "applies_to"}


def load_rules(directory: Path | Sequence[Path],
               known_fields: Iterable[str] | None = None) -> RuleSet:
    """Load every *.toml of the folder(s); raise RulesError naming file and rule.

    With several folders, a file of the first replaces one of the same name in the
    next (the operator's folder before the shipped one); all are read in name order.
    """
    folders = (directory,) if isinstance(directory, Path) else tuple(directory)
    files: dict[str, Path] = {}
    for folder in reversed(folders):
        if not folder.is_dir():
            raise RulesError(f"{folder}: rules directory not found")
        files.update((path.name, path) for path in folder.glob("*.toml"))
    fields_ok = set(known_fields) if known_fields is not None else None
    rules: list[Rule] = []
    groups: dict[str, str] = {}
    names: dict[str, str] = {}
    for path in (files[name] for name in sorted(files)):
        doc = _read(path)
        for rule in _file_rules(path, doc, fields_ok):
            if rule.name in names:
                raise RulesError(f"{path.name}: rule {rule.name!r}: duplicate name (also in {names[rule.name]})")
            names[rule.name] = path.name
            rules.append(rule)
        for group, tag in doc.get("groups", {}).items():
            if not isinstance(tag, str):
                raise RulesError(f"{path.name}: [groups] {group}: expected a tag name")
            groups[group.upper()] = tag
    return RuleSet(tuple(rules), groups)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise RulesError(f"{path.name}: cannot read: {err}") from err


def _file_rules(path: Path, doc: dict[str, Any], fields_ok: set[str] | None) -> list[Rule]:
    where = path.name
    unknown = set(doc) - FILE_KEYS
    if unknown:
        raise RulesError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if doc.get("schema") != 1:
        raise RulesError(f"{where}: schema must be 1")
    stage = doc.get("stage")
    if stage not in STAGES:
        raise RulesError(f"{where}: stage must be one of {', '.join(STAGES)}, got {stage!r}")
    roles = _roles(where, doc.get("applies_to", []))
    raw_rules = doc.get("rule", [])
    if not isinstance(raw_rules, list):
        raise RulesError(f"{where}: [[rule]] must be an array of tables")
    return [_rule(where, stage, roles, raw, fields_ok) for raw in raw_rules]


def _roles(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"{where}: applies_to must be a list of strings")
    return tuple(value)


def _rule(where: str, stage: str, roles: tuple[str, ...], raw: Any,
          fields_ok: set[str] | None) -> Rule:
    if not isinstance(raw, dict):
        raise RulesError(f"{where}: every [[rule]] must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise RulesError(f"{where}: a rule has no name")
    here = f"{where}: rule {name!r}"
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise RulesError(f"{here}: unknown key(s) {', '.join(sorted(unknown))}")
    groups = {k: tuple(_matcher(here, m, fields_ok) for m in _list(here, raw, k))
              for k in ("all", "any", "none")}
    if not any(groups.values()):
        raise RulesError(f"{here}: needs at least one matcher in all, any or none")
    values = raw.get("set", {})
    if not isinstance(values, dict):
        raise RulesError(f"{here}: set must be a table")
    result = raw.get("result", "")
    if not isinstance(result, str):
        raise RulesError(f"{here}: result must be a string")
    own_roles = _roles(here, raw["applies_to"]) if "applies_to" in raw else roles
    return Rule(name=name, description=str(raw.get("description", "")), stage=stage,
                roles=own_roles, source=where, result=result, values=values, **groups)


def _list(here: str, raw: dict[str, Any], key: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise RulesError(f"{here}: {key} must be a list of matchers")
    return value


def _matcher(here: str, raw: Any, fields_ok: set[str] | None) -> Matcher:
    if not isinstance(raw, dict) or "field" not in raw:
        raise RulesError(f"{here}: a matcher must be a table with a field, got {raw!r}")
    name = str(raw["field"])
    if name.lower().startswith("header:"):
        name = name.lower()
    if fields_ok is not None and name not in fields_ok and not str(name).startswith("header:"):
        raise RulesError(f"{here}: unknown field {name!r}")
    ops = [k for k in raw if k != "field"]
    if len(ops) != 1 or ops[0] not in OPS:
        raise RulesError(f"{here}: matcher on {name!r} needs exactly one of {', '.join(OPS)}")
    op = ops[0]
    value = raw[op]
    if op == "regex":
        try:
            value = re.compile(value)
        except (re.error, TypeError) as err:
            raise RulesError(f"{here}: bad regex for {name!r}: {err}") from err
    elif op == "in":
        if not isinstance(value, list):
            raise RulesError(f"{here}: 'in' on {name!r} needs a list")
        value = frozenset(str(v) for v in value)
    elif op in ("min", "max") and not isinstance(value, int):
        raise RulesError(f"{here}: {op!r} on {name!r} needs a whole number")
    return Matcher(str(name), op, value)
