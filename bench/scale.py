"""The scale rows of `bench/run`: what a pass costs with a large archive behind it.

The same scenario twice, on a fresh Dovecot and database each time: once on an
empty list folder, once on an ARCHIVE of already-processed posts (100,000 by
default: small posts written straight into Dovecot's Maildir and their
`processed_message` and `post` rows inserted in bulk, as a daemon that had read
them would have left them; one untimed pass then lets the daemon settle on it).
Then, in each:

* idle   — a list worker's pass with nothing new (what the daemon does on every
           IDLE wake-up), median of 5;
* new    — the same pass after 5,000 new posts arrived (MULTIAPPEND; 1,000 without
           --full);
* push   — a question APPENDed to the inbox to its reply at the SMTP server,
           through a real daemon process, p50/p95 over `tries`.

Each row is the archive's figure against the empty folder's (goal: 1.2x for the
new posts, the same within noise for the others).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.parts import Row, new_app, percentile, settle_heap, workdir  # noqa: E402
from mailbot.app import App  # noqa: E402
from mailbot.models import Post, ProcessedMessage  # noqa: E402
from mailbot.sources import Envelope  # noqa: E402
from tests.faults.harness import Daemon, scalar  # noqa: E402
from tests.support import mailgen  # noqa: E402
from tests.support.helpers import LIST_FOLDER  # noqa: E402
from tests.support.servers import Dovecot, SmtpCapture  # noqa: E402

SMALL_POST = (
    "From: Membre {n} <membre{n}@example.org>\r\nTo: qpv-hpf@framalistes.org\r\n"
    "Subject: [GO] Archive {n}\r\nDate: Mon, 01 Nov 2021 09:00:00 +0100\r\n"
    "Message-ID: <archive.{n}@bench.test>\r\nList-Id: <qpv-hpf.framalistes.org>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nMessage d'archive {n}.\r\n"
)


@dataclass
class Figures:
    """One scenario's timings (seconds)."""

    seed: float = 0.0
    settle: float = 0.0
    idle: float = 0.0
    new: float = 0.0
    push: list[float] | None = None
    how: str = ""


def write_archive(dovecot: Dovecot, count: int) -> None:
    """`count` small posts written straight into the list folder's Maildir (Dovecot
    numbers them on its next sync): seconds, where MULTIAPPEND would take minutes."""
    dovecot.create_folder("bot", LIST_FOLDER)
    cur = dovecot.maildir("bot") / f".{LIST_FOLDER}" / "cur"
    stamp = int(time.time()) - 86400

    def write(n: int) -> None:  # os-level calls, in threads: the disk's latency overlaps
        raw = SMALL_POST.format(n=n).encode()
        fd = os.open(cur / f"{stamp}.M{n}P1.bench,S={len(raw)}:2,",
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, raw)
        finally:
            os.close(fd)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(count), chunksize=1000))


def seed_rows(app: App, dovecot: Dovecot, count: int) -> str:
    """The rows a daemon that processed the archive would have left, inserted in bulk;
    says how long Dovecot took to number the files and the database to take the rows."""
    started = time.perf_counter()
    client = dovecot.client("bot")
    validity = int(client.select_folder(LIST_FOLDER, readonly=True)[b"UIDVALIDITY"])
    uids = sorted(client.search(["ALL"]))
    client.logout()
    synced = time.perf_counter()
    account = f"bot@{dovecot.host}"
    start = datetime(2021, 11, 1, tzinfo=UTC)
    with app.engine.begin() as conn:
        for at in range(0, len(uids), 10_000):
            chunk = uids[at:at + 10_000]
            rows: list[dict[str, Any]] = []
            posts: list[dict[str, Any]] = []
            for n, uid in enumerate(chunk, start=at):
                when = start + timedelta(minutes=n)
                env = Envelope("list", LIST_FOLDER, validity, uid, "", 0, account)
                rows.append({"source_key": env.key, "role": "list", "mailbox": LIST_FOLDER,
                             "uidvalidity": validity, "uid": uid,
                             "message_id": f"<archive.{n}@bench.test>", "category": "list_post",
                             "tag": "GO", "member_email": None, "from_email":
                             f"membre{n}@example.org", "subject": f"[GO] Archive {n}",
                             "status": "done", "reason": "", "hits": "", "sent_at": when,
                             "processed_at": when, "effects_done": True})
                posts.append({"message_id": f"<archive.{n}@bench.test>",
                              "thread_id": f"<archive.{n}@bench.test>",
                              "subject": f"[GO] Archive {n}", "author_email":
                              f"membre{n}@example.org", "author_name": f"Membre {n}",
                              "tag": "GO", "tag_reason": "subject", "posted_at": when})
            conn.execute(insert(ProcessedMessage.__table__), rows)  # type: ignore[attr-defined]
            conn.execute(insert(Post.__table__), posts)  # type: ignore[attr-defined]
    assert len(uids) == count, (len(uids), count)
    return (f"Dovecot's first SELECT of them {synced - started:.1f} s, rows "
            f"{time.perf_counter() - synced:.1f} s")


