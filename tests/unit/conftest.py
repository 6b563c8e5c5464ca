"""Fixtures shared by the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.helpers import maildir_config


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    """A config file for the embedded default (Maildir folders, local outbox)."""
    return maildir_config(tmp_path)
