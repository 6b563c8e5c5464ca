"""What the bot says about an attached file: its display name and its real type.

Owns three things, all pure functions of their inputs:

- ``decode_words``: tolerant RFC 2047 decoding (``=?utf-8?Q?...?=``), used for
  filename parameters and, by ``mailbot.mime.parse``, for every header value;
- ``part_filename`` / ``display_filename``: the sender's filename (RFC 2231
  continuations, RFC 2047 words inside quoted parameters, raw 8-bit bytes) turned
  into safe *display text*: NFC, no directory part, no control or bidi characters,
  no characters Windows refuses, at most 150 characters with the extension kept.
  Files are stored under their SHA-256, never under this name;
- ``sniff_type``: the media type read from the bytes themselves (``filetype``,
  then a few magic numbers), since the declared Content-Type is the sender's word.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
import unicodedata
from email.message import Message

import filetype

MAX_NAME_CHARS = 150
MAX_NAME_BYTES = 240  # UTF-8; common file systems stop at 255
_MAX_EXT_CHARS = 16

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)[ \t\r\n]+(?==\?)")
_RESERVED = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)] + [f"LPT{i}" for i in range(1, 10)]
)
# Format characters that reorder or hide text: "facture\u202efdp.exe" displays as "facture.pdf"...
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")

_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "image/webp": ".webp",
    "image/tiff": ".tif",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "application/ics": ".ics",
    "text/csv": ".csv",
    "message/rfc822": ".eml",
    "application/ms-tnef": ".dat",
    "application/zip": ".zip",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
}
_LATIN1 = frozenset(["iso-8859-1", "iso8859-1", "iso_8859-1", "latin-1", "latin1", "l1", "8859-1"])
_ASCII = frozenset(["us-ascii", "ascii", "us", "ansi_x3.4-1968"])
_MAGIC = (
    (b"begin:vcalendar", "text/calendar"),
    (b"begin:vcard", "text/vcard"),
    (b"<html", "text/html"),
    (b"<!doctype", "text/html"),
)


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


def part_filename(part: Message) -> str | None:
    """The filename a MIME part declares (Content-Disposition, else Content-Type name), decoded.

    Handles RFC 2231 (``filename*0*=UTF-8''...``), RFC 2047 words inside the quoted
    value, folded values and raw 8-bit bytes. None when the part names no file.
    """
    try:
        raw = part.get_filename()
    except Exception:  # the stdlib parameter parser on hostile input: treat as unnamed
        return None
    if raw is None:
        return None
    return decode_words(_SPACES.sub(" ", fix_8bit(str(raw)))).strip() or None


def extension_for(content_type: str) -> str:
    """A file extension (with the dot) for a media type; ``.bin`` when unknown."""
    ctype = content_type.lower()
    if ctype in _EXTENSIONS:
        return _EXTENSIONS[ctype]
    if ctype.startswith("text/"):
        return ".txt"
    return ".bin"


def _clean(name: str) -> str:
    kept = []
    for ch in unicodedata.normalize("NFC", name):
        if ch in "\t\r\n":
            kept.append(" ")
        elif ch not in _INVISIBLE and unicodedata.category(ch) not in ("Cc", "Cs", "Co"):
            kept.append(ch)
    cleaned = re.split(r"[/\\]", "".join(kept))[-1]  # drop any directory part: ../../x, C:\x
    cleaned = re.sub(r"^[A-Za-z]:", "", cleaned)  # C:x.pdf
    cleaned = _RESERVED.sub("_", _SPACES.sub(" ", cleaned))
    return cleaned.strip(" .")


def _cap(stem: str, ext: str) -> str:
    limit = MAX_NAME_CHARS - len(ext)
    stem = stem[:limit].rstrip(" .")
    while len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES and stem:
        stem = stem[:-1]
    return stem.rstrip(" .") + ext


def display_filename(raw: str | None, fallback_ext: str, index: int = 1) -> str:
    """A safe display name for an attachment; never empty, never a path.

    ``raw`` is the decoded name the sender gave (or None); ``fallback_ext`` (``".pdf"``
    or ``"pdf"``) is used for the generated name ``piece-jointe-<index><ext>`` when
    nothing usable remains.
    """
    ext_fallback = "." + fallback_ext.lstrip(".") if fallback_ext.strip(".") else ""
    name = _clean(raw) if raw else ""
    if not name:
        return f"piece-jointe-{index}{ext_fallback}"
    dot = name.rfind(".")
    stem, ext = (name[:dot], name[dot:]) if 0 < dot and len(name) - dot <= _MAX_EXT_CHARS else (name, "")
    if stem.strip().upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    if len(name) > MAX_NAME_CHARS or len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return _cap(stem, ext)
    return stem + ext


def sniff_type(data: bytes, declared: str) -> str:
    """The media type read from the bytes: ``filetype``, then magic numbers.

    Falls back to the declared type when it is ``text/*``, else
    ``application/octet-stream`` (so an empty "PDF" is not called a PDF).
    """
    head = data[:8192]
    if head:
        try:
            guessed = filetype.guess_mime(head)
        except Exception:  # third-party matchers on arbitrary bytes
            guessed = None
        if guessed:
            return str(guessed)
        if b"%PDF-" in head[:1024]:
            return "application/pdf"
        start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        for magic, ctype in _MAGIC:
            if start.startswith(magic):
                return ctype
    declared = declared.lower()
    return declared if declared.startswith("text/") else "application/octet-stream"
