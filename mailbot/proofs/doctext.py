"""The text of an attached document, bounded, never raising.

PDF through `mailbot.proofs.pdftext` (its caps on pages, characters, time and
decompression); DOCX and ODT by reading their XML from the zip with a cap on
the uncompressed size (no extra dependency); plain text decoded. Images and
anything else: no text (we do no OCR), which is not a problem to report: the
kind then comes from the file name and the message.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from mailbot.proofs.pdftext import PdfText, pdf_text

MAX_CHARS = 100_000
MAX_XML_BYTES = 8 * 1024 * 1024
PDF_PAGES = 10
PDF_SECONDS = 3.0

_OFFICE_XML = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/document.xml",
    "application/vnd.oasis.opendocument.text": "content.xml",
}
_PARAGRAPH = re.compile(r"</w:p>|<w:br/>|<w:tab/>|</text:p>|</text:h>|<text:line-break/>")
_TAG = re.compile(r"<[^>]{0,2000}>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


@dataclass(frozen=True)
class DocText:
    """What could be read: text ("" when none) and a French problem, or None."""

    text: str
    problem: str | None = None
    pdf: PdfText | None = None  # for a PDF: how reading went (opened, encrypted, damaged...)


def document_text(data: bytes, sniffed_type: str, filename: str = "") -> DocText:
    """The readable text of one attachment."""
    if sniffed_type == "application/pdf":
        read = pdf_text(data, max_pages=PDF_PAGES, max_chars=MAX_CHARS, timeout_s=PDF_SECONDS)
        return DocText(read.text, read.error, read)
    member = _OFFICE_XML.get(sniffed_type) or _office_by_name(sniffed_type, filename)
    if member:
        return _office_text(data, member)
    if sniffed_type.startswith("text/") and sniffed_type not in ("text/html", "text/calendar"):
        return DocText(data[:MAX_CHARS * 4].decode("utf-8", "replace")[:MAX_CHARS])
    if sniffed_type == "text/html":
        return DocText("", "page web (HTML) et non document : contenu non lu")
    return DocText("")


def _office_by_name(sniffed_type: str, filename: str) -> str | None:
    """filetype calls some Office files plain zip: trust the extension only then."""
    if sniffed_type not in ("application/zip", "application/octet-stream"):
        return None
    lower = filename.lower()
    if lower.endswith(".docx"):
        return "word/document.xml"
    if lower.endswith(".odt"):
        return "content.xml"
    return None


def _office_text(data: bytes, member: str) -> DocText:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo(member)
            if info.file_size > MAX_XML_BYTES:
                return DocText("", "document trop volumineux pour être lu")
            with archive.open(info) as handle:
                xml = handle.read(MAX_XML_BYTES + 1)[:MAX_XML_BYTES].decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError):
        return DocText("", "document endommagé ou illisible")
    text = _TAG.sub("", _PARAGRAPH.sub("\n", xml))
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return DocText(text[:MAX_CHARS])
