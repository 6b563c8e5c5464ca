"""The pages behind the session: files served safely, mail shown as text, the actions."""

from __future__ import annotations

from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from mailbot.models import MemberAlias, Member, OutboxMessage, Post, ProcessedMessage
from mailbot.models.proofs import Proof
from mailbot.models.web import WebAction
from tests.web.kit import COTECH, GO, HOSTILE_FILE, HOSTILE_SUBJECT, STRANGER, Site
from tests.web.signing import csrf_of, sign_in

PAGES = ("/", "/dossiers", "/a-traiter", "/membres", "/liste", "/liste?onglet=non-classes",
         "/taches")


def _ids(site: Site) -> tuple[int, int, int, int]:
    """(the GO member with a proof, that proof, another member, the held row)."""
    with Session(site.app.engine) as s:
        proof = s.exec(select(Proof).order_by(col(Proof.id))).first()
        assert proof is not None and proof.id is not None
        owner = s.exec(select(Member).where(Member.email == proof.member_email)).one()
        other = s.exec(select(Member).where(Member.email == GO)).one()
        assert owner.id and other.id and owner.id != other.id
    row = site.held_row()
    assert row.id is not None
    return owner.id, proof.id, other.id, row.id


def test_every_page_and_file_needs_the_session(site: Site, client: TestClient) -> None:
    owner, proof, _, row = _ids(site)
    for path in (*PAGES, f"/dossiers/{owner}", f"/dossiers/{owner}/preuves/{proof}",
                 f"/a-traiter/{row}", f"/membres/{owner}"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/connexion", path
    assert client.post(f"/dossiers/{owner}/export").status_code == 403


def test_pages_render(site: Site, client: TestClient) -> None:
    sign_in(client, site, COTECH)
    owner, _, _, row = _ids(site)
    for path in (*PAGES, f"/dossiers/{owner}", f"/a-traiter/{row}", f"/membres/{owner}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert 'style="' not in response.text and "<script" not in response.text  # CSP-clean


def test_proof_file_is_served_safely(site: Site, client: TestClient) -> None:
    sign_in(client, site, COTECH)
    owner, proof, other, _ = _ids(site)
    response = client.get(f"/dossiers/{owner}/preuves/{proof}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.content.startswith(b"%PDF")
    view = client.get(f"/dossiers/{owner}/preuves/{proof}?voir=1")
    assert view.headers["content-disposition"].startswith("inline;")


def test_path_traversal_or_another_dossiers_proof_is_refused(site: Site,
                                                             client: TestClient) -> None:
    sign_in(client, site, COTECH)
    owner, proof, other, _ = _ids(site)
    for path in (f"/dossiers/{other}/preuves/{proof}",  # the proof is not hers
                 f"/dossiers/{owner}/preuves/..%2F..%2F..%2Fetc%2Fpasswd",
                 f"/dossiers/{owner}/preuves/../../config.toml",
                 f"/dossiers/{owner}/preuves/{proof}%2F..%2F..",
                 "/static/..%2F..%2Fconfig.py", "/dossiers/99999/preuves/1"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"%PDF" not in response.content


def test_html_in_subject_and_file_name_is_shown_as_text(site: Site, client: TestClient) -> None:
    sign_in(client, site, COTECH)
    row = site.held_row()
    for path in ("/a-traiter", f"/a-traiter/{row.id}", "/"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<b>Justificatifs</b>" not in html
        assert "&lt;script&gt;alert(" in html, path
    detail = client.get(f"/a-traiter/{row.id}").text  # the MIME layer made the name harmless
    assert "<img src=x" not in detail and "img src=x onerror=alert(1)_.pdf" in detail
    owner, proof, _, _ = _ids(site)
    with Session(site.app.engine) as s:  # a name that reached the database as it came
        stored = s.get(Proof, proof)
        assert stored is not None
        stored.filename = HOSTILE_FILE
        s.add(stored)
        s.commit()
    page = client.get(f"/dossiers/{owner}").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.pdf" in page
    header = client.get(f"/dossiers/{owner}/preuves/{proof}").headers["content-disposition"]
    assert "<" not in header and '"' not in header.split('filename="', 1)[1].split('"', 1)[0]


def test_attach_to_a_member_files_the_proofs_once_with_an_acknowledgement(
        site: Site, client: TestClient) -> None:
    sign_in(client, site, COTECH)
    row = site.held_row()
    token = csrf_of(client.get(f"/a-traiter/{row.id}").text)
    form = {"csrf": token, "action": "attach", "member": GO}
    response = client.post(f"/a-traiter/{row.id}", data=form)
    assert response.status_code == 303 and "ok=attache" in response.headers["location"]
    again = client.post(f"/a-traiter/{row.id}", data=form)  # a second click: nothing more
    assert "ok=deja" in again.headers["location"]
    with Session(site.app.engine) as s:
        alias = s.exec(select(MemberAlias).where(MemberAlias.email == STRANGER)).one()
        rows = s.exec(select(ProcessedMessage).where(
            col(ProcessedMessage.message_id).endswith(row.message_id))).all()
        proofs = s.exec(select(Proof).where(Proof.message_id == row.message_id)).all()
        acks = s.exec(select(OutboxMessage).where(OutboxMessage.to_addr == STRANGER,
                                                  OutboxMessage.kind == "proof_ack")).all()
        actions = s.exec(select(WebAction).where(WebAction.action == "attach")).all()
    assert alias.member_id
    assert sorted(r.status for r in rows) == ["done", "replayed"]
    assert {p.member_email for p in proofs} == {GO} and len(proofs) == 2
    assert len(acks) == 1
    assert [(a.actor, a.target) for a in actions] == [(COTECH, str(row.id))]
    assert "Rien à traiter" in client.get("/a-traiter").text


def test_dismiss_and_retag_are_recorded(site: Site, client: TestClient) -> None:
    sign_in(client, site, COTECH)
    row = site.held_row()
    token = csrf_of(client.get("/a-traiter").text)
    client.post(f"/a-traiter/{row.id}", data={"csrf": token, "action": "dismiss"})
    assert site.held_row().status == "dismissed"
    with Session(site.app.engine) as s:
        s.add(Post(message_id="p1@x", thread_id="t1@x", subject="Réunion", tag=None))
        s.commit()
    response = client.post("/liste/etiquette", data={"csrf": token, "thread": "t1@x",
                                                     "tag": "GT", "onglet": "non-classes"})
    assert response.status_code == 303
    with Session(site.app.engine) as s:
        assert s.exec(select(Post).where(Post.thread_id == "t1@x")).one().tag == "GT"
        done = s.exec(select(WebAction.action).order_by(col(WebAction.id))).all()
    assert done[-2:] == ["dismiss", "retag"]
