"""Sign-in by email: who gets a link, what a link allows, the session cookie."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

from sqlmodel import Session, select
from starlette.testclient import TestClient

from mailbot.models import Member
from mailbot.web.session import COOKIE
from tests.web.kit import ALLOWED, COTECH, GO, STRANGER, Site
from tests.web.signing import ask_link, csrf_of, sign_in, use_link

GT = "pascale.martin@anct.gouv.fr"


def _answer(html: str) -> str:
    return re.sub(r'value="[^"]+"', "", html)


def test_only_cotech_and_allowed_addresses_get_a_link(site: Site, client: TestClient) -> None:
    answers = {a: _answer(ask_link(client, a)) for a in (GO, GT, STRANGER, "pas-une-adresse")}
    cotech = _answer(ask_link(client, COTECH))
    allowed = _answer(ask_link(client, ALLOWED))
    assert len(set(answers.values()) | {cotech, allowed}) == 1  # the same answer for all
    site.smtp.wait_for(2)
    for address in (GO, GT, STRANGER):
        assert site.links(address) == []
    assert len(site.links(COTECH)) == 1 and len(site.links(ALLOWED)) == 1


def test_opening_the_link_does_not_sign_in_only_its_button_does(site: Site,
                                                                client: TestClient) -> None:
    ask_link(client, COTECH)
    link = site.smtp.wait_for(1) and site.links(COTECH)[0]
    path = "/" + link.split("/", 3)[3]
    for _ in range(3):  # a link scanner's GETs
        assert client.get(path).status_code == 200
    assert client.get("/").status_code == 303
    assert use_link(client, link) == 303
    assert client.get("/").status_code == 200


def test_used_expired_or_altered_link_is_refused(site: Site, client: TestClient) -> None:
    for _ in range(3):
        ask_link(client, COTECH)
    first, second, third = site.smtp.wait_for(3) and site.links(COTECH)[:3]
    assert use_link(client, first) == 303
    client.cookies.clear()
    assert use_link(client, first) == 410  # used
    altered = second[:-3] + ("aaa" if not second.endswith("aaa") else "bbb")
    assert use_link(client, altered) == 410
    services = site.app.services
    now = services.now()
    services.clock = lambda: now + timedelta(minutes=16)
    assert use_link(client, third) == 410  # expired
    assert client.get("/").status_code == 303


def test_forged_or_expired_cookie_is_refused(site: Site, client: TestClient) -> None:
    sign_in(client, site, COTECH)
    good = client.cookies[COOKIE]
    payload, _, signature = good.rpartition(".")
    client.cookies.clear()
    client.cookies[COOKIE] = payload + "." + ("A" * len(signature))
    assert client.get("/").status_code == 303
    forged = site.ctx.sessions.serializer.dumps({"e": COTECH, "c": "x"})
    client.cookies.clear()
    client.cookies[COOKIE] = forged.replace(forged[-5:], "AAAAA")
    assert client.get("/dossiers").status_code == 303
    with mock.patch("itsdangerous.timed.time.time", return_value=1_000_000_000.0):
        old = site.ctx.sessions.serializer.dumps({"e": COTECH, "c": "x"})
    client.cookies.clear()
    client.cookies[COOKIE] = old
    assert client.get("/").status_code == 303  # signed 12 h ago and more


def test_cookie_flags_and_sign_out(site: Site, client: TestClient) -> None:
    ask_link(client, COTECH)
    link = site.smtp.wait_for(1) and site.links(COTECH)[0]
    path = "/" + link.split("/", 3)[3]
    token = csrf_of(client.get(path).text)
    response = client.post(path, data={"csrf": token})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=43200" in cookie
    assert "secure" not in cookie  # base_url is http here
    assert response.headers["referrer-policy"] == "no-referrer"
    page = client.get("/")
    assert client.post("/deconnexion", data={"csrf": csrf_of(page.text)}).status_code == 303
    assert client.get("/").status_code == 303


def test_requests_are_rate_limited_per_address(site: Site, client: TestClient) -> None:
    for _ in range(5):
        ask_link(client, COTECH)
    site.smtp.wait_for(3)
    assert len(site.links(COTECH)) == 3


def test_post_without_csrf_token_is_refused(site: Site, client: TestClient) -> None:
    assert client.post("/connexion", data={"email": COTECH}).status_code == 403
    sign_in(client, site, COTECH)
    row = site.held_row()
    assert client.post(f"/a-traiter/{row.id}", data={"action": "dismiss"}).status_code == 403
    assert client.post(f"/a-traiter/{row.id}",
                       data={"action": "dismiss", "csrf": "faux"}).status_code == 403
    assert site.held_row().status == "held"


def test_a_member_who_leaves_the_cotech_is_signed_out(site: Site, client: TestClient) -> None:
    sign_in(client, site, COTECH)
    with Session(site.app.engine) as s:
        member = s.exec(select(Member).where(Member.email == COTECH)).one()
        member.group = "GT"
        s.add(member)
        s.commit()
    assert client.get("/").status_code == 303
