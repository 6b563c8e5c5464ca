"""A pass costs what is new: the folder's mark (pipeline/ledger.py), Maildir's `new/` to
`cur/`, and the full pass that finds what a mark stepped over."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot.app import App
from mailbot.models import FolderMark, ProcessedMessage
from mailbot.pipeline.ledger import RECONCILE, Ledger, Listing
from mailbot.sources import Envelope
from mailbot.sources.maildir import MaildirSource
from tests.support.helpers import deliver, maildir_app, processed_rows, sample


def envs(*uids: int) -> list[Envelope]:
    return [Envelope("list", "box", 7, u, "", 0, "a@b") for u in uids]


@pytest.mark.parametrize(("since", "uids", "recorded", "mark"), [
    (None, [], [], 1),  # an empty folder: read from its first UID
    (5, [], [], 5),  # nothing new: the mark stays
    (5, [5, 6, 9], [5, 6, 9], 10),  # all recorded: past the last one
    (5, [5, 6, 9], [5, 9], 6),  # 6 not recorded (not fetched, or the pass stopped): stop there
    (None, [1, 2, 3], [2, 3], 1),  # a full pass finds 1 left behind: back to it
])
def test_the_mark_moves_only_past_recorded_uids(since: int | None, uids: list[int],
                                                recorded: list[int], mark: int) -> None:
    listing = Listing("imap:a@b/box/7/", since, envs(*uids), {e.key for e in envs(*recorded)})
    assert listing.mark() == mark
    assert [e.uid for e in listing.pending()] == [u for u in uids if u not in recorded]


def scans(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The subfolders each Maildir listing reads."""
    seen: list[tuple[str, ...]] = []
    original = MaildirSource._scan

    def spy(self: MaildirSource, subdirs: tuple[str, ...] = ("new", "cur")) -> dict[str, Path]:
        seen.append(subdirs)
        return original(self, subdirs)

    monkeypatch.setattr(MaildirSource, "_scan", spy)
    return seen


def marks(app: App) -> dict[str, FolderMark]:
    with Session(app.engine) as s:
        return {m.folder: m for m in s.exec(select(FolderMark)).all()}


def test_a_pass_lists_new_alone_and_recorded_mail_leaves_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a question and a post WHEN run twice THEN the first pass (no mark yet) lists the
    whole folder, the second only new/; both messages left new/ for cur/ once recorded
    (the question unflagged, the post with its keyword), and each folder has its mark."""
    app = maildir_app(tmp_path)
    maildir = tmp_path / "maildir"
    deliver(maildir, "inbox", "1.q", sample("inbox", "other-question-to-bot"))
    deliver(maildir, "list", "2.p", sample("list", "list-gt-compte-rendu-gt"))
    seen = scans(monkeypatch)
    asyncio.run(app.run_once())
    first = list(seen)
    seen.clear()
    asyncio.run(app.run_once())
    assert first == [("new", "cur"), ("new", "cur")] and seen == [("new",), ("new",)]
    assert list((maildir / "inbox" / "new").iterdir()) == []
    assert [p.name for p in (maildir / "inbox" / "cur").iterdir()] == ["1.q:2,"]
    assert [p.name for p in (maildir / "list" / "cur").iterdir()] == ["2.p:2,a"]
    assert set(marks(app)) == {"maildir:inbox/", "maildir:list/"}
    assert len(processed_rows(app)) == 2


def test_a_message_the_mark_stepped_over_is_found_by_the_full_pass(tmp_path: Path) -> None:
    """GIVEN a question put straight into cur/ (a mail reader saw it first) WHEN a pass reads
    new/ alone THEN it is not seen; WHEN the full pass is due THEN it is processed, once."""
    app = maildir_app(tmp_path)
    maildir = tmp_path / "maildir"
    asyncio.run(app.run_once())  # the first, full pass sets the marks
    (maildir / "inbox" / "cur" / "1.q:2,S").write_bytes(sample("inbox", "other-question-to-bot"))
    asyncio.run(app.run_once())
    assert processed_rows(app) == []
    with Session(app.engine) as s:
        mark = s.get(FolderMark, "maildir:inbox/")
        assert mark is not None
        mark.reconciled_at = datetime.now(UTC) - RECONCILE
        s.add(mark)
        s.commit()
    asyncio.run(app.run_once())
    asyncio.run(app.run_once())
    assert [(r.source_key, r.category) for r in processed_rows(app)] == [
        ("maildir:inbox/1.q", "other")]
    assert marks(app)["maildir:inbox/"].reconciled_at > datetime.now(UTC) - RECONCILE


def test_a_folder_s_keys_are_its_own(tmp_path: Path) -> None:
    """GIVEN rows of a folder at UIDVALIDITY 7, of the same folder at 70 and of another box
    WHEN the ledger looks keys up, one by one or all the folder's at once (a full pass's
    many keys) THEN only that folder's recorded keys come back, and its unapplied rows alone."""
    app = maildir_app(tmp_path)
    keys = ["imap:a@b/box/7/1", "imap:a@b/box/7/2", "imap:a@b/box/70/1", "imap:a@b/boy/7/1"]
    with Session(app.engine) as s:
        for n, key in enumerate(keys):
            s.add(ProcessedMessage(source_key=key, role="list", mailbox="box", message_id=f"{n}@x",
                                   effects_done=n == 0))
        s.commit()
    ledger = Ledger(app.engine, lambda: datetime.now(UTC))
    asked = [f"imap:a@b/box/7/{u}" for u in range(1, 12_000)]
    assert ledger.recorded("imap:a@b/box/7/", asked) == set(keys[:2])  # the folder's at once
    assert ledger.recorded("imap:a@b/box/7/", asked[:5]) == set(keys[:2])  # key by key
    [unapplied] = ledger.unapplied("imap:a@b/box/7/")
    with Session(app.engine) as s:
        row = s.get(ProcessedMessage, unapplied.row_id)
        assert row is not None and row.source_key == keys[1]


