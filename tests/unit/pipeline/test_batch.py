"""The list folder's batch path: posts recorded together, anything unusual one at a time,
with the same outcome as one message at a time."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot.pipeline.batch import ListBatch
from mailbot.pipeline.prepare import Lookahead
from mailbot.models import OutboxMessage, Post, ProcessedMessage
from mailbot.pipeline.outcome import Outcome
from mailbot.sources import Envelope
from tests.support.helpers import deliver, maildir_app, processed_rows
from tests.support.subscriptions_kit import mail

LIST = "qpv-hpf@framalistes.org"
LIST_HEADERS = {"List-Id": "<qpv-hpf.framalistes.org>", "Precedence": "list"}
GO_MEMBER = "mathieu.lefort@gmail.com"
GT_MEMBER = "pascale.martin@anct.gouv.fr"
STRANGER = "quelqu.un@example.net"


def post(frm: str, subject: str, mid: str, body: str = "Bonjour à tous,\nvoici.\n",
         reply_to: str | None = None) -> bytes:
    raw = mail(frm, subject, body, to=LIST, in_reply_to=reply_to, headers=LIST_HEADERS)
    head, sep, rest = raw.partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if not line.lower().startswith(b"message-id:")]
    return b"\n".join([*lines, f"Message-ID: <{mid}>".encode()]) + sep + rest


def run(tmp_path: Path, messages: list[bytes]) -> tuple[list[ProcessedMessage], dict[str, Post],
                                                         list[OutboxMessage]]:
    app = maildir_app(tmp_path)
    for n, raw in enumerate(messages):
        deliver(tmp_path / "maildir", "list", f"{n:04d}.m", raw)
    asyncio.run(app.run_once())
    with Session(app.engine) as s:
        found = {p.message_id: p for p in s.exec(select(Post)).all()}
        sent = list(s.exec(select(OutboxMessage)).all())
    return processed_rows(app), found, sent


def test_a_batch_tags_by_subject_roster_and_thread_within_the_batch(tmp_path: Path) -> None:
    """GIVEN a thread started and answered inside one fetch batch THEN the answer takes the
    thread's tag from the post recorded in the same batch, and every post has its keyword."""
    rows, found, sent = run(tmp_path, [
        post(STRANGER, "[GT] Ordre du jour du comité", "a@x"),
        post(GO_MEMBER, "Re: [qpv-hpf] Ordre du jour", "b@x", reply_to="a@x"),
        post(GO_MEMBER, "Question sur le calendrier", "c@x"),
        post(STRANGER, "Une question sans étiquette", "d@x"),
    ])
    assert [(r.message_id, r.tag, r.status) for r in rows] == [
        ("a@x", "GT", "done"), ("b@x", "GT", "done"), ("c@x", "GO", "done"), ("d@x", None, "done")]
    assert {m: p.tag_reason for m, p in found.items()} == {
        "a@x": "subject", "b@x": "thread", "c@x": "roster", "d@x": "unclassified"}
    assert found["b@x"].thread_id == "a@x" and sent == []
    keywords = (tmp_path / "maildir" / "list" / "dovecot-keywords").read_text()
    assert set(keywords.split()) >= {"GT", "GO"}
    assert all(r.effects_done for r in rows)


def test_unusual_messages_leave_the_batch_and_keep_their_order(tmp_path: Path) -> None:
    """GIVEN a batch with a second copy of a post, a command posted to the list, an
    auto-reply and a broken message between ordinary posts THEN the copy is a duplicate
    with the original's tag, the command's author gets one private note, the auto-reply is
    not a post, the broken one is quarantined, and a reply after them still finds its thread."""
    rows, found, sent = run(tmp_path, [
        post(GO_MEMBER, "[GO] Facturation de novembre", "go@x"),
        post(GO_MEMBER, "[GO] Facturation de novembre", "go@x"),  # the same post again
        post("fatou.diallo@hotmail.fr", "[qpv-hpf] unsubscribe", "cmd@x", body=""),
        mail(STRANGER, "Réponse automatique : absent", "Je suis absente.", to=LIST,
             headers={**LIST_HEADERS, "Auto-Submitted": "auto-replied"}),
        b"\x00\xff garbage, no header at all",
        post(STRANGER, "Re: Facturation", "re@x", reply_to="go@x"),
    ])
    statuses = [(r.message_id, r.category, r.status, r.tag) for r in rows]
    assert ("go@x", "list_post", "done", "GO") in statuses
    assert ("go@x", "list_post", "duplicate", "GO") in statuses
    assert ("cmd@x", "list_post", "done", "HABITANTS") in statuses  # her roster group
    assert ("re@x", "list_post", "done", "GO") in statuses
    assert sum(r.category == "autoreply" for r in rows) == 1
    assert sum(r.status == "quarantined" for r in rows) == 1
    assert len(rows) == 6
    assert set(found) == {"go@x", "cmd@x", "re@x"}
    assert [(m.kind, m.to_addr) for m in sent] == [("list_command_note", "fatou.diallo@hotmail.fr")]


