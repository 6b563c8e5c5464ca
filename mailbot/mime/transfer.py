"""How a leaf part's body was encoded for the trip, and what it really holds.

* `base64_defect`: is a base64 body intact?
* `is_document`: do the sniffed bytes make this part a document (an attachment
  whatever its disposition)?
* `unflow`: the soft line breaks of format=flowed text joined (RFC 3676).

Base64 integrity:

Python's decoders are lenient on purpose: they skip characters outside the
alphabet and repair what they can, so a PDF whose base64 was cut short, had
a text line pasted into it, or lost its padding still decodes, to wrong
bytes. A proof must not be filed from such bytes, so before decoding, the
encoded text is checked, and the first defect found is reported (in French,
for the acknowledgement):

* a line with characters outside the base64 alphabet (a stray text line);
* a line shorter or longer than the lines around it, other than the last
  (a line lost, cut or inserted);
* padding (``=``) anywhere but at the very end;
* a total length that is not a multiple of 4 (truncated, or padding lost).

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections import Counter

_ALPHABET = re.compile(r"^[A-Za-z0-9+/]*=*$")

STRAY_LINE = "une ligne de texte étrangère au fichier s'y est glissée"
ODD_LINE = "une ligne du codage base64 est coupée ou en trop"
BAD_PADDING = "le remplissage du codage base64 est incorrect"
TRUNCATED = "le codage base64 est incomplet, le fichier a été tronqué"


def base64_defect(encoded: str) -> str | None:
    """The first defect of a base64 body, or None when it looks intact."""
    lines = [line.strip() for line in encoded.replace("\r", "").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        return None
    for line in lines:
        if not _ALPHABET.match(line):
            return STRAY_LINE
    if any("=" in line for line in lines[:-1]) or lines[-1].endswith("==="):
        return BAD_PADDING
    if _odd_line(lines):
        return ODD_LINE
    total = sum(len(line) for line in lines)
    if total % 4:
        return BAD_PADDING if lines[-1].endswith("=") else TRUNCATED
    return None


#: Sniffed types that make a part a document, whatever its disposition or declared type.
DOCUMENT_TYPES = frozenset({
    "application/pdf", "application/msword", "application/rtf", "application/x-ole-storage",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.ms-excel", "application/zip",
})


def is_document(sniffed_type: str) -> bool:
    """A PDF, an office document, an archive: a file someone sent, never body text or a logo."""
    return sniffed_type in DOCUMENT_TYPES


def _odd_line(lines: list[str]) -> bool:
    """A line before the last whose length differs from the usual one (76, 72, 64...).

    Only judged when most lines share one length, as every mailer writes
    them; the last line may be shorter, never longer.
    """
    if len(lines) < 3:
        return False
    usual, count = Counter(len(line) for line in lines[:-1]).most_common(1)[0]
    if count < 0.8 * (len(lines) - 1):
        return False
    return any(len(line) != usual for line in lines[:-1]) or len(lines[-1]) > usual


def unflow(text: str, delsp: bool) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676), per quote depth."""
    out: list[str] = []
    pending: tuple[int, str] | None = None
    for line in text.split("\n"):
        body = line.lstrip(">")
        depth = len(line) - len(body)
        body = body[1:] if body.startswith(" ") else body
        if pending is not None and pending[0] == depth:
            body = pending[1] + body
        elif pending is not None:
            out.append(requote(*pending))
        pending = None
        if body.endswith(" ") and body.rstrip() != "--":
            pending = (depth, body[:-1] if delsp else body)
        else:
            out.append(requote(depth, body))
    if pending is not None:
        out.append(requote(*pending))
    return "\n".join(out)


def requote(depth: int, body: str) -> str:
    return f"{'>' * depth} {body}" if depth else body
