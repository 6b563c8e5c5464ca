"""Hostile or malformed traits of a message, read before we answer a stranger.

Each check is a small pure function of `CHECKS` returning a French reason for the
digest, or None:

    filename   an attachment name that is a path (../, \\, /, ~, C:) or holds control
               characters
    display    a From display name that decodes (RFC 2047) to CR, LF or other control
               characters: header injection
    long_line  a header line over RFC 5322's 998 characters
    nesting    MIME multiparts nested deeper than NESTING_LIMIT (real mail: 3, a
               forward: 5)
    lookalike  a sender domain that imitates ours or a member's: an IDN whose
               letters, read as their Latin look-alikes, spell a known domain

`findings(msg, known_domains)` runs them all. Pure: message in, reasons out.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message

from mailbot.mime.incoming import Incoming

NESTING_LIMIT = 6
MAX_LINE = 998
PATHLIKE = re.compile(r"(^|[\\/])\.\.([\\/]|$)|^[\\/~]|^[a-z]:", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Cyrillic and Greek letters that read as Latin ones (Unicode confusables, the usual few)
LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ӏ": "l",
    "ɡ": "g", "ո": "n", "ս": "u", "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k",
    "τ": "t", "υ": "u", "χ": "x", "ε": "e", "ı": "i", "ℓ": "l", "０": "0", "１": "1",
})


@dataclass(frozen=True)
class Reading:
    """What the checks read: the message, its raw tree and the domains we know."""

    msg: Incoming
    tree: Message | None
    known_domains: frozenset[str]


def _filename(r: Reading) -> str | None:
    if r.tree is None:
        return None
    for part in r.tree.walk():
        for raw in (part.get_param("filename", header="content-disposition"),
                    part.get_param("name")):
            name = email.utils.collapse_rfc2231_value(raw) if raw else ""
            try:
                name = str(make_header(decode_header(name))) if name else ""
            except Exception:  # noqa: BLE001 - undecodable: judge the raw text
                pass
            if name and (PATHLIKE.search(name) or CONTROL.search(name)):
                return f"nom de pièce jointe dangereux ({name[:60]!r})"
    return None


def _display(r: Reading) -> str | None:
    for value in _raw_headers(r.msg.raw, b"from"):
        try:
            decoded = str(make_header(decode_header(value)))
        except Exception:  # noqa: BLE001 - undecodable words: judge the raw value
            decoded = value
        if CONTROL.search(decoded.replace("\t", " ")):
            return "nom d'expéditeur piégé (retours à la ligne ou caractères de contrôle)"
    name = r.msg.from_.name if r.msg.from_ else ""
    if CONTROL.search(name):
        return "nom d'expéditeur piégé (retours à la ligne ou caractères de contrôle)"
    return None


def _raw_headers(raw: bytes, name: bytes) -> list[str]:
    """The unfolded values of one header field in the raw header block."""
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    unfolded = re.sub(rb"\r?\n[ \t]", b" ", head)
    prefix = name.lower() + b":"
    return [line[len(prefix):].strip().decode("utf-8", "replace")
            for line in unfolded.split(b"\n") if line.lower().startswith(prefix)]


def _long_line(r: Reading) -> str | None:
    head = re.split(rb"\r?\n\r?\n", r.msg.raw, maxsplit=1)[0]
    longest = max((len(line.rstrip(b"\r")) for line in head.split(b"\n")), default=0)
    if longest > MAX_LINE:
        return f"ligne d'en-tête de {longest} caractères (plus de {MAX_LINE}, RFC 5322)"
    return None


def _nesting(r: Reading) -> str | None:
    if r.tree is None:
        return None
    deepest, stack = 0, [(r.tree, 0)]
    while stack:
        part, depth = stack.pop()
        deepest = max(deepest, depth)
        payload = part.get_payload()
        if part.is_multipart() and isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, Message))
    if deepest > NESTING_LIMIT:
        return f"parties MIME imbriquées sur {deepest} niveaux (plus de {NESTING_LIMIT})"
    return None


def _lookalike(r: Reading) -> str | None:
    for address in _sender_addresses(r.msg):
        domain = address.rpartition("@")[2].lower()
        unicode_domain = _to_unicode(domain)
        if unicode_domain.isascii():
            continue
        skeleton = skeleton_of(unicode_domain)
        for known in r.known_domains:
            if skeleton == skeleton_of(known) and domain != known:
                return f"domaine d'expédition imitant {known} ({unicode_domain})"
    return None


def _sender_addresses(msg: Incoming) -> list[str]:
    found = [a.email for a in ([msg.from_] if msg.from_ else []) + msg.reply_to]
    if msg.sender:
        found.append(msg.sender.email)
    return [a for a in found if "@" in a]


def _to_unicode(domain: str) -> str:
    labels = []
    for label in domain.split("."):
        if label.startswith("xn--"):
            try:
                label = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return ".".join(labels)


def skeleton_of(domain: str) -> str:
    """The domain as it reads: compatibility forms folded, accents dropped,
    Cyrillic and Greek look-alikes read as Latin letters."""
    folded = unicodedata.normalize("NFKD", domain.lower().translate(LOOKALIKES))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return plain.translate(LOOKALIKES)


CHECKS: tuple[Callable[[Reading], str | None], ...] = (
    _filename, _display, _long_line, _nesting, _lookalike,
)


def findings(msg: Incoming, known_domains: Iterable[str] = ()) -> list[str]:
    """Every hostile or malformed trait of the message, in French, in CHECKS order."""
    tree = None
    if msg.raw:
        try:
            tree = email.message_from_bytes(msg.raw, policy=email.policy.compat32)
        except Exception:  # noqa: BLE001 - hostile bytes: the header checks remain
            tree = None
    reading = Reading(msg, tree, frozenset(d.lower() for d in known_domains if d))
    return [reason for check in CHECKS if (reason := check(reading)) is not None]
