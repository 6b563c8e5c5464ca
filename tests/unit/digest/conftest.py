"""The digest tests' fixture: the other domains answer with the fixed week's data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mailbot.digest import send
from tests.unit.digest.test_digest_data import DOSSIERS, REPORT, FakeDossier


@pytest.fixture
def fake_domains(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[FakeDossier]]:
    """The proofs and subscriptions domains answer with DOSSIERS and REPORT."""
    dossiers = list(DOSSIERS)
    monkeypatch.setattr(send, "compute_dossiers", lambda session, settings: dossiers)
    monkeypatch.setattr(send, "period_report", lambda session, since, until: REPORT)
    yield dossiers
