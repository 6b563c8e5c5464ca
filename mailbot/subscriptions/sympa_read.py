"""Reading what the Sympa robot writes, by its stable parts only. Pure: text in, facts out.

What Sympa 6.2 really sends (tests/fixtures/sympa/, captured from the Debian package):

* a command report ("Résultats de vos commandes", base64 with CRLF or quoted-printable
  with LF) quotes each command on a `> ` line and, for what it did, the raw status
  word on the next one (`> add_performed`, `> now_subscriber`, `> removed`,
  `> sent_to_user` ...); a refusal or failure quotes the command with no status word,
  its reason indented by two spaces. Lines are wrapped at about 78 characters,
  anywhere: a quoted command may go on over the next lines (the address, the name),
  a list name may break after its hyphen (`qpv-` / `hpf`). The headings and reasons
  are French sentences that a host may translate or customise: never matched here.
* a REVIEW answer (from the list's `-request` address) has one subscriber per line,
  the address first and unindented (`x@y - Name - normal ...`, the rest possibly
  wrapped onto indented lines), and the count on its last `... : N` line.
* an AUTH request's Subject is the exact line to send back: `AUTH <key> <command>`,
  the command without QUIET.

So a command is recognised by comparing it with the commands WE sent, whitespace
removed (`compact`), never by parsing a French sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DONE = frozenset({"add_performed", "now_subscriber", "removed", "del_performed", "performed"})
WAITING = frozenset({"sent_to_user", "sent_to_owner", "performed_soon"})
STATUS_LINE = re.compile(r"^>\s*([a-z][a-z0-9_]*)\s*$")
AUTH_SUBJECT = re.compile(r"^\s*auth\s+([0-9a-z]+)\s+(.+?)\s*$", re.I | re.S)
ADDRESS_AT_START = re.compile(r"^([A-Za-z0-9._%+'=-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})(?:\s|$)")
COUNT_LINE = re.compile(r":\s*(\d+)\s*$")


@dataclass(frozen=True)
class ReportItem:
    """One quoted command of a report, with Sympa's status word when it gave one."""

    command: str  # as Sympa printed it, unwrapped with single spaces
    status: str | None  # add_performed, removed, sent_to_user ...; None: refused or failed
    detail: str  # Sympa's explanation, for the COTECH (French, not matched)

    @property
    def outcome(self) -> str:
        """done | waiting | failed | unknown (a status word we do not know)."""
        if self.status is None:
            return "failed"
        if self.status in DONE:
            return "done"
        return "waiting" if self.status in WAITING else "unknown"


def compact(command: str) -> str:
    """A command without QUIET or an AUTH prefix, whitespace removed, lower case: what
    survives Sympa's line wrapping."""
    words = command.split()
    if len(words) > 2 and words[0].lower() == "auth":
        words = words[2:]
    if words and words[0].lower() == "quiet":
        words = words[1:]
    return "".join(words).lower()


def report_items(text: str) -> list[ReportItem]:
    """Every quoted command of a command report, in order."""
    lines = text.replace("\r\n", "\n").split("\n")
    items: list[ReportItem] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith(">") or STATUS_LINE.match(line):
            i += 1
            continue
        parts = [line[1:].strip()]
        i += 1
        while i < len(lines) and _continues(lines[i]):
            parts.append(lines[i].strip())
            i += 1
        status = None
        if i < len(lines) and (word := STATUS_LINE.match(lines[i])):
            status = word.group(1)
            i += 1
        detail: list[str] = []
        while i < len(lines) and lines[i].strip() and not lines[i].startswith(">"):
            detail.append(lines[i].strip())
            i += 1
        items.append(ReportItem(" ".join(parts), status, " ".join(detail)))
    return items


def _continues(line: str) -> bool:
    """A wrapped quoted command goes on over unindented, non-empty, unquoted lines;
    an indented line starts the reason of a failure."""
    return bool(line.strip()) and not line.startswith((">", " ", "\t"))


def match_score(item: ReportItem, command: str) -> int:
    """How well a report item matches a command we sent (`QUIET ADD list x@y Name`):
    2 the whole command, 1 its action, list and address (Sympa printed the name
    otherwise, or none), 0 not at all."""
    quoted, ours = compact(item.command), compact(command)
    if quoted == ours:
        return 2
    words = command.split()
    if words and words[0].lower() == "quiet":
        words = words[1:]
    if len(words) < 3 or not quoted.startswith("".join(words[:3]).lower()):
        return 0
    return 1 if words[2].lower() in item.command.lower().split() else 0


def auth_request(subject: str) -> tuple[str, str] | None:
    """(key, command) of an AUTH request's Subject, the command unfolded."""
    match = AUTH_SUBJECT.match(subject)
    if match is None:
        return None
    return match.group(1), " ".join(match.group(2).split())


def review_addresses(text: str, ignore: set[str]) -> list[tuple[str, str]]:
    """(address, name) of each subscriber line of a REVIEW answer."""
    found: list[tuple[str, str]] = []
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        match = ADDRESS_AT_START.match(line)
        if match is None:
            continue
        address = match.group(1).lower()
        if address in ignore or any(a == address for a, _ in found):
            continue
        rest = line[match.end():]
        j = i + 1
        while j < len(lines) and lines[j].startswith((" ", "\t")) and lines[j].strip():
            rest += " " + lines[j].strip()
            j += 1
        fields = [f.strip() for f in rest.strip().strip("-").split(" - ")]
        found.append((address, fields[0] if len(fields) > 1 else ""))
    return found


def review_count(text: str) -> int | None:
    """The subscriber count Sympa announces on the last `... : N` line."""
    counts = [COUNT_LINE.search(line) for line in text.replace("\r\n", "\n").split("\n")]
    numbers = [int(m.group(1)) for m in counts if m]
    return numbers[-1] if numbers else None