def test_a_failing_batch_is_recorded_one_message_at_a_time(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """GIVEN a batch one of whose keys another worker records after the batch's lookup THEN
    the batch's transaction fails, and each post is recorded alone: the others once, that
    one not twice."""
    app = maildir_app(tmp_path)
    envs = [Envelope("list", "list", 0, 0, f"{n}.m", 0) for n in range(3)]
    blocks = [post(GO_MEMBER, f"[GO] Sujet {n}", f"p{n}@x") for n in range(3)]
    ahead = Lookahead(app.engine, ["p0@x", "p1@x", "p2@x"])  # none recorded yet
    with Session(app.engine) as s:  # meanwhile, the concurrent worker's row for the second key
        s.add(ProcessedMessage(source_key=envs[1].key, role="list", mailbox="list",
                               message_id="p1@x", category="list_post", tag="GO"))
        s.commit()
    outcomes: list[Outcome] = ListBatch(app.pipeline.path, ahead, lambda env: lambda: b"").run(
        list(zip(envs, blocks, strict=True)))
    assert "one at a time" in caplog.text
    assert sorted((o.envelope.name, o.tag) for o in outcomes) == [
        ("0.m", "GO"), ("1.m", "GO"), ("2.m", "GO")]
    rows = processed_rows(app)
    assert sorted(r.source_key for r in rows) == sorted(e.key for e in envs)
    assert all(o.row_id is not None for o in outcomes)
    with Session(app.engine) as s:
        assert sorted(p.message_id for p in s.exec(select(Post)).all()) == ["p0@x", "p2@x"]


@pytest.mark.parametrize("count", [1, 450])
def test_batch_and_single_paths_agree(tmp_path: Path, count: int) -> None:
    """GIVEN the same posts WHEN recorded by the batch path or one at a time THEN the rows
    and posts are the same (category, tag, reason, member, post fields)."""
    messages = [post([GO_MEMBER, GT_MEMBER, STRANGER][n % 3],
                     ["[GO] Point", "Comité de pilotage", "Bonjour"][n % 3] + f" {n}",
                     f"m{n}@x", reply_to=f"m{n - 3}@x" if n >= 3 and n % 2 else None)
                for n in range(count)]
    batch_rows, batch_posts, _ = run(tmp_path / "batch", messages)
    single = maildir_app(tmp_path / "single")
    for n, raw in enumerate(messages):
        env = Envelope("list", "list", 0, 0, f"{n:04d}.m", len(raw))
        single.pipeline.process(env, raw.partition(b"\n\n")[0] + b"\n\n", True, lambda r=raw: r)
    one_rows = processed_rows(single)
    with Session(single.engine) as s:
        one_posts = {p.message_id: p for p in s.exec(select(Post)).all()}

    def row_view(r: ProcessedMessage) -> tuple[object, ...]:
        return (r.source_key, r.message_id, r.category, r.tag, r.status, r.reason, r.hits,
                r.member_email, r.from_email, r.subject, r.sent_at)

    def post_view(p: Post) -> tuple[object, ...]:
        return (p.thread_id, p.subject, p.author_email, p.author_name, p.tag, p.tag_reason,
                p.posted_at)

    assert sorted(map(row_view, batch_rows)) == sorted(map(row_view, one_rows))
    assert {m: post_view(p) for m, p in batch_posts.items()} == {
        m: post_view(p) for m, p in one_posts.items()}
