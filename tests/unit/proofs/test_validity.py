"""proofs.validity (is a file a usable proof?) and mime.transfer (is a base64 body intact?)."""

from __future__ import annotations

import base64

import pytest

from mailbot.mime.transfer import BAD_PADDING, ODD_LINE, STRAY_LINE, TRUNCATED, base64_defect
from mailbot.proofs.pdftext import pdf_text
from mailbot.proofs import validity
from mailbot.proofs.validity import check, type_mismatch
from tests.support.ticketpdfs import encrypted_pdf, html_as_pdf, scanned_pdf, text_pdf, truncated_pdf
from tests.support.proofmail import docx, photo

PDF = text_pdf(["FEUILLE D'ÉMARGEMENT", "Atelier du 26 novembre 2021"])


def _check(data: bytes, name: str = "doc.pdf", declared: str = "application/pdf",
           sniffed: str = "application/pdf", defect: str = "") -> validity.Validity:
    read = pdf_text(data) if sniffed == "application/pdf" else None
    return check(data, name=name, declared=declared, sniffed=sniffed, transfer_defect=defect,
                 pdf=read)


def test_a_readable_pdf_is_usable() -> None:
    assert _check(PDF).usable


def test_a_scan_without_text_is_usable() -> None:
    assert _check(scanned_pdf()).usable


def test_an_empty_file_is_not() -> None:
    assert _check(b"") == validity.Validity(False, validity.EMPTY)


def test_a_password_protected_pdf_is_not_and_says_so() -> None:
    verdict = _check(encrypted_pdf(user_password="secret"))
    assert not verdict.usable and "mot de passe" in verdict.reason


def test_an_owner_only_encrypted_pdf_opens_and_is_usable() -> None:
    assert _check(encrypted_pdf(user_password="")).usable


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_a_truncated_pdf_is_not(keep: float) -> None:
    verdict = _check(truncated_pdf(PDF, keep))
    assert not verdict.usable and "incomplet" in verdict.reason


def test_an_html_page_named_pdf_is_not_what_it_claims() -> None:
    verdict = _check(html_as_pdf(), name="billet.pdf", sniffed="text/html")
    assert not verdict.usable
    assert verdict.reason.startswith("ce n'est pas un PDF mais une page web (HTML)")


def test_the_declared_type_alone_is_a_claim() -> None:
    assert type_mismatch("billet", "application/pdf", "text/html") is not None
    assert type_mismatch("photo.jpg", "image/jpeg", "image/jpeg") is None
    assert type_mismatch("notes.txt", "text/plain", "text/plain") is None  # no claim checked


def test_a_transfer_defect_wins() -> None:
    verdict = _check(PDF, defect=STRAY_LINE)
    assert not verdict.usable and STRAY_LINE in verdict.reason and "pendant l'envoi" in verdict.reason


def test_word_documents_open_or_not() -> None:
    word = docx(["Compte-rendu"])
    ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert _check(word, "cr.docx", ctype, ctype).usable
    assert not _check(word[: len(word) // 2], "cr.docx", ctype, ctype).usable


def test_a_cut_jpeg_is_not_usable() -> None:
    jpeg = photo(50_000)
    assert _check(jpeg, "IMG_1.jpg", "image/jpeg", "image/jpeg").usable
    assert not _check(jpeg[:20_000], "IMG_1.jpg", "image/jpeg", "image/jpeg").usable


# --- base64 integrity ---------------------------------------------------------------------------

BODY = base64.encodebytes(PDF).decode()  # 76-character lines


def test_intact_base64_has_no_defect() -> None:
    assert base64_defect(BODY) is None
    assert base64_defect(BODY.replace("\n", "\r\n")) is None
    assert base64_defect(base64.b64encode(b"abcde").decode()) is None


def test_a_stray_text_line_is_found() -> None:
    lines = BODY.splitlines()
    lines.insert(5, "[Message tronqué]  Afficher l'intégralité du message")
    assert base64_defect("\n".join(lines)) == STRAY_LINE


def test_a_stray_line_in_the_alphabet_is_found_by_its_length() -> None:
    lines = BODY.splitlines()
    lines.insert(5, "Envoyedemoniphone")
    assert base64_defect("\n".join(lines)) == ODD_LINE


def test_a_lost_line_end_is_found() -> None:
    lines = BODY.splitlines()
    lines[3] = lines[3][:40]
    assert base64_defect("\n".join(lines)) in (ODD_LINE, TRUNCATED)


def test_truncation_mid_line_and_bad_padding() -> None:
    assert base64_defect(BODY[: len(BODY) // 2 + 7]) == TRUNCATED
    assert base64_defect(base64.b64encode(b"abcd").decode() + "=") == BAD_PADDING
    middle = BODY.splitlines()
    middle[2] = middle[2][:-2] + "=="
    assert base64_defect("\n".join(middle)) == BAD_PADDING


def test_the_digest_names_unusable_files_for_the_cotech() -> None:
    from mailbot.proofs.labels import proofs_summary

    assert proofs_summary({"meeting_report": 1, "unusable": 2}) == \
        "CR, illisible, à redemander\u00a0×2"
