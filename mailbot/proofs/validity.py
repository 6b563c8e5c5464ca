"""Is a file a usable proof? Checked before anything is filed as one.

A file that does not open is kept (stored, listed in the dossier as "not a
usable proof", shown to the COTECH in the digest) but never counted: the
acknowledgement names it and asks for a readable copy. The reasons, in
French, are written for the AMO:

* empty file;
* damaged in transit: the transfer encoding was broken (base64 truncated, a
  stray text line inside it, bad padding; see `mailbot.mime.walk`);
* not what it claims: a name or declared type says PDF (or Word, ODT, JPEG,
  PNG) and the bytes say something else (an HTML page saved as ``.pdf``);
* does not open: a PDF that needs a password (we never guess one), a PDF
  without its end (``%%EOF``) or that pypdf cannot read, a Word/ODT file
  whose zip is broken, a JPEG or PNG cut short.

A scanned PDF with no text layer opens: it is usable (the kind then comes
from its name and the message). Pure: bytes and labels in, `Validity` out.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from mailbot.proofs.pdftext import ERR_DAMAGED, ERR_EMPTY, ERR_ENCRYPTED, ERR_TRUNCATED, PdfText

#: What a claimed type or extension promises, as a family of sniffed types.
_PDF = ("application/pdf",)
_WORD = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "application/zip", "application/msword", "application/x-ole-storage",
         "application/x-cfb")
_ODT = ("application/vnd.oasis.opendocument.text", "application/zip")
_JPEG = ("image/jpeg",)
_PNG = ("image/png",)
_CLAIMS: dict[str, tuple[str, tuple[str, ...]]] = {
    # extension or declared type -> (what it is called for the AMO, acceptable sniffed types)
    ".pdf": ("un PDF", _PDF), "application/pdf": ("un PDF", _PDF),
    ".docx": ("un document Word", _WORD),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        ("un document Word", _WORD),
    ".odt": ("un document OpenDocument", _ODT),
    "application/vnd.oasis.opendocument.text": ("un document OpenDocument", _ODT),
    ".jpg": ("une image JPEG", _JPEG), ".jpeg": ("une image JPEG", _JPEG),
    "image/jpeg": ("une image JPEG", _JPEG),
    ".png": ("une image PNG", _PNG), "image/png": ("une image PNG", _PNG),
}
_WHAT_IT_IS = {
    "text/html": "une page web (HTML)",
    "text/plain": "du texte brut",
    "application/octet-stream": "des données illisibles",
    "application/zip": "une archive zip",
}

EMPTY = "fichier vide (0 octet)"
PASSWORD = ("PDF protégé par un mot de passe, que nous ne pouvons donc pas ouvrir "
            "(nous ne cherchons jamais à deviner un mot de passe)")
PDF_TRUNCATED = "PDF incomplet (la fin du fichier manque), il ne s'ouvre pas"
PDF_DAMAGED = "PDF endommagé, il ne s'ouvre pas"
OFFICE_DAMAGED = "document endommagé, il ne s'ouvre pas"
IMAGE_TRUNCATED = "image incomplète (la fin du fichier manque)"


@dataclass(frozen=True)
class Validity:
    """`usable` False: kept but not counted, for `reason` (French, for the AMO)."""

    usable: bool
    reason: str = ""


USABLE = Validity(True)


def _claim(name: str, declared: str) -> tuple[str, tuple[str, ...]] | None:
    lower = name.lower().strip()
    dot = lower.rfind(".")
    if dot >= 0 and lower[dot:] in _CLAIMS:
        return _CLAIMS[lower[dot:]]
    return _CLAIMS.get(declared.lower())


def type_mismatch(name: str, declared: str, sniffed: str) -> str | None:
    """Why the bytes are not what the name or declared type says, or None."""
    claim = _claim(name, declared)
    if claim is None:
        return None
    called, accepted = claim
    if sniffed in accepted:
        return None
    actual = _WHAT_IT_IS.get(sniffed) or (
        "une image" if sniffed.startswith("image/") else f"un fichier {sniffed}")
    agreement = "e" if actual.startswith("une") else ""
    return f"ce n'est pas {called} mais {actual}, enregistré{agreement} sous ce nom"


def check(data: bytes, *, name: str, declared: str, sniffed: str, transfer_defect: str = "",
          pdf: PdfText | None = None) -> Validity:
    """Whether one attachment can be filed as a proof (see the module docstring)."""
    if not data:
        return Validity(False, EMPTY)
    if transfer_defect:
        return Validity(False, f"fichier abîmé pendant l'envoi ({transfer_defect})")
    mismatch = type_mismatch(name, declared, sniffed)
    if mismatch:
        return Validity(False, mismatch)
    if sniffed == "application/pdf":
        return _pdf(data, pdf)
    if sniffed in _WORD[:1] or sniffed == _ODT[0]:
        return _zip(data)
    if sniffed == "image/jpeg" and not _jpeg_complete(data):
        return Validity(False, IMAGE_TRUNCATED)
    if sniffed == "image/png" and b"IEND" not in data[-64:]:
        return Validity(False, IMAGE_TRUNCATED)
    return USABLE


def _pdf(data: bytes, read: PdfText | None) -> Validity:
    if b"%%EOF" not in data[-2048:]:
        return Validity(False, PDF_TRUNCATED)
    if read is None:
        return USABLE
    if read.error == ERR_ENCRYPTED:
        return Validity(False, PASSWORD)
    if read.error == ERR_TRUNCATED:
        return Validity(False, PDF_TRUNCATED)
    if read.error in (ERR_DAMAGED, ERR_EMPTY):
        return Validity(False, PDF_DAMAGED)
    return USABLE  # read, or opened without text (a scan), or too long to read in full


def _zip(data: bytes) -> Validity:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the directory is at the end
            if not archive.namelist():
                return Validity(False, OFFICE_DAMAGED)
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
        return Validity(False, OFFICE_DAMAGED)
    return USABLE


def _jpeg_complete(data: bytes) -> bool:
    """A JPEG ends with its EOI marker (FF D9), possibly followed by padding."""
    return data[-4096:].rstrip(b"\x00\r\n ").endswith(b"\xff\xd9")
