"""The body text of a message: new text vs quoted text, inline forwards.

Owns (HTML bodies are made text first by `mailbot.mime.htmltext`):

- ``split_text`` / ``split_forward``: cut the text at the first forward separator,
  reply attribution ("Le … a écrit :", "On … wrote:") or ``>`` quote, and read each
  inline forwarded message (sender, subject, date, body). Formats recognised: Gmail
  (EN header in every locale, and the older FR "Message transféré"), Outlook
  FR/EN header blocks (also after a line of underscores), Apple Mail / iOS
  ("Début du message réexpédié/transféré :", often ``> `` quoted), Thunderbird
  FR/EN, Open-Xchange ("Message d'origine" / "Original Message"), Yahoo
  ("Message transmis"). U+00A0 / U+202F before ":" and BOMs are tolerated.

"Message d'origine", "Original Message" and bare Outlook header blocks are used by
clients for replies as well as forwards: with ``reply_hint=True`` (a "RE:" subject)
they only mark quoted text. The sender of an inline forward is data written by the
person who forwarded it, never an identity.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from mailbot.mime.dates import PARIS, parse_loose_date
from mailbot.mime.incoming import Address


# --- forward separators and reply attributions -------------------------------------------------

_Q = r"^[ \t]*(?:>[ \t]*)*"  # optional quoting before a marker
_FORWARD = re.compile(
    _Q + r"(?:-{2,}\s*(?:forwarded\s+message|message\s+transf[ée]r[ée]|message\s+transmis"
    r"|mensaje\s+reenviado|weitergeleitete\s+nachricht)\s*-{2,}"
    r"|(?:d[ée]but\s+du\s+message\s+(?:r[ée]exp[ée]di[ée]|transf[ée]r[ée])|begin\s+forwarded\s+message)\s*:)\s*$",
    re.I,
)
_AMBIGUOUS = re.compile(_Q + r"-{2,}\s*(?:message\s+d['’]origine|original\s+message)\s*-{2,}\s*$", re.I)
_UNDERSCORES = re.compile(_Q + r"_{10,}\s*$")
_RETURNED = re.compile(  # bounces pasting the original below a line
    r"^[ \t]*-{2,}\s*(?:this\s+is\s+a\s+copy\s+of\s+(?:the|your)\s+message|original\s+message\s+follows)\b.*$", re.I
)
_RAW_HEADER = re.compile(  # header names only a raw message has: a pasted copy, not a client's block
    r"^(?:message-id|content-type|content-transfer-encoding|mime-version|received|return-path"
    r"|auto-submitted|dkim-signature|x-[\w-]+)\s*:",
    re.I,
)
_ATTRIBUTION = re.compile(
    r"^[ \t]*(?:le\s.{4,300}?\sa\s+[ée]crit|on\s.{4,300}?\swrote|am\s.{4,300}?\sschrieb)\s*:\s*$", re.I | re.S
)
_ATTRIBUTION_START = re.compile(r"^[ \t]*(?:le|on|am)\s", re.I)
_QUOTE = re.compile(r"^[ \t]*>")
_HEADER = re.compile(
    _Q + r"\*{0,2}(?P<key>de|from|exp[ée]diteur|date|envoy[ée](?:\s+le)?|sent|[àa]|to|pour|destinataire|cc|cci"
    r"|objet|subject|sujet|r[ée]pondre\s+[àa]|reply-to)\s*\*{0,2}\s*:\s*\*{0,2}[ \t]*(?P<value>.*?)[ \t*]*$",
    re.I,
)
_KEYS = {
    "de": "from", "from": "from", "expéditeur": "from", "expediteur": "from",
    "date": "date", "envoyé": "date", "envoye": "date", "sent": "date", "envoyé le": "date", "envoye le": "date",
    "objet": "subject", "subject": "subject", "sujet": "subject",
    "à": "to", "a": "to", "to": "to", "pour": "to", "destinataire": "to", "cc": "cc", "cci": "cc",
}  # fmt: skip
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_REPLY_SUBJECT = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*(?:re|réf|ref|aw|sv|antw)\s*(?:\[\d+\])?\s*:", re.I)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*(?:fwd?|tr|wg|rv|enc)\s*:", re.I)

_FORWARD_KINDS = frozenset({"forward", "ambiguous", "outlook"})


@dataclass
class InlineForward:
    """A message forwarded inside the text, as its forwarder's client wrote it."""

    marker: str  # "forward" (explicit separator), "ambiguous" (Message d'origine...), "outlook" (header block)
    sender: Address | None
    sender_text: str
    subject: str
    date_text: str
    date: datetime | None
    to: str
    body: str


