"""mime.walk on files as clients send them (issue 12): a document is an attachment whatever
its disposition or declared type, its base64 integrity is recorded, provenance is kept."""

from __future__ import annotations

import base64

from mailbot.mime.parse import parse_message
from mailbot.mime.transfer import STRAY_LINE, TRUNCATED, is_document
from tests.support.clientmail import Doc, Thanks, apple, gmail, outlook, thunderbird
from tests.support.proofmail import attendance_pdf, logo, proof_mail, File, report_pdf

PDF = report_pdf()


def test_an_inline_pdf_between_text_parts_is_a_real_attachment() -> None:
    msg = parse_message(apple("w1", [Doc("CR.pdf", PDF, "meeting_report")]).raw)
    [pdf] = msg.attachments
    assert (pdf.filename, pdf.inline, pdf.sniffed_type) == ("CR.pdf", False, "application/pdf")
    assert "Envoyé de mon iPhone" in msg.text and "%PDF" not in msg.text


def test_a_pdf_declared_as_text_without_a_name_is_a_file_not_body_text() -> None:
    encoded = base64.encodebytes(PDF).decode()
    raw = ("From: Karim <karim.belkacem@orange.fr>\r\nTo: bot@example.org\r\nSubject: x\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
           "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n"
           "--B\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           f"{encoded}\r\n--B--\r\n").encode()
    msg = parse_message(raw)
    [pdf] = msg.attachments
    assert pdf.sniffed_type == "application/pdf" and pdf.data == PDF and not pdf.inline
    assert msg.text.strip() == "Bonjour"


def test_inline_logos_stay_inline() -> None:
    msg = parse_message(proof_mail(files=[File("logo.png", logo(), "image/png", inline=True)]))
    [png] = msg.attachments
    assert png.inline and not is_document(png.sniffed_type)


def test_a_damaged_base64_body_is_recorded_on_its_attachment() -> None:
    msg = parse_message(gmail("w2", [Doc("a.pdf", PDF, "unusable", b64="stray"),
                                     Doc("b.pdf", PDF, "unusable", b64="cut"),
                                     Doc("c.pdf", attendance_pdf(), "attendance_sheet")]).raw)
    defects = {a.filename: a.transfer_defect for a in msg.attachments}
    assert defects == {"a.pdf": STRAY_LINE, "b.pdf": TRUNCATED, "c.pdf": ""}


def test_files_inside_a_forward_as_attachment_keep_which_message_they_came_from() -> None:
    thanks = Thanks("Sophie Marchand", "s.marchand@centresocial-nord.fr", "Merci", "Merci !")
    msg = parse_message(thunderbird("w3", [Doc("emargement.pdf", attendance_pdf(), "x")], [thanks],
                                    as_attachment=True).raw)
    [fwd] = msg.forwards
    assert fwd.how == "rfc822" and fwd.sender is not None
    assert fwd.sender.email == "s.marchand@centresocial-nord.fr"
    [pdf] = msg.attachments
    assert pdf.forward_index is None  # Thunderbird attaches the files beside the message


def test_files_inside_an_attached_message_point_at_it() -> None:
    thanks = Thanks("Sophie Marchand", "s.marchand@centresocial-nord.fr", "Merci", "Merci !")
    msg = parse_message(outlook("w4", [Doc("emargement.pdf", attendance_pdf(), "x")], [thanks],
                                as_attachment=True).raw)
    [fwd] = msg.forwards
    [pdf] = msg.attachments
    assert pdf.forward_index == 0 and fwd.sender is not None
    assert fwd.sender.email == "s.marchand@centresocial-nord.fr"
