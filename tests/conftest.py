"""The shared fixtures: real loopback servers (tests/support/servers.py), the one test
clock, the App factory and the services (tests/support/apps.py).

Without the Dovecot binary, integration tests are skipped locally and fail the
run when the ``CI`` environment variable is set: CI must never skip them silently.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # `import tests.support.servers` also under a bare `pytest`
    sys.path.insert(0, str(_ROOT))

from mailbot.app import App  # noqa: E402
from mailbot.services import Services  # noqa: E402
from tests.support.apps import build_app, make_services  # noqa: E402
from tests.support.clock import Clock  # noqa: E402
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


@pytest.fixture
def clock() -> Clock:
    """The test clock at its default instant; a module overrides this fixture to start
    elsewhere, and `app`, `make_app` and `services` follow it."""
    return Clock()


@pytest.fixture
def make_app(tmp_path: Path, clock: Clock) -> Callable[..., App]:
    """`make_app(dovecot=..., smtp=..., extra=..., roster=..., clock=...)`: an App under
    tmp_path driven by `clock` (see tests.support.apps.build_app)."""

    def make(**options: Any) -> App:
        options.setdefault("clock", clock)
        return build_app(tmp_path, **options)

    return make


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    """An app on the embedded default driven by `clock`, the sample roster loaded."""
    return make_app()


@pytest.fixture
def services(tmp_path: Path, clock: Clock) -> Services:
    """The services alone, on a fresh migrated SQLite database, driven by `clock`."""
    return make_services(tmp_path, clock)
