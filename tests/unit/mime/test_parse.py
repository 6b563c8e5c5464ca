"""mailbot.mime.parse: raw bytes to Incoming, caps, attachments with provenance, forwards, hostile input."""

from __future__ import annotations

import hashlib
import json
import re
import struct
from datetime import datetime, timedelta, timezone
from email.message import Message
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.errors import MalformedMessage
from mailbot.mime.filenames import display_filename, sniff_type
from mailbot.mime.incoming import Address, Incoming
from mailbot.mime.parse import Limits, parse_headers, parse_message

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse"
CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "public"
PDF = b"%PDF-1.4\n%%EOF\n"


def fixture(name: str) -> Incoming:
    return parse_message((FIXTURES / name).read_bytes())


def simple(body: str, headers: str = "", ctype: str = "text/plain; charset=utf-8") -> bytes:
    head = "From: Claire <claire@example.org>\r\nTo: bot@example.org\r\nSubject: Test\r\n"
    return f"{head}{headers}MIME-Version: 1.0\r\nContent-Type: {ctype}\r\n\r\n{body}".encode()


def mixed(*parts: str, boundary: str = "b1") -> str:
    return "".join(f"--{boundary}\r\n{p}\r\n" for p in parts) + f"--{boundary}--\r\n"


# --- headers ------------------------------------------------------------------------------------------


def test_headers_are_decoded_everywhere() -> None:
    inc = fixture("outlook-fr-forward-tr.eml")
    assert inc.subject == "TR: Merci pour la réunion de mardi"
    assert inc.from_ == Address("Hélène Petit", "h.petit@amo-petit.fr")
    assert inc.header("From") == "Hélène Petit <H.Petit@amo-petit.fr>"
    assert inc.header("Thread-Topic") == "Merci pour la réunion de mardi"
    assert inc.header("subject") == inc.subject
    assert inc.header_all("Received")[0].startswith("from mx.habitatparticipatif-france.fr\tby mail.")
    assert inc.header("X-Absent") is None
    assert isinstance(inc.headers, Message)
    assert all("=?" not in v for v in inc.header_all("Subject") + inc.header_all("From"))


def test_ids_dates_and_addresses() -> None:
    inc = fixture("outlook2019-reply-bom.eml")
    assert inc.message_id == "000a01d7cca1$2b3c4d50$81a5e7f0$@orange.fr"
    assert inc.in_reply_to == "ack.20211028124600.8c1d@habitatparticipatif-france.fr"
    assert inc.references == ["ack.20211028124600.8c1d@habitatparticipatif-france.fr"]
    assert inc.date == datetime(2021, 10, 29, 10, 12, 33, tzinfo=timezone(timedelta(hours=2)))
    assert inc.to == [Address("'AMI QPV - Habitat Participatif France'", "preuves-qpv@habitatparticipatif-france.fr")]
    assert inc.subject == "RE\u00a0: [QPV] Accusé de réception de vos justificatifs"
    assert inc.raw_size == (FIXTURES / "outlook2019-reply-bom.eml").stat().st_size


def test_message_without_message_id_gets_the_hash_of_its_bytes() -> None:
    raw = simple("Bonjour")
    assert parse_message(raw).message_id == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert parse_message(simple("x", "Message-ID:  no-brackets@example.org \r\n")).message_id == "no-brackets@example.org"


