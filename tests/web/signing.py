"""Signing in through the test client: the CSRF token of a page, a link from the SMTP sink."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.kit import Site

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def ask_link(client: TestClient, address: str) -> str:
    """POST the sign-in form; the answer page's text."""
    token = csrf_of(client.get("/connexion").text)
    response = client.post("/connexion", data={"csrf": token, "email": address})
    assert response.status_code == 200
    return response.text


def use_link(client: TestClient, link: str) -> int:
    """Open the link (GET) and press its button (POST); the POST's status."""
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    if page.status_code != 200:  # refused already: the POST must be refused too
        assert 'id="refused"' in page.text
        page = client.get("/connexion")
    return client.post("/" + path, data={"csrf": csrf_of(page.text)}).status_code


def sign_in(client: TestClient, site: Site, address: str) -> None:
    before = len(site.links(address))
    ask_link(client, address)
    site.smtp.wait_for(1)
    links = site.links(address)
    assert len(links) == before + 1
    assert use_link(client, links[-1]) == 303
    assert client.get("/").status_code == 200