def timed_pass(app: App) -> float:
    """Seconds for the list worker's pass (source open, as the daemon between IDLEs)."""
    worker = next(w for w in app.workers if w.source.role == "list")
    settle_heap()
    started = time.perf_counter()
    worker.run_once()
    return time.perf_counter() - started


def scenario(archive: int, new: int, tries: int) -> Figures:
    figures = Figures()
    home = workdir()
    with Dovecot({"bot": "secret"}) as dovecot, SmtpCapture() as smtp:
        app = new_app(home / "app", dovecot, smtp,
                      bot_extra="max_replies_per_address_per_day = 100000")
        started = time.perf_counter()
        if archive:
            write_archive(dovecot, archive)
            figures.how = f"files {time.perf_counter() - started:.1f} s, "
            figures.how += seed_rows(app, dovecot, archive)
        else:
            dovecot.create_folder("bot", LIST_FOLDER)
        figures.seed = time.perf_counter() - started
        worker = next(w for w in app.workers if w.source.role == "list")
        worker.source.open()
        try:
            worker.recover()
            figures.settle = timed_pass(app)  # a first pass after the bulk seed: untimed row
            figures.idle = statistics.median(timed_pass(app) for _ in range(5))
            dovecot.multiappend("bot", LIST_FOLDER,
                                (mailgen.list_post(f"new{archive}.{n}", n) for n in range(new)))
            figures.new = timed_pass(app)
            done = scalar(app.engine, "SELECT count(*) FROM processed_message")
            assert done == archive + new, (done, archive, new)
        finally:
            worker.source.close()
        app.engine.dispose()
        figures.push = push_latencies(home / "app", dovecot, smtp, tries)
    shutil.rmtree(home, ignore_errors=True)
    print(f"scale, archive of {archive}: {figures}", flush=True)
    return figures


def push_latencies(home: Path, dovecot: Dovecot, smtp: SmtpCapture, tries: int) -> list[float]:
    """A real daemon on the scenario's database: seconds from APPEND to the reply."""
    cfg = home / "config.toml"
    daemon = Daemon(cfg, home / "daemon.log")
    daemon.start()
    latencies: list[float] = []
    appender = dovecot.client("bot")
    try:
        deadline = time.monotonic() + 60
        while "mailbot running" not in daemon.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # the IDLE commands are in place
        for n in range(tries):
            before = len(smtp.messages)
            started = time.perf_counter()
            appender.append("INBOX", mailgen.question(f"scalepush{n}", 2000 + n))
            smtp.wait_for(before + 1, timeout=30)
            latencies.append(time.perf_counter() - started)
            time.sleep(0.05)
    finally:
        appender.logout()
        daemon.stop()
    return latencies


def scale_rows(archive: int = 100_000, new: int = 5000, tries: int = 20) -> list[Row]:
    empty = scenario(0, new, tries)
    full = scenario(archive, new, tries)
    assert empty.push is not None and full.push is not None
    seeded = (f"archive of {archive} posts seeded in {full.seed:.1f} s ({full.how}); "
              f"first pass over it {full.settle:.2f} s (empty folder: {empty.settle:.2f} s)")
    ratio_new = full.new / empty.new
    ratio_idle = full.idle / empty.idle
    p95_full, p95_empty = percentile(full.push, 0.95), percentile(empty.push, 0.95)
    p50_full, p50_empty = percentile(full.push, 0.5), percentile(empty.push, 0.5)
    return [
        Row(f"{new} new posts, {archive // 1000}k archive (s)", f"{full.new:.2f}",
            f"{empty.new:.2f}", ratio_new, "<= 1.2 (vs empty)", ratio_new <= 1.2,
            [seeded, f"{new} list posts after the archive: {full.new:.2f} s, after nothing: "
             f"{empty.new:.2f} s"]),
        Row(f"pass, nothing new, {archive // 1000}k archive (ms)", f"{full.idle * 1000:.0f}",
            f"{empty.idle * 1000:.0f}", ratio_idle, "~1 (vs empty)", ratio_idle <= 1.5,
            [f"median of 5 list-worker passes with nothing new: {full.idle * 1000:.1f} ms "
             f"({archive} posts known) vs {empty.idle * 1000:.1f} ms (none)"]),
        Row(f"push p95, {archive // 1000}k archive (ms)", f"{p95_full * 1000:.0f}",
            f"{p95_empty * 1000:.0f}", p95_full / p95_empty, "~1 (vs empty)",
            p95_full / p95_empty <= 1.1,
            [f"question to reply over {tries}: p50 {p50_full * 1000:.0f} ms / p95 "
             f"{p95_full * 1000:.0f} ms with the archive, p50 {p50_empty * 1000:.0f} ms / p95 "
             f"{p95_empty * 1000:.0f} ms without"]),
    ]


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.WARNING)
    count = int(os.environ.get("SCALE_ARCHIVE", "100000"))
    for row in scale_rows(count, int(os.environ.get("SCALE_NEW", "5000")),
                          int(os.environ.get("SCALE_TRIES", "20"))):
        print(row.name, row.ours, row.baseline, f"{row.ratio:.2f}", row.ok, *row.notes, sep=" | ")