def test_folded_encoded_subject_and_several_recipients() -> None:
    raw = simple(
        "x",
        "Cc: =?utf-8?Q?Dupont=2C_Jean?= <J.Dupont@Example.org>, b@example.org,\r\n Undisclosed:;\r\n"
        "Subject2: =?UTF-8?Q?Fwd=3a_Merci_pour_ce_temps_d=27=c3=a9change?=\r\n =?UTF-8?Q?_suite?=\r\n"
        "References: <a@x>\r\n <b@y>  <c@z>\r\nDate: Tue, 23 Nov 2021 09:12:44 -0000\r\n",
    )
    inc = parse_message(raw)
    assert inc.cc == [Address("Dupont, Jean", "j.dupont@example.org"), Address("", "b@example.org")]
    assert inc.header("Subject2") == "Fwd: Merci pour ce temps d'échange suite"
    assert inc.references == ["a@x", "b@y", "c@z"]
    assert inc.date == datetime(2021, 11, 23, 9, 12, 44, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", [None, "Undisclosed recipients", "<>", "@", "=?utf-8?Q?=00?=", "a b@c d"])
def test_from_without_an_address_is_none(value: str | None) -> None:
    head = f"From: {value}\r\n" if value is not None else ""
    inc = parse_message(f"{head}To: bot@example.org\r\nSubject: x\r\n\r\nbody".encode())
    assert inc.from_ is None and inc.from_email is None


def test_no_from_fixture() -> None:
    inc = fixture("no-from.eml")
    assert inc.from_ is None
    assert [a.filename for a in inc.attachments] == ["DOC021221-02122021104112.pdf"]


def test_parse_headers_is_the_header_half_of_parse_message() -> None:
    raw = (FIXTURES / "gmail-fr-forward.eml").read_bytes()
    block = raw[: raw.index(b"\r\n\r\n") + 4]
    head, full = parse_headers(block), parse_message(raw)
    assert head.has_body is False and full.has_body is True
    assert (head.text, head.html, head.attachments, head.forwards) == ("", "", [], [])
    for attr in ("message_id", "subject", "from_", "to", "cc", "date", "in_reply_to", "references"):
        assert getattr(head, attr) == getattr(full, attr), attr
    assert head.header_all("Received") == full.header_all("Received")
    assert not head.headers.is_multipart()


def test_parse_headers_accepts_a_block_without_blank_line_and_an_mbox_line() -> None:
    inc = parse_headers(b"From bot@example.org Mon Nov 29 10:00:00 2021\nSubject: =?utf-8?B?w6l0w6k=?=\nX: a\n b")
    assert inc.subject == "été"
    assert inc.header("X") == "a b"


# --- body text -----------------------------------------------------------------------------------------------


def test_plain_is_preferred_and_html_kept() -> None:
    inc = fixture("gmail-fr-forward.eml")
    assert inc.text == "Bonjour,\n\nJe vous transfère mon billet pour la journée du 17 novembre.\n\nMathieu"
    assert inc.quoted.startswith("---------- Forwarded message ---------\nDe : SNCF Connect")
    assert inc.html.startswith('<div dir="ltr">')


def test_html_only_message_is_converted_and_forward_detected_with_the_sympa_footer_appended() -> None:
    inc = fixture("html-only-forward.eml")
    assert inc.text == "Bonjour,\nvoici le remerciement du centre social.\nYann"
    [fwd] = inc.forwards
    assert (fwd.how, fwd.sender, fwd.subject) == (
        "inline",
        Address("Centre social Kerfeunteun", "accueil@cs-kerfeunteun.fr"),
        "Merci !",
    )
    assert "var x" not in inc.quoted and "color:red" not in inc.quoted
    assert inc.quoted.endswith("--\nListe qpv-hpf@framalistes.org - AMI Habitat participatif en QPV")
    assert inc.attachments == []


def test_format_flowed_is_unwrapped() -> None:
    inc = fixture("thunderbird-fr-forward.eml")
    assert "pour l'atelier d'hier, que je vous transmets" in inc.text
    assert inc.forwards[0].text.startswith("Bonjour Claire,\n\nUn grand merci pour l'atelier d'hier soir : les habitants ont beaucoup")


def test_outlook_2019_reply_with_bom_keeps_only_the_new_text() -> None:
    inc = fixture("outlook2019-reply-bom.eml")
    assert inc.text == "Bonjour,\n\nVoici ma facture corrigée, avec le bon numéro de SIRET.\n\nBien à vous,\nKarim Belkacem"
    assert inc.quoted.startswith("Le 28/10/2021 12:46, «")
    assert inc.forwards == []
    assert [a.filename for a in inc.attachments] == ["Facture 2021-009 v2.pdf"]


def test_broken_encodings_are_replaced_and_recorded() -> None:
    inc = fixture("broken-encodings.eml")
    assert inc.from_ == Address("René", "rene@example.fr")
    assert inc.subject.startswith("café et ")
    assert inc.text == "Café crème"
    assert inc.date is None
    assert "unknown charset 'x-klingon'" in inc.defects
    assert "unparseable Date header" in inc.defects
    assert any(d.startswith("InvalidBase64") for d in inc.defects)
    assert any(d.startswith("CloseBoundaryNotFoundDefect") for d in inc.defects)
    assert inc.attachments[0].sniffed_type == "application/octet-stream"


# --- forwards with provenance ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "email", "subject"),
    [
        ("gmail-fr-forward.eml", "noreply@connect.sncf", "Votre e-billet - Lille Europe / Paris Nord"),
        ("outlook-fr-forward-tr.eml", "l.morel@bailleur-nord.fr", "Merci pour la réunion de mardi"),
        ("apple-mail-fr-forward-quoted.eml", "resa@voyages-solidaires.fr", "Votre billet retour Paris - Rennes"),
        ("thunderbird-fr-forward.eml", "contact@mq-buers.fr", "Remerciements - atelier du 29/11"),
    ],
)
def test_inline_forwards(name: str, email: str, subject: str) -> None:
    inc = fixture(name)
    [fwd] = inc.forwards
    assert fwd.how == "inline"
    assert fwd.sender is not None and fwd.sender.email == email
    assert fwd.subject == subject
    assert fwd.date is not None and fwd.date.tzinfo is not None
    assert fwd.text and fwd.text not in inc.text
    assert all(a.forward_index is None for a in inc.attachments)


