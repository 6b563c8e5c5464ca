"""Header and text decoding, tolerant and never raising.

Owns ``decode_words`` (RFC 2047 encoded words, used for every header value and for
filename parameters), ``fix_8bit`` (raw 8-bit header bytes left by the stdlib parser) and
``decode_bytes`` (text bytes under a charset label that may be missing or wrong).
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)[ \t\r\n]+(?==\?)")
_LATIN1 = frozenset(["iso-8859-1", "iso8859-1", "iso_8859-1", "latin-1", "latin1", "l1", "8859-1"])
_ASCII = frozenset(["us-ascii", "ascii", "us", "ansi_x3.4-1968"])


def fix_8bit(value: str) -> str:
    """Turn the surrogate escapes the stdlib parser leaves for raw 8-bit bytes into text.

    UTF-8 when the bytes are valid UTF-8, else Windows-1252 (what French mailers
    send when they do not label their headers).
    """
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
        return value  # already real text
    except UnicodeEncodeError:
        pass
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Decode text bytes; never raises. Returns (text, defect or None).

    No label: UTF-8, else Windows-1252. ``us-ascii`` with 8-bit bytes: UTF-8, else
    Windows-1252. ``iso-8859-1`` is read as Windows-1252 (as browsers do). An unknown
    or wrong label falls back to UTF-8, then Windows-1252 with replacement characters.
    """
    label = (charset or "").strip().strip('"').lower()
    if label in _LATIN1:
        try:
            return data.decode("cp1252"), None
        except UnicodeDecodeError:
            return data.decode("latin-1"), None
    defect = None
    if label and label not in _ASCII:
        try:
            return data.decode(label), None
        except UnicodeError:  # UnicodeDecodeError, and odd codecs raising other UnicodeErrors
            defect = f"text is not valid {label[:40]}"
        except (LookupError, ValueError):  # unknown label, or one Python refuses ("utf\x008")
            defect = f"unknown charset {label[:40]!r}"
    try:
        return data.decode("utf-8"), defect
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace"), defect


def _decode_word(word: re.Match[str]) -> str:
    charset, encoding, text = word.group(1).split("*", 1)[0], word.group(2), word.group(3)  # utf-8*fr: RFC 2231
    try:
        if encoding in "bB":
            data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        else:
            data = quopri.decodestring(text.encode("ascii", "replace"), header=True)
    except (binascii.Error, ValueError):
        return word.group(0)  # not decodable: keep it as written
    return decode_bytes(data, charset)[0]


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words anywhere in ``value``; tolerant, never raises.

    Whitespace between two adjacent encoded words is dropped (RFC 2047 §6.2);
    words with a bad encoding are kept as written.
    """
    value = fix_8bit(value)
    if "=?" not in value:
        return value
    value = _BETWEEN_WORDS.sub(r"\1", value)
    return _ENCODED_WORD.sub(_decode_word, value)
