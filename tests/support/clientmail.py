"""Proof mails as four mail clients really write them, with what each file is.

Each builder takes documents (`Doc`: bytes, name, declared type, the kind a
person would file it as) and forwarded thank-you mails (`Thanks`), and writes
the message the way its client does:

* Gmail: multipart/mixed [alternative(plain, html)] + attachments; inline
  forwards under "---------- Forwarded message ---------".
* Outlook: the same shape, forwards under a line of underscores and a
  "De : / Envoyé : / À : / Objet :" block; or the whole mail forwarded as an
  attachment (message/rfc822, the files inside it).
* Apple Mail / iPhone: multipart/mixed with the files *between* text/plain
  parts, each file `Content-Disposition: inline` with an `x-apple-part-url`;
  forwards under "Début du message réexpédié :", quoted with "> ".
* Thunderbird: "-------- Message transféré --------" with "Sujet : / De :"
  lines, or forwarded as an attachment (message/rfc822).

A `Doc` may be damaged in transit (`b64`: "stray" a text line pasted into
its base64, "cut" the base64 truncated mid-line, "padding" the padding lost).

`tests.support.clientcorpus` builds a varied, seeded set of them, split dev / held-out.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.header import Header
from email.utils import format_datetime
from urllib.parse import quote

from tests.support.proofmail import auth_results

__all__ = ["AMO", "BOT", "Case", "Doc", "Thanks", "apple", "gmail", "outlook", "thunderbird"]

BOT = "preuves-qpv@habitatparticipatif-france.fr"
AMO = ("Karim Belkacem", "karim.belkacem@orange.fr")
WHEN = datetime(2021, 11, 20, 9, 30, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Doc:
    """One file, and the kind a person would file it as ("unusable", "none" included)."""

    name: str
    data: bytes
    expect: str
    ctype: str = "application/pdf"
    b64: str = ""  # "", "stray", "cut", "padding": how its base64 was damaged in transit


@dataclass(frozen=True)
class Thanks:
    """A thank-you mail from someone the AMO met, forwarded by her."""

    name: str
    email: str
    subject: str
    body: str
    when: datetime = WHEN - timedelta(days=2)
    expect: str = "thank_you"


@dataclass
class Case:
    """One message and what it carries: (file name or forward sender, kind)."""

    id: str
    client: str
    raw: bytes
    expected: list[tuple[str, str]] = field(default_factory=list)


def _b64(data: bytes, damage: str, width: int = 76) -> str:
    text = base64.b64encode(data).decode()
    lines = [text[i:i + width] for i in range(0, len(text), width)]
    if damage == "stray":
        lines.insert(len(lines) // 2, "[Pièce jointe tronquée par l'antivirus]")
    elif damage == "cut":
        lines = lines[: len(lines) // 2] + [lines[len(lines) // 2][:37]]
    elif damage == "padding":
        lines[-1] = lines[-1].rstrip("=") + ("" if len(lines[-1].rstrip("=")) % 4 else "A")
    return "\r\n".join(lines) + "\r\n"


def _headers(subject: str, client: str, mid: str, sender: tuple[str, str] = AMO) -> str:
    domain = sender[1].rpartition("@")[2]
    return (f"Authentication-Results: {auth_results(domain)}\r\n"
            f"From: {sender[0]} <{sender[1]}>\r\nTo: {BOT}\r\nSubject: {_word(subject)}\r\n"
            f"Date: {format_datetime(WHEN)}\r\nMessage-ID: <{mid}@{domain}>\r\n"
            f"MIME-Version: 1.0\r\nX-Test-Client: {client}\r\n")


def _word(text: str) -> str:
    """RFC 2047 encoded-word when needed (Gmail, Outlook)."""
    return text if text.isascii() else Header(text, "utf-8").encode()


def _part(doc: Doc, disposition: str = "attachment", extra: str = "", rfc2231: bool = False) -> str:
    if rfc2231 and not doc.name.isascii():  # Apple Mail, Thunderbird
        name = f"name*=utf-8''{quote(doc.name)}"
        filename = f"filename*=utf-8''{quote(doc.name)}"
    else:
        name, filename = f'name="{_word(doc.name)}"', f'filename="{_word(doc.name)}"'
    return (f"Content-Type: {doc.ctype}; {name}{extra}\r\n"
            f"Content-Disposition: {disposition}; {filename}\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(doc.data, doc.b64)}")


def _text(text: str) -> str:
    body = base64.b64encode(text.replace("\n", "\r\n").encode()).decode()
    lines = "\r\n".join(body[i:i + 76] for i in range(0, len(body), 76))
    return f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{lines}\r\n"


def _html(text: str) -> str:
    paragraphs = "".join(f"<div>{line or '<br>'}</div>" for line in text.split("\n"))
    body = base64.b64encode(f"<div dir=\"ltr\">{paragraphs}</div>".encode()).decode()
    lines = "\r\n".join(body[i:i + 76] for i in range(0, len(body), 76))
    return f"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{lines}\r\n"


def _mixed(boundary: str, parts: Sequence[str]) -> str:
    inner = "".join(f"--{boundary}\r\n{p}" for p in parts)
    return f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n{inner}--{boundary}--\r\n'


def _alternative(boundary: str, text: str) -> str:
    return (f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\n{_text(text)}--{boundary}\r\n{_html(text)}--{boundary}--\r\n")


def _fr_date(when: datetime) -> str:
    days = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]
    return f"{days[when.weekday()]} {when.day} {months[when.month - 1]} {when.year} {when:%H:%M}"


def _expected(docs: Sequence[Doc], thanks: Sequence[Thanks]) -> list[tuple[str, str]]:
    return [(d.name, d.expect) for d in docs] + [(t.email, t.expect) for t in thanks]


# --- the four clients ---------------------------------------------------------------------------


def gmail(cid: str, docs: Sequence[Doc], thanks: Sequence[Thanks] = (),
          text: str = "Bonjour,\n\nVoici mes justificatifs.\n\nKarim") -> Case:
    body = text
    for t in thanks:
        body += (f"\n\n---------- Forwarded message ---------\nDe : {t.name} <{t.email}>\n"
                 f"Date: {t.when:%a, %b %d, %Y at %H:%M}\nSubject: {t.subject}\nTo: {AMO[0]} <{AMO[1]}>\n\n"
                 f"{t.body}\n")
    parts = [_alternative(f"alt-{cid}", body)] + [_part(d) for d in docs]
    raw = _headers(f"Fwd: {thanks[0].subject}" if thanks and not docs else "Justificatifs", "gmail",
                   cid) + _mixed(f"mix-{cid}", parts)
    return Case(cid, "gmail", raw.encode(), _expected(docs, thanks))


def outlook(cid: str, docs: Sequence[Doc], thanks: Sequence[Thanks] = (),
            text: str = "Bonjour,\n\nCi-joint les justificatifs de la journée.\n\nCordialement,\nKarim Belkacem",
            as_attachment: bool = False) -> Case:
    if as_attachment and thanks:
        t = thanks[0]
        inner = (f"From: {t.name} <{t.email}>\r\nTo: {AMO[0]} <{AMO[1]}>\r\nSubject: {_word(t.subject)}\r\n"
                 f"Date: {format_datetime(t.when)}\r\nMIME-Version: 1.0\r\n"
                 + _mixed(f"in-{cid}", [_text(t.body)] + [_part(d) for d in docs]))
        parts = [_text(text), f'Content-Type: message/rfc822\r\nContent-Disposition: attachment; '
                              f'filename="{_word(t.subject)}.eml"\r\n\r\n{inner}']
        raw = _headers(f"TR: {t.subject}", "outlook-attached", cid) + _mixed(f"mix-{cid}", parts)
        return Case(cid, "outlook-attached", raw.encode(), _expected(docs, thanks))
    body = text
    for t in thanks:
        body += (f"\n\n________________________________\nDe : {t.name} <{t.email}>\n"
                 f"Envoyé : {_fr_date(t.when)}\nÀ : {AMO[0]} <{AMO[1]}>\nObjet : {t.subject}\n\n{t.body}\n")
    parts = [_alternative(f"alt-{cid}", body)] + [_part(d) for d in docs]
    raw = _headers(f"TR: {thanks[0].subject}" if thanks else "Justificatifs sensibilisation",
                   "outlook", cid) + _mixed(f"mix-{cid}", parts)
    return Case(cid, "outlook", raw.encode(), _expected(docs, thanks))


def apple(cid: str, docs: Sequence[Doc], thanks: Sequence[Thanks] = (),
          text: str = "Bonjour, voici les documents") -> Case:
    """iPhone Mail: each file inline between text/plain parts, with an x-apple-part-url."""
    parts = [_text(text)]
    for n, d in enumerate(docs):
        url = f"{cid.upper()}-{n:04d}-4D2A-9F1A-6E2B8C1D0F3A"
        parts.append(_part(d, "inline", f"; x-unix-mode=0644; x-apple-part-url={url}", rfc2231=True))
        parts.append(_text("\n"))
    tail = "\n\nEnvoyé de mon iPhone"
    for t in thanks:
        quoted = "\n".join(f"> {line}" if line else ">" for line in
                           [f"De: {t.name} <{t.email}>", f"Date: {_fr_date(t.when)}",
                            f"À: {AMO[0]} <{AMO[1]}>", f"Objet: {t.subject}", "", *t.body.split("\n")])
        tail += f"\n\nDébut du message réexpédié :\n\n{quoted}\n"
    parts.append(_text(tail))
    raw = _headers(f"Tr: {thanks[0].subject}" if thanks else "Documents", "apple", cid) + _mixed(
        f"Apple-Mail-{cid}", parts)
    return Case(cid, "apple", raw.encode(), _expected(docs, thanks))


def thunderbird(cid: str, docs: Sequence[Doc], thanks: Sequence[Thanks] = (),
                text: str = "Bonjour,\n\nje vous transmets les pièces.\n\n-- \nKarim Belkacem\nAMO",
                as_attachment: bool = False) -> Case:
    if as_attachment and thanks:
        t = thanks[0]
        inner = (f"From: {t.name} <{t.email}>\r\nTo: {AMO[1]}\r\nSubject: {_word(t.subject)}\r\n"
                 f"Date: {format_datetime(t.when)}\r\nMIME-Version: 1.0\r\n" + _text(t.body))
        parts = [_text(text), *[_part(d, rfc2231=True) for d in docs],
                 f"Content-Type: message/rfc822; name*=utf-8''{quote(t.subject)}.eml\r\n"
                 f"Content-Disposition: attachment; filename*=utf-8''{quote(t.subject)}.eml\r\n\r\n{inner}"]
        raw = _headers(f"Fwd: {t.subject}", "thunderbird-attached", cid) + _mixed(f"mix-{cid}", parts)
        return Case(cid, "thunderbird-attached", raw.encode(), _expected(docs, thanks))
    body = text
    for t in thanks:
        body += (f"\n\n\n-------- Message transféré --------\nSujet : \t{t.subject}\n"
                 f"Date : \t{format_datetime(t.when)}\nDe : \t{t.name} <{t.email}>\n"
                 f"Pour : \t{AMO[0]} <{AMO[1]}>\n\n\n{t.body}\n")
    parts = [_text(body)] + [_part(d, rfc2231=True) for d in docs]
    raw = _headers(f"Fwd: {thanks[0].subject}" if thanks else "pièces justificatives",
                   "thunderbird", cid) + _mixed(f"mix-{cid}", parts)
    return Case(cid, "thunderbird", raw.encode(), _expected(docs, thanks))