@dataclass
class SplitText:
    """A text cut in three: what the author wrote, what they quoted, what they forwarded."""

    new: str
    quoted: str
    forwards: list[InlineForward] = field(default_factory=list)


@dataclass(frozen=True)
class _Marker:
    index: int
    kind: str  # forward | ambiguous | outlook | attribution
    headers_at: int  # first line of the header block
    length: int = 1  # lines taken by the marker itself (attributions may wrap)


def is_reply_subject(subject: str) -> bool:
    """True for "RE: …" (and list tags before it), false for "TR:"/"Fwd:" subjects."""
    return bool(_REPLY_SUBJECT.match(subject)) and not _FORWARD_SUBJECT.match(subject)


def _normalise(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text.replace("\ufeff", ""))
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _header_key(line: str) -> tuple[str, str] | None:
    if len(line) > 1000 or ":" not in line:
        return None
    m = _HEADER.match(line)
    if not m:
        return None
    key = re.sub(r"\s+", " ", m.group("key").lower())
    return _KEYS.get(key, "other"), m.group("value")


def _is_outlook_block(lines: list[str], i: int) -> bool:
    """A "De : / Envoyé : / À : / Objet :" block starting at line i, with no separator above."""
    first = _header_key(lines[i])
    if not first or first[0] != "from" or (i > 0 and _RAW_HEADER.match(lines[i - 1])):
        return False
    seen = set()
    for line in lines[i + 1 : i + 8]:
        if _RAW_HEADER.match(line):
            return False
        key = _header_key(line)
        if key is None:
            break
        seen.add(key[0])
    return "subject" in seen and len(seen) >= 2


def _attribution_at(lines: list[str], i: int) -> int:
    """Number of lines (1-3) of a reply attribution starting at line i, or 0."""
    if not _ATTRIBUTION_START.match(lines[i]):
        return 0
    for span in (1, 2, 3):
        joined = " ".join(lines[i : i + span])
        if len(joined) > 400:
            return 0
        if _ATTRIBUTION.match(joined):
            return span
    return 0


def _marker_at(lines: list[str], i: int) -> _Marker | None:
    line = lines[i]
    if not line.strip():
        return None
    if _FORWARD.match(line):
        return _Marker(i, "forward", i + 1)
    if _AMBIGUOUS.match(line):
        return _Marker(i, "ambiguous", i + 1)
    if _RETURNED.match(line):
        return _Marker(i, "attribution", i + 1)
    if _UNDERSCORES.match(line):
        j = i + 1
        while j < len(lines) and not lines[j].strip(" \t>"):
            j += 1
        return _Marker(i, "outlook", j) if j < len(lines) and _is_outlook_block(lines, j) else None
    if _is_outlook_block(lines, i):
        return _Marker(i, "outlook", i)
    span = _attribution_at(lines, i)
    return _Marker(i, "attribution", i + span, span) if span else None


def _find_markers(lines: list[str]) -> list[_Marker]:
    markers: list[_Marker] = []
    i = 0
    while i < len(lines):
        marker = _marker_at(lines, i)
        if marker is None:
            i += 1
        elif marker.kind == "attribution":
            markers.append(marker)
            i += marker.length
        else:  # skip the forward's own header block ("De : …" would look like an Outlook block)
            markers.append(marker)
            i = max(i + 1, _read_headers(lines, marker.headers_at, len(lines))[1])
    return markers


