"""What the bot says about an attached file: its display name and its real type.

Owns two things, pure functions of their inputs (header decoding is ``mailbot.mime.decode``):

- ``part_filename`` / ``display_filename``: the sender's filename (RFC 2231
  continuations, RFC 2047 words inside quoted parameters, raw 8-bit bytes) turned
  into safe *display text*: NFC, no directory part, no control or bidi characters,
  no characters Windows refuses, at most 150 characters with the extension kept.
  Files are stored under their SHA-256, never under this name;
- ``sniff_type``: the media type read from the bytes themselves (``filetype``,
  then a few magic numbers), since the declared Content-Type is the sender's word.
"""

from __future__ import annotations

import re
import unicodedata
from email.message import Message

import filetype

from mailbot.mime.decode import decode_words, fix_8bit

MAX_NAME_CHARS = 150
MAX_NAME_BYTES = 240  # UTF-8; common file systems stop at 255
_MAX_EXT_CHARS = 16

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
_MAGIC = (
    (b"begin:vcalendar", "text/calendar"),
    (b"begin:vcard", "text/vcard"),
    (b"<html", "text/html"),
    (b"<!doctype", "text/html"),
)


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
