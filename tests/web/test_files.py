"""Serving proof files: the type from the bytes, never HTML, a safe name."""

from __future__ import annotations

from mailbot.web.files import disposition, file_response, safe_name, sniff

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_the_type_comes_from_the_bytes() -> None:
    assert sniff(PDF, False) == "application/pdf"
    assert sniff(PNG, False) == "image/png"
    assert sniff("Bonjour, voici le compte-rendu".encode(), True) == "text/plain; charset=utf-8"
    assert sniff(b"<!DOCTYPE html><script>alert(1)</script>", False) == "application/octet-stream"
    assert sniff(b"<html><body>x</body></html>", True) == "application/octet-stream"
    assert sniff(b"\xff\xfe\x00binary", False) == "application/octet-stream"


def test_html_is_never_shown_and_unknown_types_are_downloads() -> None:
    page = file_response(b"<html><script>alert(1)</script></html>", "facture.pdf", False, True)
    assert page.media_type == "application/octet-stream"
    assert page.headers["content-disposition"].startswith("attachment;")
    assert page.headers["x-content-type-options"] == "nosniff"
    shown = file_response(PDF, "billet.pdf", False, True)
    assert shown.headers["content-disposition"].startswith("inline;")


def test_the_name_is_display_text_made_safe() -> None:
    assert safe_name('../../etc/passwd') == "etc_passwd"
    assert safe_name('a"; filename=evil.html') == "a_ filename=evil.html"
    assert safe_name("") == "justificatif"
    assert safe_name("Transféré", forwarded=True) == "Transféré.txt"
    header = disposition("attachment", "Feuille d'émargement «QPV».pdf")
    assert header.startswith('attachment; filename="Feuille d\'emargement QPV.pdf"')
    assert "filename*=UTF-8''Feuille%20d%27%C3%A9margement%20%C2%ABQPV%C2%BB.pdf" in header
