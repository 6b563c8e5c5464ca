"""Snapshots of the rendered digest (text and HTML) for the fixed week of test_digest_data.

A change to the templates or the digest's content shows here as a diff to
review. After checking it (and looking at the HTML in a browser), refresh
the files with: UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/unit/digest/test_digest_snapshot.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import Session

from mailbot.digest import send
from mailbot.mail.render import Rendered
from tests.support.helpers import ROOT
from tests.support.apps import make_services
from tests.support.clock import Clock
from tests.unit.digest.test_digest_data import (
    END, START, FakeDossier, seed_week,
)

SNAPSHOTS = ROOT / "tests" / "snapshots"


def check(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not os.environ.get("UPDATE_SNAPSHOTS"):
            pytest.fail(f"{path} did not exist: written, review it and run again")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its snapshot (UPDATE_SNAPSHOTS=1 to accept)"


@pytest.fixture
def rendered(tmp_path: Path, fake_domains: list[FakeDossier]) -> Rendered:
    services = make_services(tmp_path, Clock(END))
    with Session(services.engine) as s:
        seed_week(s)
        s.flush()
        return send.render_digest(services, send.build_digest(s, services, START, END))


def test_digest_text_snapshot(rendered: Rendered) -> None:
    check("digest.txt", f"Subject: {rendered.subject}\n\n{rendered.text}")


def test_digest_html_snapshot(rendered: Rendered) -> None:
    assert rendered.html is not None
    check("digest.html", rendered.html)


def test_digest_html_is_mail_safe(rendered: Rendered) -> None:
    """Inline styles only, layout in tables, nothing Outlook or Gmail strips."""
    html = rendered.html or ""
    for forbidden in ("<style", "class=", "<script", "<link", "display: flex", "display:grid",
                      "position:", "<div style=\"display"):
        assert forbidden not in html
    assert html.count("<table") >= 8 and 'role="presentation"' in html
    assert "Question sur l&#39;AMI" in html  # autoescaped