def test_apple_inline_pdf_is_a_real_attachment() -> None:
    """Issue 12: a document is an attachment whatever its disposition (iPhone Mail sends
    every file `inline`, between text/plain parts)."""
    inc = fixture("apple-mail-fr-forward-quoted.eml")
    [pdf] = inc.attachments
    assert (pdf.filename, pdf.inline, pdf.sniffed_type) == ("Billet retour.pdf", False, "application/pdf")
    assert inc.text.endswith("Envoyé de mon iPhone")


def test_attached_message_is_unwrapped_with_its_pdf() -> None:
    inc = fixture("attached-rfc822-with-pdf.eml")
    [fwd] = inc.forwards
    assert fwd.how == "rfc822"
    assert fwd.sender == Address("SNCF Connect", "noreply@connect.sncf")
    assert fwd.subject == "Confirmation de votre réservation"
    assert fwd.date == datetime(2021, 11, 9, 21, 14, 2, tzinfo=timezone(timedelta(hours=1)))
    assert "Référence : QXLM7P" in fwd.text and "color" not in fwd.text
    [pdf] = inc.attachments
    assert (pdf.filename, pdf.forward_index, pdf.sniffed_type) == ("e-billet QXLM7P.pdf", 0, "application/pdf")
    assert inc.text == "Bonjour,\nje joins le mail de SNCF Connect avec le billet.\nMathieu"


def test_nested_attached_messages_keep_the_innermost_index() -> None:
    inner = "From: Inner <inner@example.org>\r\nSubject: inner\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4"
    middle = f"From: Middle <m@example.org>\r\nSubject: middle\r\nContent-Type: message/rfc822\r\n\r\n{inner}"
    raw = simple(mixed("Content-Type: text/plain\r\n\r\nhi", f"Content-Type: message/rfc822\r\n\r\n{middle}"),
                 ctype='multipart/mixed; boundary="b1"')  # fmt: skip
    inc = parse_message(raw)
    assert [f.subject for f in inc.forwards] == ["middle", "inner"]
    assert inc.attachments[0].forward_index == 1


def test_delivery_report_returns_the_original_as_rfc822() -> None:
    inc = parse_message((CORPUS / "bounce-postfix-user-unknown.eml").read_bytes()) if CORPUS.is_dir() else None
    if inc is None:
        pytest.skip("shared corpus absent")
    assert [f.how for f in inc.forwards] == ["rfc822"]
    assert inc.forwards[0].subject == "[QPV] Confirmez votre adresse (réf. 6WQR-2MJS)"
    assert inc.attachments == []
    assert inc.headers.get_content_type() == "multipart/report"  # the tree is there for flufl.bounce


# --- attachments and filenames ---------------------------------------------------------------------------------


