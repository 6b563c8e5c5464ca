"""Hostile attachments through the whole pipeline: names that try to escape, PDFs that explode.

A proof from a roster member carries one PDF under each hostile name (`../`,
`C:\\`, NUL bytes, 300 characters, RFC 2231 continuations and percent-encoding,
RFC 2047 words, bidi tricks, Windows device names): every file lands in the data
directory under its SHA-256, nothing is created anywhere else, and each display
name is clean. Decompression bombs and encrypted PDFs are filed in bounded time
and bounded memory.
"""

from __future__ import annotations

import re
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from email.utils import format_datetime, make_msgid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot import config, members
from mailbot.app import App
from mailbot.models import ProcessedMessage
from mailbot.models.proofs import Proof
from mailbot.sources import Envelope
from tests.support.helpers import BOT, ROOT, write_config
from tests.support.proofmail import auth_results
from tests.support.ticketpdfs import encrypted_pdf, minimal_pdf, text_pdf

KARIM = "karim.belkacem@orange.fr"
HOSTILE_NAMES = [  # the Content-Disposition parameters, exactly as a hostile client writes them
    'filename="../../../../etc/passwd.pdf"',
    'filename="..\\\\..\\\\Windows\\\\System32\\\\evil.pdf"',
    'filename="C:\\\\Windows\\\\evil.pdf"',
    'filename="/etc/cron.d/evil.pdf"',
    'filename="nul\x00byte.pdf"',
    "filename*=utf-8''..%2F..%2Fetc%2Fshadow%00.pdf",
    "filename*0*=utf-8''..%2F..%2F; filename*1=\"etc/cron.d/x.pdf\"",
    'filename="=?utf-8?b?Li4vLi4vZXRjL3Bhc3N3ZC5wZGY=?="',
    'filename="=?utf-8?q?..=2F..=2Froot=2F.ssh=2Fauthorized_keys.pdf?="',
    'filename="' + "A" * 300 + '.pdf"',
    'filename=".hidden.pdf"',
    'filename="CON.pdf"',
    'filename="facture\u202efdp.pdf"',
    'filename="a\r\n\tb.pdf"',
]


def raw_proof(parts: list[tuple[str, bytes]], subject: str = "Justificatifs") -> bytes:
    """A proof mail from Karim with each (Content-Disposition params, PDF bytes) attached raw."""
    import base64

    boundary = "=_hostile_boundary"
    head = (f"Authentication-Results: {auth_results('orange.fr')}\r\n"
            f"From: Karim Belkacem <{KARIM}>\r\nTo: {BOT}\r\nSubject: {subject}\r\n"
            f"Date: {format_datetime(datetime(2021, 11, 20, 9, 30, tzinfo=UTC))}\r\n"
            f"Message-ID: {make_msgid(domain='orange.fr')}\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n')
    body = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "Bonjour,\r\n\r\nci-joint mes justificatifs.\r\n")
    for params, data in parts:
        b64 = base64.encodebytes(data).decode().replace("\n", "\r\n")
        body += (f"--{boundary}\r\nContent-Type: application/pdf\r\n"
                 f"Content-Disposition: attachment; {params}\r\n"
                 f"Content-Transfer-Encoding: base64\r\n\r\n{b64}")
    body += f"--{boundary}--\r\n"
    return (head + body).encode("utf-8")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    maildir = tmp_path / "maildir"
    for role in ("list", "inbox"):
        (maildir / role / "new").mkdir(parents=True)
    bot = App(config.load(write_config(
        tmp_path, maildir=maildir, database=f"sqlite:///{tmp_path / 'data' / 'bot.sqlite3'}")))
    with Session(bot.engine) as s:
        members.import_csv(s, ROOT / "samples" / "roster.csv")
        s.commit()
    yield bot
    bot.engine.dispose()


def feed(app: App, raw: bytes, uid: int) -> ProcessedMessage:
    env = Envelope("inbox", "INBOX", 1, uid, "", len(raw), "hostile@localhost")
    app.pipeline.process(env, raw, False, lambda: raw)
    with Session(app.engine) as s:
        return s.exec(select(ProcessedMessage).where(ProcessedMessage.source_key == env.key)).one()


def tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def test_hostile_attachment_names_write_nothing_outside_the_archive(
        app: App, tmp_path: Path) -> None:
    """GIVEN a proof whose PDFs carry path-traversal and encoded names WHEN it is processed
    THEN each file is stored under its SHA-256 in the data dir, no other file appears
    anywhere, and every display name is a clean single name."""
    parts = [(params, text_pdf([f"Compte-rendu de réunion n° {n}", "Feuille d'émargement"]))
             for n, params in enumerate(HOSTILE_NAMES)]
    before = tree(tmp_path)
    row = feed(app, raw_proof(parts), 1)
    assert row.status in {"done", "held"}, row.reason
    with Session(app.engine) as s:
        proofs = list(s.exec(select(Proof)).all())
    files_dir = app.settings.files_dir
    new = tree(tmp_path) - before
    stray = [p for p in new if p.is_file() and files_dir not in p.parents
             and not p.name.startswith("bot.sqlite3")]
    assert stray == [], stray
    stored = [p for p in new if p.is_file() and files_dir in p.parents]
    assert all(re.fullmatch(r"[0-9a-f]{64}", p.name) for p in stored), stored
    assert len(proofs) == len(HOSTILE_NAMES), [p.filename for p in proofs]
    assert {p.sha256 for p in proofs} == {p.name for p in stored}
    for proof in proofs:
        name = proof.filename
        assert name and len(name) <= 150, name
        assert not any(ch in name for ch in "/\\\x00\r\n\u202e"), repr(name)
        assert not name.startswith("."), name
    assert not Path("/etc/cron.d/evil.pdf").exists() and not Path("/etc/cron.d/x.pdf").exists()


def flate_bomb(megabytes: int) -> bytes:
    """A one-page PDF whose content stream inflates to `megabytes` MB of spaces."""
    squeeze = zlib.compressobj(9)
    chunk = b" " * (16 * 1024 * 1024)
    packed = b"".join(squeeze.compress(chunk) for _ in range(megabytes // 16))
    return minimal_pdf(packed + squeeze.flush())


def many_bombs(streams: int, megabytes: int) -> bytes:
    """A PDF with `streams` pages, each a flate bomb (the total is what must be capped)."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import ContentStream, NameObject

    writer = PdfWriter()
    for _ in range(streams):
        page = writer.add_blank_page(200, 200)
        stream = ContentStream(None, None)
        stream.set_data(b" " * (megabytes * 1024 * 1024))
        page[NameObject("/Contents")] = writer._add_object(stream.flate_encode(level=9))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("name,make", [
    ("flate-bomb-1GB", lambda: flate_bomb(1024)),
    ("10-pages-of-50MB", lambda: many_bombs(10, 50)),
    ("encrypted-aes-or-rc4", lambda: encrypted_pdf()),
], ids=["flate-bomb-1GB", "pages-of-bombs", "encrypted"])
def test_pdf_bombs_and_encrypted_pdfs_in_bounded_time_and_memory(
        app: App, name: str, make: object) -> None:
    """GIVEN a proof with a decompression bomb or an encrypted PDF WHEN it is processed
    THEN it is recorded (filed with the problem said, or quarantined with a reason) within
    seconds and without inflating the bomb in memory."""
    assert callable(make)
    pdf = make()
    raw = raw_proof([('filename="billet.pdf"', pdf)], subject="Mon billet")
    tracemalloc.start()
    started = time.monotonic()
    row = feed(app, raw, 2)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{name}: {len(pdf)} bytes, {elapsed:.2f} s, peak {peak / 1e6:.1f} MB, "
          f"{row.status} {row.reason[:80]!r}")
    assert row.status in {"done", "held", "quarantined"} and (row.status != "quarantined"
                                                             or row.reason)
    assert elapsed < 15, f"{name} took {elapsed:.1f} s"
    assert peak < 200 * 1024 * 1024, f"{name} peaked at {peak / 1e6:.0f} MB"
    with Session(app.engine) as s:
        proofs = list(s.exec(select(Proof)).all())
    if proofs:
        assert proofs[0].problems, "an unreadable PDF is filed with its problem said"
