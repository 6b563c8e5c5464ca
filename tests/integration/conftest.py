"""Fixtures of the integration tests: a real daemon on the loopback servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mailbot.app import App
from tests.support.helpers import InProcess, real_app
from tests.support.servers import Dovecot, SmtpCapture


@pytest.fixture
def daemon(tmp_path: Path, dovecot: Dovecot, smtp_capture: SmtpCapture) -> Iterator[App]:
    """The daemon running in this process on the test Dovecot and SMTP server, idling."""
    with InProcess(real_app(tmp_path, dovecot, smtp_capture)) as running:
        yield running.app
