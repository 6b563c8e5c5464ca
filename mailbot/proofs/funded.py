"""What the AMO says, in her own words, about the money: funded elsewhere, short of cash.

Read in the new text of the message and its subject only: never in quoted or
forwarded text, nor in attached documents (a mission form prints the question
"Action financée par ailleurs : Oui / Non" whatever the answer).

* "financée par ailleurs" (and "funded elsewhere", "je ne la facturerai pas"...)
  sets the flag; the same words negated ("je ne suis pas financée par
  ailleurs", "non financée par ailleurs", "financée par ailleurs : non") clear
  it; a question or a condition ("si elle est financée par ailleurs") says nothing.
* "avance de trésorerie", "je n'ai pas la trésorerie", "juste en trésorerie"
  and the like set the short-of-cash flag (for the COTECH: reimburse tickets early).

Pure: text in, `MoneyStatement` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FUNDED = re.compile(
    r"(?i)(financ[ée]e?s?\s+(par\s+ailleurs|autrement|par\s+une?\s+autre?s?\s+\w+)"
    r"|d[ée]j[àa]\s+financ[ée]e?s?|pris(e|es)?\s+en\s+charge\s+par\s+ailleurs"
    r"|(autre|un)\s+financement\s+(couvre|prend)"
    r"|funded\s+(elsewhere|by\s+another)|already\s+funded"
    r"|ne\s+(la|le|les|vous\s+la|vous\s+le)\s+factur\w+\s+(donc\s+)?pas)"
)
_NEGATION_BEFORE = re.compile(
    r"(?i)(\bpas\b|\bnon\b|\bni\b|\bjamais\b|\baucunement\b|\bnullement\b|\bnot\b|\bn't\b"
    r")[^.;!?\n,]{0,25}$")
_CONDITION_BEFORE = re.compile(r"(?i)(\bsi\b|\bif\b|\best-ce\b|\bwhether\b)[^.;!?\n]{0,40}$")
_ANSWER_AFTER = re.compile(r"(?i)^\s*[:?]?\s*(oui|non|yes|no)\b")
_NO_FUNDING = re.compile(
    r"(?i)(pas\s+d.autres?\s+financements?|aucun\s+autre\s+financement|no\s+other\s+funding)")

_SHORT = re.compile(
    r"(?i)(avance\s+de\s+tr[ée]sorerie|avancer\s+(les\s+)?(frais|billets?)"
    r"|(pas|plus|peu)\s+(de\s+|la\s+)?tr[ée]sorerie"
    r"|(juste|serr[ée]e?|tendue?|limit[ée]e?|short)\s+(en|de|côté|cote)?\s*tr[ée]sorerie"
    r"|tr[ée]sorerie\s+(est\s+)?(un\s+peu\s+|tr[èe]s\s+)?(juste|serr[ée]e|tendue|limit[ée]e|difficile)"
    r"|(probl[èe]mes?|difficult[ée]s?|soucis?)\s+de\s+tr[ée]sorerie"
    r"|short\s+of\s+(cash|money)|cash[-\s]flow\s+(problem|issue)"
    r"|rembours\w+\s+(rapidement|au\s+plus\s+vite|avant\s+la\s+facture))"
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


def funded_elsewhere(text: str) -> tuple[bool | None, str]:
    """(True, words) when she says funded elsewhere, (False, words) when she denies it."""
    if (m := _NO_FUNDING.search(text)) is not None:
        return False, _sentence(text, m.start(), m.end())
    verdict: tuple[bool | None, str] = (None, "")
    for m in _FUNDED.finditer(text):
        before = text[max(0, m.start() - 60):m.start()]
        answer = _ANSWER_AFTER.match(text[m.end():m.end() + 12])
        words = _sentence(text, m.start(), m.end())
        if answer is not None:
            return answer.group(1).lower() in ("oui", "yes"), words
        if m.group(0).lower().startswith("ne "):  # "je ne la facturerai pas": funded
            return True, words
        if _CONDITION_BEFORE.search(before):
            continue
        if _NEGATION_BEFORE.search(before):
            verdict = (False, words)
            continue
        return True, words
    return verdict


def short_of_cash(text: str) -> tuple[bool, str]:
    m = _SHORT.search(text)
    return (True, _sentence(text, m.start(), m.end())) if m else (False, "")


def read_statement(subject: str, text: str) -> MoneyStatement:
    """Both flags, from the subject and the message's own new text."""
    own = f"{subject}\n{text}"
    funded, f_words = funded_elsewhere(own)
    short, s_words = short_of_cash(own)
    return MoneyStatement(funded, f_words, short, s_words)