def test_filenames_rfc2231_rfc2047_and_hostile() -> None:
    inc = fixture("filenames.eml")
    names = [a.filename for a in inc.attachments]
    assert names[:5] == [
        "Feuille d'émargement - atelier Villeneuve 26-11.pdf",
        "Réunion du 26 novembre.pdf",
        "passwd",
        "facture.pdf",
        "facture.pdf",
    ]
    assert len(names[5]) == 150 and names[5].endswith(" trè.pdf")
    assert names[6] == "Réunion été.pdf" and names[6] == "R\u00e9union \u00e9t\u00e9.pdf"
    assert names[7:] == ["piece-jointe-8.jpg", "piece-jointe-9.pdf"]
    assert inc.attachments[7].inline and inc.attachments[7].sniffed_type == "image/jpeg"
    for att in inc.attachments:
        assert att.sha256 == hashlib.sha256(att.data).hexdigest()
        assert not re.search(r"[\x00-\x1f/\\]", att.filename)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\x.pdf", "x.pdf"),
        ("C:x.pdf", "x.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        ("facture\u202efdp.exe", "facturefdp.exe"),
        ("Re\u0301union.pdf", "R\u00e9union.pdf"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
        ("é" * 200, "é" * 120),
        ("..", "piece-jointe-3.pdf"),
        ("", "piece-jointe-3.pdf"),
        (None, "piece-jointe-3.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ('a<b>:"c"|?*.pdf', "a_b___c____.pdf"),
        ("  devis\tfinal .pdf. ", "devis final .pdf"),
    ],
)
def test_display_filename(raw: str | None, expected: str) -> None:
    assert display_filename(raw, "pdf", index=3) == expected


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        (PDF, "application/octet-stream", "application/pdf"),
        (b"\r\n  %PDF-1.7", "application/pdf", "application/pdf"),
        (b"", "application/pdf", "application/octet-stream"),
        (b"<!DOCTYPE html><p>x", "application/octet-stream", "text/html"),
        (b"BEGIN:VCALENDAR\r\n", "application/ics", "text/calendar"),
        (b"hello", "text/csv", "text/csv"),
        (b"\x00\x01\x02", "application/pdf", "application/octet-stream"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "application/pdf", "image/jpeg"),
    ],
)
def test_sniff_type(data: bytes, declared: str, expected: str) -> None:
    assert sniff_type(data, declared) == expected


def test_logo_in_related_is_inline_and_calendar_parts_are_attachments() -> None:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus absent")
    logo = parse_message((CORPUS / "proof-logo-only.eml").read_bytes())
    assert [(a.inline, a.content_id) for a in logo.attachments] == [(True, "ii_kwp9f2k10")]
    invite = parse_message((CORPUS / "other-calendar-invitation.eml").read_bytes())
    assert [a.content_type for a in invite.attachments] == ["text/calendar", "application/ics"]
    assert [a.filename for a in invite.attachments] == ["piece-jointe-1.ics", "invite.ics"]
    empty = parse_message((CORPUS / "malformed-empty-pdf.eml").read_bytes())
    assert [(a.size, a.sniffed_type) for a in empty.attachments] == [(0, "application/octet-stream")]


def test_text_part_with_a_filename_is_an_attachment_and_footer_is_body() -> None:
    raw = simple(
        mixed(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nCorps",
            'Content-Type: text/plain; name="notes.txt"\r\nContent-Disposition: attachment\r\n\r\nnotes',
            "Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline\r\n\r\n--\r\nPied de liste",
            "Content-Type: application/pgp-signature\r\n\r\n-----BEGIN PGP SIGNATURE-----",
        ),
        ctype='multipart/mixed; boundary="b1"',
    )
    inc = parse_message(raw)
    assert inc.text == "Corps\n--\nPied de liste"
    assert [a.filename for a in inc.attachments] == ["notes.txt"]


# --- winmail.dat ------------------------------------------------------------------------------------------------


