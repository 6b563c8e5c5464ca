"""Shared fixtures for real loopback servers (see tests/servers.py).

Without the Dovecot binary, integration tests are skipped locally and fail the
run when the ``CI`` environment variable is set: CI must never skip them silently.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # `import tests.support.servers` also under a bare `pytest`
    sys.path.insert(0, str(_ROOT))

from tests.support.servers import DOVECOT_BINARY, Dovecot, SmtpCapture, dovecot_available  # noqa: E402

_MISSING = f"Dovecot is not installed ({DOVECOT_BINARY}); run scripts/test.sh to install it"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip (locally) or refuse (in CI) integration tests when Dovecot is missing."""
    if dovecot_available():
        return
    integration = [item for item in items if item.get_closest_marker("integration")]
    if not integration:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI is set but {_MISSING}")
    for item in integration:
        item.add_marker(pytest.mark.skip(reason=_MISSING))


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """Under MAILBOT_TEST_DATABASE_URL, drop the per-test PostgreSQL databases at the end."""
    yield
    from tests.support.helpers import TEST_DATABASE_URL, drop_databases

    if TEST_DATABASE_URL:
        drop_databases()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A started private Dovecot with the user ``bot`` / ``secret``."""
    if not dovecot_available():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {_MISSING}", pytrace=False)
        pytest.skip(_MISSING)
    server = Dovecot({"bot": "secret"})
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def smtp_capture() -> Iterator[SmtpCapture]:
    """A started SMTP sink recording every message it accepts."""
    server = SmtpCapture()
    server.start()
    try:
        yield server
    finally:
        server.stop()
