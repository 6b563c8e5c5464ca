"""Bounded, never-raising text extraction from PDF attachments.

`pdf_text` turns the bytes of an attachment into plain text with pypdf. It is
called on whatever users attach, so it must survive anything: an empty file,
an HTML page saved as ``.pdf``, an encrypted or truncated PDF, a decompression
bomb. It never raises on bad input; it returns a `PdfText` whose ``error`` is a
short French reason, since that reason ends up in the acknowledgement sent to
the user ("fichier vide", "PDF chiffré", "pas un PDF"...).

Resource bounds:

* pypdf's own decompression limits apply to every stream; when the installed
  pypdf has the context-local ``apply_configuration`` (pypdf >= 6), they are
  lowered further for the duration of the call (see `STREAM_LIMIT_BYTES`),
  without touching the rest of the process;
* at most ``max_pages`` pages are read and at most ``max_chars`` characters
  kept;
* a wall-clock guard, checked between pages, stops reading after
  ``timeout_s`` seconds. One pathological page can still overrun it; pypdf's
  content-stream parsing budget bounds that page.

pypdf's log messages and warnings about malformed files are silenced: they
are noise for a mail robot, and the outcome is reported in ``error``. (The
"pypdf" logger is set to ERROR when this module is imported; warnings are
suppressed with `warnings.catch_warnings`, which is process-wide while a call
runs.)

AES-encrypted PDFs need the optional ``cryptography`` package; without it
they are reported as `ERR_ENCRYPTED` even when their user password is empty.
RC4-encrypted ones are handled by pypdf alone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pypdf
from pypdf.errors import (
    DependencyError,
    EmptyFileError,
    FileNotDecryptedError,
    LimitReachedError,
    PdfReadError,
)

__all__ = [
    "ERR_DAMAGED",
    "ERR_EMPTY",
    "ERR_ENCRYPTED",
    "ERR_NO_TEXT",
    "ERR_NOT_PDF",
    "ERR_TIMEOUT",
    "ERR_TOO_BIG",
    "ERR_TRUNCATED",
    "PdfText",
    "STREAM_LIMIT_BYTES",
    "pdf_text",
]

# pypdf reports malformed input through the "pypdf" logger (and a few
# warnings.warn calls, handled in `pdf_text`). Keep only real errors.
logging.getLogger("pypdf").setLevel(logging.ERROR)

#: The short French reasons put in `PdfText.error`.
ERR_EMPTY = "fichier vide"
ERR_NOT_PDF = "pas un PDF"
ERR_ENCRYPTED = "PDF chiffré"
ERR_DAMAGED = "PDF endommagé ou illisible"
ERR_TRUNCATED = "PDF incomplet (fichier tronqué)"
ERR_TOO_BIG = "PDF trop volumineux une fois décompressé"
ERR_TIMEOUT = "PDF trop long à lire"
ERR_NO_TEXT = "aucun texte lisible (document scanné ?)"

#: Per-stream cap on decompressed output while `pdf_text` runs. A ticket's
#: page content is a few kilobytes; images are not decoded for text.
STREAM_LIMIT_BYTES = 16_000_000

# Where a PDF header may start: the specification allows junk before it and
# many readers accept up to 1 KiB.
_HEADER_WINDOW = 1024


@dataclass(frozen=True, slots=True)
class PdfText:
    """What `pdf_text` could read from one PDF.

    Attributes:
        text: the extracted text, pages separated by a form feed (``\\f``);
            possibly partial (cut at ``max_pages``/``max_chars``, or where an
            error stopped reading); ``""`` when nothing could be read.
        pages: the number of pages the document declares (0 when unknown).
        encrypted: the file is encrypted, whether or not it could be opened
            with the empty password.
        error: ``None`` when reading went well, otherwise a short French
            reason for the user. ``text`` may still hold what was read before
            the problem (for `ERR_TIMEOUT`, `ERR_TOO_BIG`, `ERR_DAMAGED`).
    """

    text: str
    pages: int
    encrypted: bool
    error: str | None

    @property
    def ok(self) -> bool:
        """True when the text was read without any problem."""
        return self.error is None


def _looks_like_html(head: bytes) -> bool:
    sample = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return sample.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<meta"))


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence warnings raised by pypdf (PdfReadWarning and friends)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _limits() -> contextlib.AbstractContextManager[Any]:
    """Lower pypdf's decompression limits for this context only, if possible."""
    apply = getattr(pypdf, "apply_configuration", None)
    config_cls = getattr(pypdf, "Configuration", None)
    if apply is None or config_cls is None:
        return contextlib.nullcontext()
    known = {f.name for f in dataclasses.fields(config_cls)}
    wanted = {
        "maximum_declared_stream_length": STREAM_LIMIT_BYTES,
        "array_based_stream_maximum_output_length": STREAM_LIMIT_BYTES,
        "jbig2_maximum_output_length": STREAM_LIMIT_BYTES,
        "lzw_maximum_output_length": STREAM_LIMIT_BYTES,
        "run_length_maximum_output_length": STREAM_LIMIT_BYTES,
        "zlib_maximum_output_length": STREAM_LIMIT_BYTES,
        "brotli_maximum_output_length": STREAM_LIMIT_BYTES,
        "image_maximum_buffer_size": STREAM_LIMIT_BYTES,
        "stream_decoding_work_maximum_length": 4 * STREAM_LIMIT_BYTES,
    }
    overwrites = {k: v for k, v in wanted.items() if k in known}
    manager: contextlib.AbstractContextManager[Any] = apply(**overwrites)
    return manager