def _tnef_attr(level: int, attr_id: int, attr_type: int, data: bytes) -> bytes:
    return struct.pack("<BHHI", level, attr_id, attr_type, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def build_tnef(body: bytes | None, files: list[tuple[bytes, bytes]]) -> bytes:
    """A minimal TNEF stream (MS-OXTNEF): version, OEM code page, attBody, and per file
    attAttachRendData / attAttachTitle / attAttachData."""
    out = struct.pack("<IH", 0x223E9F78, 1)
    out += _tnef_attr(1, 0x9006, 0x0008, struct.pack("<I", 0x10000))
    out += _tnef_attr(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))
    if body is not None:
        out += _tnef_attr(1, 0x800C, 0x0002, body)
    for name, data in files:
        out += _tnef_attr(2, 0x9002, 0x0006, b"\x01\x00\xff\xff\xff\xff" + b"\x00" * 8)
        out += _tnef_attr(2, 0x8010, 0x0001, name + b"\x00")
        out += _tnef_attr(2, 0x800F, 0x0006, data)
    return out


def tnef_message(tnef: bytes, plain: str | None) -> bytes:
    import base64

    encoded = base64.encodebytes(tnef).decode()
    parts = [f"Content-Type: text/plain; charset=utf-8\r\n\r\n{plain}"] if plain is not None else []
    parts.append(
        'Content-Type: application/ms-tnef; name="winmail.dat"\r\nContent-Disposition: attachment; '
        f'filename="winmail.dat"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}'
    )
    return simple(mixed(*parts), "Subject: TR: facture\r\n", ctype='multipart/mixed; boundary="b1"')


def test_winmail_dat_is_unpacked() -> None:
    tnef = build_tnef(b"Corps RTF-less", [(b"Facture 2021-015.pdf", PDF), (b"photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF")])
    inc = parse_message(tnef_message(tnef, "Bonjour, ci-joint ma facture."))
    assert [(a.filename, a.content_type, a.sniffed_type) for a in inc.attachments] == [
        ("Facture 2021-015.pdf", "application/pdf", "application/pdf"),
        ("photo.jpg", "image/jpeg", "image/jpeg"),
    ]
    assert all(a.forward_index is None for a in inc.attachments)
    assert inc.text == "Bonjour, ci-joint ma facture."  # the TNEF body only stands in for a missing text


def test_winmail_dat_body_is_used_when_there_is_no_other_text() -> None:
    inc = parse_message(tnef_message(build_tnef(b"Texte seulement dans winmail", []), None))
    assert inc.text == "Texte seulement dans winmail"


def test_unreadable_winmail_dat_is_kept_as_a_file() -> None:
    inc = parse_message(tnef_message(b"not a TNEF stream at all", "Bonjour"))
    assert [a.filename for a in inc.attachments] == ["winmail.dat"]
    assert any(d.startswith("winmail.dat unreadable") for d in inc.defects)


@pytest.mark.parametrize("cut", [7, 20, 40, 61, 90])
def test_truncated_winmail_dat_never_raises(cut: int) -> None:
    tnef = build_tnef(b"Corps", [(b"Facture.pdf", PDF)])
    inc = parse_message(tnef_message(tnef[:cut] + b"\xff" * 13, "Bonjour"))
    assert inc.text == "Bonjour"


# --- caps and garbage -------------------------------------------------------------------------------------------


def test_over_size_cap() -> None:
    with pytest.raises(MalformedMessage, match="trop volumineux"):
        parse_message(simple("x" * 200), Limits(max_bytes=100))
    with pytest.raises(MalformedMessage, match="trop volumineux"):
        parse_headers(b"Subject: x\r\n" * 20, Limits(max_bytes=100))


def many_parts(count: int) -> bytes:
    return simple(mixed(*["Content-Type: text/plain\r\n\r\nx"] * count), ctype='multipart/mixed; boundary="b1"')


def test_over_parts_cap() -> None:
    assert len(parse_message(many_parts(150)).text) > 0
    with pytest.raises(MalformedMessage, match="trop de parties MIME"):
        parse_message(many_parts(250))  # counted on the parsed tree
    with pytest.raises(MalformedMessage, match="trop de parties MIME"):
        parse_message(many_parts(5000))  # refused by the prescan, before the stdlib builds 5000 parts
    with pytest.raises(MalformedMessage, match="trop de parties MIME"):
        parse_message(many_parts(20), Limits(max_parts=10))


