"""What the AMO says, in her own words, about the money: funded elsewhere, short of cash.

The phrasings are data: `rules/phrases/funded.toml` (lists of regular
expressions, loaded once by `load_phrases`). This module only applies them,
in the new text of the message and its subject: never in quoted or forwarded
text, nor in attached documents (a mission form prints the question "Action
financée par ailleurs : Oui / Non" whatever the answer).

* a "funded" phrasing ("financée par ailleurs", "prise en charge par la
  Région", "je ne la facturerai pas", ...) sets the flag, unless the payer it
  names is the programme itself ("pris en charge par HPF");
* the same words negated ("je ne suis pas financée par ailleurs"), or a
  form-like answer ("financée par ailleurs : non"), or a "denies" phrasing
  ("pas d'autre financement") clear it;
* a question or a condition ("si elle est financée par ailleurs") says nothing;
* a "short of cash" phrasing sets that flag (for the COTECH: reimburse early).

Pure once the phrases are loaded: text in, `MoneyStatement` out.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

#: The rules directory of this source tree, used when no other is given (tests, tools).
DEFAULT_RULES = Path(__file__).resolve().parents[2] / "rules"
PHRASES_FILE = Path("phrases") / "funded.toml"


@dataclass(frozen=True)
class Phrases:
    """The compiled phrasings of `rules/phrases/funded.toml`."""

    funded: tuple[re.Pattern[str], ...]
    denies: tuple[re.Pattern[str], ...]
    payer_is_us: tuple[re.Pattern[str], ...]
    negation_before: re.Pattern[str]
    condition_before: re.Pattern[str]
    answer_after: re.Pattern[str]
    short_of_cash: tuple[re.Pattern[str], ...]


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


@functools.lru_cache(maxsize=4)
def load_phrases(rules_dir: Path = DEFAULT_RULES) -> Phrases:
    """Read and compile the phrasings (once per directory); raises on a bad file."""
    data = tomllib.loads((rules_dir / PHRASES_FILE).read_text(encoding="utf-8"))
    funded, context = data["funded"], data["context"]
    return Phrases(
        funded=_compile(funded["says"]), denies=_compile(funded["denies"]),
        payer_is_us=_compile(funded["payer_is_us"]),
        negation_before=re.compile(context["negation_before"], re.IGNORECASE),
        condition_before=re.compile(context["condition_before"], re.IGNORECASE),
        answer_after=re.compile(context["answer_after"], re.IGNORECASE),
        short_of_cash=_compile(data["short_of_cash"]["says"]),
    )


@dataclass(frozen=True)
class MoneyStatement:
    """What the text says: funded (True/False, None when silent), short of cash, the words."""

    funded_elsewhere: bool | None = None
    funded_words: str = ""
    short_of_cash: bool = False
    short_words: str = ""


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    rights = [p for p in (text.find(c, end) for c in ".!?\n") if p >= 0]
    return " ".join(text[left:min(rights) + 1 if rights else len(text)].split())[:300]


def _matches(patterns: tuple[re.Pattern[str], ...], text: str) -> list[re.Match[str]]:
    found = [m for p in patterns for m in p.finditer(text)]
    return sorted(found, key=lambda m: m.start())


def _payer_is_us(phrases: Phrases, m: re.Match[str]) -> bool:
    payer = m.groupdict().get("payer") or ""
    return bool(payer) and any(p.search(payer.strip()) for p in phrases.payer_is_us)


def funded_elsewhere(text: str, phrases: Phrases | None = None) -> tuple[bool | None, str]:
    """(True, words) when she says funded elsewhere, (False, words) when she denies it."""
    ph = phrases or load_phrases()
    denied = _matches(ph.denies, text)
    if denied:
        return False, _sentence(text, denied[0].start(), denied[0].end())
    verdict: tuple[bool | None, str] = (None, "")
    for m in _matches(ph.funded, text):
        if _payer_is_us(ph, m):
            continue
        before = text[max(0, m.start() - 60):m.start()]
        answer = ph.answer_after.match(text[m.end():m.end() + 12])
        words = _sentence(text, m.start(), m.end())
        if answer is not None:
            return answer.group(1).lower() in ("oui", "yes"), words
        if m.group(0).lower().startswith("ne "):  # "je ne la facturerai pas": the negation is the point
            if ph.condition_before.search(before):
                continue
            return True, words
        if ph.condition_before.search(before):
            continue
        if ph.negation_before.search(before):
            verdict = (False, words)
            continue
        return True, words
    return verdict


def short_of_cash(text: str, phrases: Phrases | None = None) -> tuple[bool, str]:
    found = _matches((phrases or load_phrases()).short_of_cash, text)
    return (True, _sentence(text, found[0].start(), found[0].end())) if found else (False, "")


def read_statement(subject: str, text: str, phrases: Phrases | None = None) -> MoneyStatement:
    """Both flags, from the subject and the message's own new text."""
    own = f"{subject}\n{text}"
    funded, f_words = funded_elsewhere(own, phrases)
    short, s_words = short_of_cash(own, phrases)
    return MoneyStatement(funded, f_words, short, s_words)