def _classify(exc: BaseException) -> str:
    """Map an exception raised while reading to a French reason."""
    if isinstance(exc, LimitReachedError | MemoryError):
        return ERR_TOO_BIG
    if isinstance(exc, FileNotDecryptedError | DependencyError):
        return ERR_ENCRYPTED
    if isinstance(exc, EmptyFileError):
        return ERR_EMPTY
    return ERR_DAMAGED


def pdf_text(
    data: bytes,
    *,
    max_pages: int = 20,
    max_chars: int = 200_000,
    timeout_s: float = 5.0,
) -> PdfText:
    """Extract the text of a PDF given as bytes, without ever raising.

    Args:
        data: the raw bytes of the attachment.
        max_pages: read at most this many pages (the rest is ignored).
        max_chars: keep at most this many characters of text.
        timeout_s: stop reading further pages once this many seconds have
            passed (checked between pages).

    Returns:
        A `PdfText`. ``error`` is ``None`` on success, else one of the
        ``ERR_*`` reasons of this module.
    """
    if not data:
        return PdfText("", 0, False, ERR_EMPTY)
    head = data[:_HEADER_WINDOW]
    if b"%PDF-" not in head:
        return PdfText("", 0, False, ERR_NOT_PDF)
    deadline = time.monotonic() + max(timeout_s, 0.0)
    try:
        with _quiet(), _limits():
            return _read(data, max_pages, max_chars, deadline)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raise"
        # Includes RecursionError (deeply nested objects) and MemoryError.
        reason = _classify(exc)
        if reason == ERR_DAMAGED and b"%%EOF" not in data[-_HEADER_WINDOW:]:
            reason = ERR_TRUNCATED
        return PdfText("", 0, reason == ERR_ENCRYPTED, reason)


def _read(data: bytes, max_pages: int, max_chars: int, deadline: float) -> PdfText:
    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    encrypted = bool(reader.is_encrypted)
    if encrypted:
        try:
            opened = reader.decrypt("")
        except (DependencyError, NotImplementedError, PdfReadError, ValueError):
            return PdfText("", 0, True, ERR_ENCRYPTED)
        if opened == pypdf.PasswordType.NOT_DECRYPTED:
            return PdfText("", 0, True, ERR_ENCRYPTED)
    try:
        n_pages = len(reader.pages)
    except Exception as exc:  # noqa: BLE001
        return PdfText("", 0, encrypted, _classify(exc))

    parts: list[str] = []
    size = 0
    error: str | None = None
    for index in range(min(n_pages, max(max_pages, 0))):
        if time.monotonic() > deadline:
            error = ERR_TIMEOUT
            break
        try:
            page_text = reader.pages[index].extract_text() or ""
        except Exception as exc:  # noqa: BLE001
            error = _classify(exc)
            break
        parts.append(page_text)
        size += len(page_text) + 1
        if size >= max_chars:
            break
    text = "\f".join(parts)[: max(max_chars, 0)]
    if error is None and not text.strip():
        error = ERR_NO_TEXT
    return PdfText(text, n_pages, encrypted, error)