def nested(depth: int, kind: str = "multipart") -> bytes:
    body = "Content-Type: text/plain\r\n\r\nhello\r\n"
    for i in range(depth):
        if kind == "multipart":
            body = f'Content-Type: multipart/mixed; boundary="n{i}"\r\n\r\n--n{i}\r\n{body}\r\n--n{i}--\r\n'
        else:
            body = f"From: x{i}@example.org\r\nContent-Type: message/rfc822\r\n\r\n{body}"
    return f"From: a@example.org\r\nSubject: nested\r\n{body}".encode()


def test_over_depth_cap() -> None:
    assert parse_message(nested(11)).text == "hello"
    with pytest.raises(MalformedMessage, match="imbrication MIME trop profonde"):
        parse_message(nested(13))
    with pytest.raises(MalformedMessage, match="imbrication MIME trop profonde"):
        parse_message(nested(20, "message"))
    with pytest.raises(MalformedMessage, match="imbrication|trop de"):
        parse_message(nested(3000, "message"))  # deeper than the stdlib parser's recursion


@pytest.mark.parametrize(
    "raw",
    [b"", b"   \r\n\r\n", b"\x00\xff" * 500, b"just some text\nwithout headers\n", b"%PDF-1.4\n%%EOF", b"Foo: bar\r\n\r\nx"],
)
def test_garbage_is_not_a_message(raw: bytes) -> None:
    with pytest.raises(MalformedMessage):
        parse_message(raw)


def test_truncated_and_broken_messages_still_parse() -> None:
    raw = (FIXTURES / "gmail-fr-forward.eml").read_bytes()
    for cut in (200, len(raw) // 2, len(raw) - 300):
        assert isinstance(parse_message(raw[:cut]), Incoming)
    broken = raw.replace(b'boundary="000000000000b1c2d305cf7a1e01"', b'boundary="missing"')
    inc = parse_message(broken)
    assert any("boundary" in d.lower() for d in inc.defects)


_SAMPLES = [
    (FIXTURES / name).read_bytes()
    for name in ("gmail-fr-forward.eml", "attached-rfc822-with-pdf.eml", "filenames.eml", "outlook2019-reply-bom.eml")
]


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(_SAMPLES)))
    for _ in range(draw(st.integers(1, 12))):
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "dup"]))
        if action == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif action == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif action == "insert":
            data[pos:pos] = draw(st.sampled_from([b"\r\n", b"\r\n\r\n", b"--", b"=?", b"?=", b":", b"\x00", b"<", b"\xc3"]))
        elif action == "truncate":
            del data[pos:]
        else:
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 200))]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_mutated_messages_raise_nothing_but_malformed(raw: bytes) -> None:
    try:
        inc = parse_message(raw)
    except MalformedMessage as err:
        assert "erreur interne" not in str(err)  # a parser bug, not hostile input
        return
    assert isinstance(inc.text, str) and isinstance(inc.subject, str)


# --- the shared corpus -------------------------------------------------------------------------------------------


def _corpus() -> list[Path]:
    return sorted(CORPUS.glob("*.eml")) if CORPUS.is_dir() else []


def _expected() -> dict[str, dict[str, object]]:
    path = CORPUS / "expected.json"
    return {e["file"]: e for e in json.loads(path.read_text())} if path.is_file() else {}


@pytest.mark.acceptance
@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus absent")
@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_corpus_message(path: Path) -> None:
    inc = parse_message(path.read_bytes())
    expected = _expected().get(path.name, {})
    names = [a.filename for a in inc.attachments]
    proofs = expected.get("proofs") or []
    assert isinstance(proofs, list)
    for proof in proofs:
        if proof["attachment"] is not None:
            assert proof["attachment"] in names
    inline = [f for f in inc.forwards if f.how == "inline"]
    if any(p["kind"] == "thank_you" and p["attachment"] is None for p in proofs):
        # the thank-you is written by someone else than the AMO who forwards it
        assert inline and all(f.sender is not None for f in inline)
        assert all(f.sender.email not in (expected["sender"], inc.from_email) for f in inline if f.sender)
    else:
        assert inline == []
    if expected.get("category") != "malformed":
        assert inc.from_ is not None
    assert inc.text or inc.attachments or expected.get("category") == "command"
    assert all("=?" not in h for h in (inc.subject, inc.header("From") or ""))
