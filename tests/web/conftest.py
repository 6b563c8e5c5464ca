"""Fixtures of the web page's tests (see kit.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.support.servers import SmtpCapture
from tests.web.kit import Site, make_site


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with SmtpCapture() as smtp:
        yield make_site(tmp_path, smtp)


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    with TestClient(site.asgi, base_url=site.base_url, follow_redirects=False) as c:
        yield c
