"""Serving a proof file from the content-addressed store, safely.

The file is found by the proof's id within the dossier's member (the URL's
ids are integers: no path reaches the file system), its type is sniffed from
the bytes (never the sender's word), and only PDF, images and plain text may
be shown in the browser; anything else is a download of
`application/octet-stream`. Never HTML: with `nosniff` and a sandboxing CSP,
a file cannot run in the page's origin. The name in `Content-Disposition` is
the display name cleaned (RFC 6266: an ASCII fallback and `filename*`).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

import filetype
from starlette.responses import Response

INLINE = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp",
                    "text/plain; charset=utf-8"})
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'"


def sniff(data: bytes, forwarded: bool) -> str:
    """The type to serve: sniffed from the bytes; text only when it is UTF-8 text."""
    kind = filetype.guess_mime(data[:8192])
    if kind and kind != "text/html":
        return str(kind) if str(kind) in INLINE else "application/octet-stream"
    if forwarded or kind is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
        if "\x00" not in text and not text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
            return "text/plain; charset=utf-8"
    return "application/octet-stream"


def safe_name(name: str, forwarded: bool = False) -> str:
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip(" ._") or "justificatif"
    if forwarded and not cleaned.lower().endswith(".txt"):
        cleaned += ".txt"
    return cleaned[:150]


def disposition(kind: str, name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or "fichier"
    ascii_name = ascii_name.replace("%", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(data: bytes, name: str, forwarded: bool, view: bool) -> Response:
    media = sniff(data, forwarded)
    kind = "inline" if view and media in INLINE else "attachment"
    headers = {"Content-Disposition": disposition(kind, safe_name(name, forwarded)),
               "X-Content-Type-Options": "nosniff", "Content-Security-Policy": FILE_CSP}
    return Response(data, media_type=media, headers=headers)