def test_mail_recorded_before_the_marks_leaves_new_without_being_processed_again(
        tmp_path: Path) -> None:
    """GIVEN a question recorded by an older daemon that left it in new/ WHEN a pass runs
    THEN it moves to cur/ and nothing is processed or sent again."""
    app = maildir_app(tmp_path)
    maildir = tmp_path / "maildir"
    deliver(maildir, "inbox", "1.q", sample("inbox", "other-question-to-bot"))
    asyncio.run(app.run_once())
    (maildir / "inbox" / "cur" / "1.q:2,").rename(maildir / "inbox" / "new" / "1.q")
    summary = asyncio.run(app.run_once())
    assert summary.processed == {"list": 0, "inbox": 0} and summary.sent == 0
    assert [p.name for p in (maildir / "inbox" / "cur").iterdir()] == ["1.q:2,"]
    assert len(processed_rows(app)) == 1


def test_a_pass_sets_each_keyword_once_whatever_its_batches(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN 12 list posts read 2 at a time (6 batches) WHEN one pass runs THEN each keyword
    is set in ONE call for the whole pass (a server may rescan a large folder after each
    STORE), every post has it, and no row is left with its side effect to apply."""
    app = maildir_app(tmp_path)
    for n in range(12):
        raw = sample("list", "list-gt-compte-rendu-gt").replace(
            b"Message-ID: <", f"Message-ID: <batch{n}.".encode(), 1)
        deliver(tmp_path / "maildir", "list", f"{n:02d}.p", raw)
    calls: list[tuple[str, int]] = []
    original = MaildirSource.add_keyword

    def spy(self: MaildirSource, envelopes: list[Envelope], keyword: str) -> None:
        calls.append((keyword, len(envelopes)))
        original(self, envelopes, keyword)

    monkeypatch.setattr(MaildirSource, "add_keyword", spy)
    for worker in app.workers:
        worker.batch = 2
        monkeypatch.setattr("mailbot.worker.HEADER_BATCHES", 1)
    asyncio.run(app.run_once())
    assert calls == [("GT", 12)]
    assert len(list((tmp_path / "maildir" / "list" / "cur").iterdir())) == 12
    with Session(app.engine) as s:
        rows = s.exec(select(ProcessedMessage)).all()
    assert len(rows) == 12 and all(r.effects_done for r in rows)
