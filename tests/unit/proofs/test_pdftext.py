"""mailbot.proofs.pdftext: bounded, never-raising PDF text extraction."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import logging
import time
import zlib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.proofs.pdftext import (
    ERR_DAMAGED,
    ERR_EMPTY,
    ERR_ENCRYPTED,
    ERR_NO_TEXT,
    ERR_NOT_PDF,
    ERR_TIMEOUT,
    ERR_TOO_BIG,
    ERR_TRUNCATED,
    PdfText,
    pdf_text,
)
from tests.support import ticketpdfs as tp

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "public"


def _bomb(megabytes: int = 200) -> bytes:
    """A FlateDecode stream of ``megabytes`` MB of zeros, compressed in
    chunks so the test itself stays small in memory (~200 KB)."""
    compressor = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    parts = [compressor.compress(chunk) for _ in range(megabytes)]
    parts.append(compressor.flush())
    return tp.minimal_pdf(b"".join(parts))


def test_reads_a_generated_ticket() -> None:
    result = pdf_text(tp.text_pdf(["DOSSIER VOYAGE : XXX007", "Prix : 87,00\u202f€"]))
    assert result.ok and result.error is None
    assert result.pages == 1 and not result.encrypted
    assert "DOSSIER VOYAGE : XXX007" in result.text
    assert "87,00" in result.text


def test_result_is_frozen() -> None:
    result = pdf_text(b"")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]


def test_empty_file() -> None:
    assert pdf_text(tp.empty_pdf()) == PdfText("", 0, False, ERR_EMPTY)


def test_html_saved_as_pdf() -> None:
    assert pdf_text(tp.html_as_pdf()) == PdfText("", 0, False, ERR_NOT_PDF)


@pytest.mark.parametrize("data", [b"\x00" * 100, b"PK\x03\x04zipfile", "Bonjour".encode()])
def test_other_files_are_not_pdf(data: bytes) -> None:
    assert pdf_text(data).error == ERR_NOT_PDF


def test_encrypted_pdf_with_unknown_password() -> None:
    result = pdf_text(tp.encrypted_pdf(user_password="secret"))
    assert result.encrypted
    assert result.error == ERR_ENCRYPTED
    assert result.text == ""


def test_encrypted_pdf_with_empty_user_password_is_read() -> None:
    result = pdf_text(tp.encrypted_pdf(user_password=""))
    assert result.encrypted
    assert result.error is None
    assert "DOSSIER VOYAGE : XXX007" in result.text


@pytest.mark.parametrize("keep", [0.05, 0.3, 0.6, 0.95])
def test_truncated_pdf(keep: float) -> None:
    full = tp.sncf_inoui_pdf(legs=[tp.LegSpec("NANTES", "PARIS", date(2021, 11, 17))])
    result = pdf_text(tp.truncated_pdf(full, keep))
    assert result.error in (ERR_TRUNCATED, ERR_DAMAGED) or result.text


def test_garbage_after_header() -> None:
    assert pdf_text(b"%PDF-1.7\n" + b"\x8f" * 5000).error in (ERR_TRUNCATED, ERR_DAMAGED)


def test_decompression_bomb_is_refused_quickly() -> None:
    bomb = _bomb(200)
    assert len(bomb) < 1_000_000
    started = time.monotonic()
    result = pdf_text(bomb)
    elapsed = time.monotonic() - started
    assert result.error == ERR_TOO_BIG
    assert elapsed < 5.0


def test_small_flate_stream_in_hand_written_pdf_is_read() -> None:
    content = tp.flate(b"BT /F1 12 Tf 72 712 Td (DOSSIER VOYAGE : XXX007) Tj ET")
    result = pdf_text(tp.minimal_pdf(content))
    assert result.error is None
    assert "XXX007" in result.text


def test_scan_without_text_layer() -> None:
    result = pdf_text(tp.scanned_pdf())
    assert result.error == ERR_NO_TEXT
    assert result.pages == 1


def test_page_cap() -> None:
    result = pdf_text(tp.multipage_pdf(30), max_pages=3)
    assert result.pages == 30
    assert result.error is None
    assert "Page 3" in result.text and "Page 4" not in result.text
    assert result.text.count("\f") == 2


def test_char_cap() -> None:
    result = pdf_text(tp.multipage_pdf(10), max_chars=15)
    assert len(result.text) == 15
    assert result.error is None


def test_wall_clock_guard() -> None:
    result = pdf_text(tp.multipage_pdf(5), timeout_s=0)
    assert result.error == ERR_TIMEOUT
    assert result.pages == 5


def test_pypdf_logger_is_silenced(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        pdf_text(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF")
        pdf_text(tp.truncated_pdf(tp.multipage_pdf(3), 0.8))
    assert not [r for r in caplog.records if r.name.startswith("pypdf") and r.levelno < 40]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(data: bytes) -> None:
    result = pdf_text(b"%PDF-1.4\n" + data)
    assert isinstance(result, PdfText)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=4000), st.binary(min_size=1, max_size=64))
def test_corrupted_real_pdf_never_raises(position: int, junk: bytes) -> None:
    original = tp.text_pdf(["DOSSIER VOYAGE : XXX007"])
    position %= len(original)
    result = pdf_text(original[:position] + junk + original[position + len(junk) :])
    assert isinstance(result, PdfText)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_empty_pdf_attachment() -> None:
    message = email.message_from_bytes(
        (CORPUS / "malformed-empty-pdf.eml").read_bytes(), policy=email.policy.default
    )
    parts = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert parts
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert pdf_text(payload).error == ERR_EMPTY