def split_text(text: str, reply_hint: bool = False, default_tz: tzinfo = PARIS) -> SplitText:
    """Cut ``text`` into new text, quoted text and inline forwards.

    The new text is everything before the first separator or attribution, minus
    ``>`` lines (which go to ``quoted``); ``quoted`` holds the rest. Forwards are
    read only when the first separator is a forward (not a reply attribution).
    """
    lines = _normalise(text)
    markers = _find_markers(lines)
    first = markers[0] if markers else None
    cut = first.index if first else len(lines)
    head = lines[:cut]
    new = [line for line in head if not _QUOTE.match(line)]
    quoted = [line for line in head if _QUOTE.match(line)] + lines[cut:]
    result = SplitText("\n".join(new).strip(), "\n".join(quoted).strip())
    if first is None or not _is_forward(first, reply_hint):
        return result
    family = {first.kind, "forward"}
    chain = [m for m in markers if m.kind in family]
    for n, marker in enumerate(chain):
        end = chain[n + 1].index if n + 1 < len(chain) else len(lines)
        result.forwards.append(_read_forward(lines, marker, end, default_tz))
    return result


def _is_forward(marker: _Marker, reply_hint: bool) -> bool:
    if marker.kind == "forward":
        return True
    return marker.kind in _FORWARD_KINDS and not reply_hint


def split_forward(text: str) -> tuple[str, list[InlineForward]]:
    """The new text of ``text`` and the messages forwarded inline in it (see ``split_text``)."""
    result = split_text(text)
    return result.new, result.forwards


# --- reading one inline forward -----------------------------------------------------------------


def _read_headers(lines: list[str], start: int, end: int) -> tuple[dict[str, str], int]:
    """The header block ("De : …", "Objet : …") from line ``start``; returns (headers, next line)."""
    i = start
    while i < end and not lines[i].strip(" \t>"):
        i += 1
    headers: dict[str, str] = {}
    last = ""
    while i < end and i < start + 30:
        line = lines[i]
        key = _header_key(line)
        if key is not None:
            last = key[0]
            headers.setdefault(last, key[1].strip())
        elif not line.strip(" \t>") or not last:
            break
        elif last in ("to", "cc") or ("<" in headers[last] and ">" not in headers[last]):
            headers[last] = (headers[last] + " " + line.strip(" \t>")).strip()
        else:
            break
        i += 1
    return headers, i


def _dequote(lines: list[str]) -> list[str]:
    """Remove one level of ``>`` quoting when (nearly) every non-blank line carries it."""
    filled = [line for line in lines if line.strip()]
    if not filled or sum(1 for line in filled if _QUOTE.match(line)) < 0.8 * len(filled):
        return lines
    return [re.sub(r"^[ \t]*> ?", "", line) for line in lines]


def _read_forward(lines: list[str], marker: _Marker, end: int, default_tz: tzinfo) -> InlineForward:
    headers, body_at = _read_headers(lines, marker.headers_at, end)
    sender_text = headers.get("from", "")
    date_text = headers.get("date", "")
    body = "\n".join(_dequote(lines[body_at:end])).strip()
    return InlineForward(
        marker=marker.kind,
        sender=parse_address_text(sender_text),
        sender_text=sender_text,
        subject=headers.get("subject", ""),
        date_text=date_text,
        date=parse_loose_date(date_text, default_tz),
        to=headers.get("to", ""),
        body=body,
    )


def parse_address_text(value: str) -> Address | None:
    """An address written as text ("Sophie V. <s@x.fr>", "« X » [mailto:x@y]"); None without one."""
    match = _EMAIL.search(value)
    if not match:
        return None
    email = match.group(0).strip(".").lower()
    name = _EMAIL.sub(" ", value.replace("mailto:", " "))
    name = re.sub(r"[<>\[\]()\"«»“”]", " ", name)
    name = re.sub(r"\s+", " ", name).strip(" ,;:'")
    return Address(name=name, email=email)
