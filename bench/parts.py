"""The benchmarks of `bench/run`, one function per row, each timing mailbot against a
baseline measured in the same run on the same loopback servers.

* backfill  — the daemon's catch-up (`App.run_once`: list, fetch, parse, classify, tag,
              record, set keywords) over a list archive, against a plain imapclient
              FETCH BODY.PEEK[] of the same messages in batches of 200;
* tagging   — that same tagging pass, against imapfilter setting a keyword by From
              (one SEARCH per roster sender, one STORE) on the same folder, best of 3;
              with, as a note, the floor of any tool that reads each post: the list
              worker's UID FETCH of the posts' header fields, alone;
* push      — APPEND of a question (and of a proof with a PDF ticket) to the reply at
              the SMTP server, through a real daemon process on IDLE, against a bare
              imapclient IDLE client seeing the same APPEND;
* memory    — the daemon's peak RSS while it processes a 12 MB proof, against its RSS
              at rest;
* digest    — bench/digest.py (the digest engineer's), when present.
"""

from __future__ import annotations

import asyncio
import cProfile
from collections.abc import Callable
import csv
import io
import json
import logging
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbot import config, members  # noqa: E402
from mailbot.app import App, settle_heap  # noqa: E402
from mailbot.sources.imap import ImapSource  # noqa: E402
from tests.support import mailgen  # noqa: E402
from tests.faults.harness import Daemon, scalar  # noqa: E402
from tests.support.helpers import LIST_FOLDER, write_config  # noqa: E402
from tests.support.proofmail import File, photo, proof_mail  # noqa: E402
from tests.support.servers import Dovecot, SmtpCapture  # noqa: E402
from tests.support.ticketpdfs import LegSpec, sncf_inoui_pdf  # noqa: E402

ROSTER = ROOT / "samples" / "roster.csv"


@dataclass
class Row:
    """One line of the table: what, mailbot's figure, the baseline's, their ratio, the goal."""

    name: str
    ours: str
    baseline: str
    ratio: float
    goal: str
    ok: bool
    notes: list[str] = field(default_factory=list)


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="mbbench", dir="/tmp"))


def new_app(home: Path, dovecot: Dovecot, smtp: SmtpCapture, bot_extra: str = "") -> App:
    home.mkdir(parents=True, exist_ok=True)
    app = App(config.load(write_config(home, dovecot=dovecot, smtp=smtp,
                                       database=f"sqlite:///{home / 'bench.sqlite3'}",
                                       bot_extra=bot_extra)))
    with Session(app.engine) as s:
        members.import_csv(s, ROSTER)
        s.commit()
    return app


def fetch_all(dovecot: Dovecot) -> float:
    """Seconds for a plain FETCH BODY.PEEK[] of the whole list folder, 200 at a time."""
    client = dovecot.client("bot")
    client.select_folder(LIST_FOLDER, readonly=True)
    started = time.perf_counter()
    uids = client.search("ALL")
    size = 0
    for at in range(0, len(uids), 200):
        for data in client.fetch(uids[at:at + 200], [b"BODY.PEEK[]"]).values():
            size += len(data[b"BODY[]"])
    elapsed = time.perf_counter() - started
    client.logout()
    return elapsed


def daemon_once(app: App) -> float:
    """Seconds for the daemon's catch-up of everything pending (as `mailbot run --once`)."""
    settle_heap()
    started = time.perf_counter()
    asyncio.run(app.run_once())
    return time.perf_counter() - started


def profile_worker(app: App, out: Path) -> str:
    """cProfile of the list worker's catch-up, run in this thread (top 25 by own time)."""
    worker = next(w for w in app.workers if w.source.role == "list")
    profiler = cProfile.Profile()
    worker.source.open()
    try:
        worker.recover()
        profiler.enable()
        worker.run_once()
        profiler.disable()
    finally:
        worker.source.close()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    out.write_text(text.getvalue())
    return str(out)


def backfill_and_tagging(count: int, repeats: int, profile: bool) -> list[Row]:
    """The archive in Dovecot once; FETCH and the daemon `repeats` times each (best kept)."""
    home = workdir()
    logging.basicConfig(filename=home / "daemon.log", level=logging.INFO, force=True)
    with Dovecot({"bot": "secret"}) as dovecot, SmtpCapture() as smtp:
        started = time.perf_counter()
        dovecot.multiappend("bot", LIST_FOLDER, mailgen.archive(count))
        seeded = time.perf_counter() - started
        size = sum((p.stat().st_size for p in (dovecot.maildir("bot") / f".{LIST_FOLDER}")
                    .rglob("*") if p.is_file()), 0)
        fetches, runs = [], []
        for n in range(repeats):
            fetches.append(fetch_all(dovecot))
            runs.append(daemon_once(new_app(home / f"run{n}", dovecot, smtp)))
        # best of 3 like the daemon's best of `repeats`: the first run also warms Dovecot's
        # cache of the From field, which later SEARCHes read
        filters = [imapfilter_tagging(dovecot, home / f"f{n}") for n in range(3)]
        filter_s = min((s for s, _ in filters if s is not None), default=None)
        filtered = filters[0][1]
        floor_s = min(fetch_fields(dovecot, new_app(home / "fields", dovecot, smtp))
                      for _ in range(repeats))
        prof = profile_worker(new_app(home / "prof", dovecot, smtp),
                              Path(tempfile.gettempdir()) / "mailbot-profile.txt") \
            if profile else ""
    fetch_s, run_s = min(fetches), min(runs)
    rows = [Row("backfill (msg/s)", f"{count / run_s:.0f}", f"{count / fetch_s:.0f}",
                fetch_s / run_s, ">= 0.5", fetch_s / run_s >= 0.5,
                [f"{count} list messages, {size / 1e6:.0f} MB, seeded by MULTIAPPEND in "
                 f"{seeded:.1f} s; best of {repeats}: daemon {run_s:.2f} s, FETCH {fetch_s:.2f} s"
                 + (f"; profile in {prof}" if prof else "")])]
    if filter_s is not None:
        rows.append(Row("tagging (s, archive)", f"{run_s:.2f}", f"{filter_s:.2f}",
                        filter_s / run_s, ">= 1 (no slower)", filter_s >= run_s,
                        [f"imapfilter tagged {filtered} of {count} by From (one SEARCH per "
                         f"roster sender + STORE), best of 3 (first run {filters[0][0]:.2f} s); "
                         f"the daemon tags all {count} with the full rule set and records each "
                         "one (exactly-once)",
                         f"reading the {count} posts' header fields alone (the daemon's UID FETCH, "
                         f"nothing else) takes {floor_s:.2f} s: the floor of any tool that reads "
                         f"each post; the daemon is {run_s / floor_s:.1f}x that"]))
    shutil.rmtree(home, ignore_errors=True)
    return rows


def fetch_fields(dovecot: Dovecot, app: App) -> float:
    """Seconds for the list worker's own UID FETCH of every post's header fields, alone."""
    worker = next(w for w in app.workers if w.source.role == "list")
    source, fields = worker.source, app.pipeline.fields("list")
    assert isinstance(source, ImapSource) and fields is not None
    source.open()
    try:
        started = time.perf_counter()
        pending = source.pending()
        for at in range(0, len(pending), worker.batch):
            list(source.fetch(pending[at:at + worker.batch], fields))
        return time.perf_counter() - started
    finally:
        source.close()


def imapfilter_tagging(dovecot: Dovecot, home: Path) -> tuple[float | None, int]:
    """Seconds for imapfilter to set a keyword by From over the list folder (None: absent)."""
    binary = shutil.which("imapfilter")
    if binary is None:
        return None, 0
    home.mkdir(parents=True, exist_ok=True)
    with open(ROSTER, encoding="utf-8") as f:
        senders = [r["email"] for r in csv.DictReader(f) if r["group"] in ("GO", "GT")][:20]
    lua = home / "imapfilter" / "config.lua"
    lua.parent.mkdir(exist_ok=True)
    chain = " + ".join(f"folder:contain_from('{s}')" for s in senders)
    lua.write_text(f"""options.timeout = 120
options.subscribe = false
options.create = false
account = IMAP {{ server = '{dovecot.host}', port = {dovecot.port},
                 username = 'bot', password = 'secret' }}
folder = account['{LIST_FOLDER}']
result = {chain}
result:add_flags({{ 'FromRoster' }})
""")
    started = time.perf_counter()
    subprocess.run([binary, "-c", str(lua)], check=True, capture_output=True,
                   env={"HOME": str(home / "imapfilter"), "PATH": "/usr/bin:/bin"})
    elapsed = time.perf_counter() - started
    flagged = sum("FromRoster" in f for f in dovecot.keywords("bot", LIST_FOLDER).values())
    return elapsed, flagged


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class IdleWatcher(threading.Thread):
    """A bare imapclient IDLE client on INBOX that timestamps every EXISTS."""

    def __init__(self, dovecot: Dovecot) -> None:
        super().__init__(daemon=True)
        self.client = dovecot.client("bot")
        self.client.select_folder("INBOX")
        self.seen = threading.Event()
        self.at = 0.0
        self.halt = False

    def run(self) -> None:
        self.client.idle()
        while not self.halt:
            for response in self.client.idle_check(timeout=0.2):
                if isinstance(response, tuple) and len(response) > 1 and response[1] == b"EXISTS":
                    self.at = time.perf_counter()
                    self.seen.set()
        self.client.idle_done()


def push_and_memory(tries: int) -> list[Row]:
    """Push latency (question, proof) against IDLE alone; then the memory row."""
    home = workdir()
    rows: list[Row] = []
    with Dovecot({"bot": "secret"}) as dovecot, SmtpCapture() as smtp:
        dovecot.create_folder("bot", LIST_FOLDER)
        appender = dovecot.client("bot")
        idle = IdleWatcher(dovecot)
        idle.start()
        time.sleep(0.5)
        baseline = []
        for n in range(tries):
            idle.seen.clear()
            started = time.perf_counter()
            appender.append("INBOX", mailgen.question(f"idle{n}", n))
            idle.seen.wait(10)
            baseline.append(idle.at - started)
        idle.halt = True
        idle.join(5)
        cfg = write_config(home, dovecot=dovecot, smtp=smtp,
                           database=f"sqlite:///{home / 'push.sqlite3'}",
                           bot_extra="max_replies_per_address_per_day = 100000")
        from tests.faults.harness import open_db

        engine = open_db(cfg)
        daemon = Daemon(cfg, home / "daemon.log")
        daemon.start()
        try:
            deadline = time.monotonic() + 30
            while "mailbot running" not in daemon.log() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.0)  # the IDLE commands are in place
            asked = scalar(engine, "SELECT count(*) FROM processed_message")
            sets: dict[str, Callable[[int], bytes]] = {"question": lambda n: mailgen.question(f"push{n}", 1000 + n),
                    "proof+PDF ticket": lambda n: proof_mail(
                        subject=f"Billet {n}", message_id=f"<bench-proof-{n}@orange.fr>",
                        files=[File(f"billet-{n}.pdf", sncf_inoui_pdf(
                            legs=[LegSpec("MARSEILLE ST CHARLES", "PARIS GARE DE LYON",
                                          date(2021, 11, 17), price="79,00 €")],
                            reference=f"BN{n:04d}", total="79,00 €"))])}
            for label, make in sets.items():
                latencies = []
                for n in range(tries):
                    raw = make(n)
                    before = len(smtp.messages)
                    started = time.perf_counter()
                    appender.append("INBOX", raw)
                    smtp.wait_for(before + 1, timeout=30)
                    latencies.append(time.perf_counter() - started)
                    time.sleep(0.05)
                p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
                b50, b95 = percentile(baseline, 0.5), percentile(baseline, 0.95)
                rows.append(Row(f"push p95, {label} (ms)", f"{p95 * 1000:.0f}",
                                f"{b95 * 1000:.0f}", p95 / b95, "p95 < 1000 ms", p95 < 1.0,
                                [f"{label}: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms over "
                                 f"{tries}; IDLE alone p50 {b50 * 1000:.0f} ms, p95 "
                                 f"{b95 * 1000:.0f} ms (Dovecot notifies IDLE after 500 ms)"]))
            rows.append(memory_row(daemon, dovecot, engine, asked + 2 * tries))
        finally:
            daemon.stop()
            appender.logout()
    shutil.rmtree(home, ignore_errors=True)
    return rows


def rss(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in bytes."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, amount = line.split(":", 1)
            values[key] = int(amount.split()[0]) * 1024
    return values["VmRSS"], values["VmHWM"]


def memory_row(daemon: Daemon, dovecot: Dovecot, engine: object, done: int) -> Row:
    """Peak RSS of the running daemon while it files a 12 MB proof, against at rest."""
    from sqlalchemy.engine import Engine

    assert isinstance(engine, Engine) and daemon.proc is not None
    deadline = time.monotonic() + 60
    while scalar(engine, "SELECT count(*) FROM processed_message") < done:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    time.sleep(1.0)
    rest, rest_peak = rss(daemon.proc.pid)
    big = proof_mail(subject="Feuille d'émargement (photo)", message_id="<bench-big@orange.fr>",
                     files=[File("emargement.jpg", photo(9 * 1024 * 1024), "image/jpeg")])
    client = dovecot.client("bot")
    client.append("INBOX", big)
    client.logout()
    while scalar(engine, "SELECT count(*) FROM processed_message") < done + 1:
        if time.monotonic() > deadline + 60:
            break
        time.sleep(0.05)
    _, peak = rss(daemon.proc.pid)
    increase = max(0, peak - rest)
    return Row("memory, 12 MB message (MB)", f"+{increase / 1e6:.0f}", f"{rest / 1e6:.0f}",
               increase / len(big), "< 6x message", increase < 6 * len(big),
               [f"message {len(big) / 1e6:.1f} MB; RSS at rest {rest / 1e6:.0f} MB (peak "
                f"so far {rest_peak / 1e6:.0f} MB), peak while filing {peak / 1e6:.0f} MB; "
                "ratio = increase / message size"])


def digest_row() -> Row | None:
    """bench/digest.py's figure, when the digest engineer's benchmark is there."""
    script = ROOT / "bench" / "digest.py"
    if not script.exists():
        return None
    done = subprocess.run([sys.executable, str(script), "--json"], capture_output=True,
                          text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        return Row("digest", "error", "", 0.0, "< 2", False, [done.stderr[-300:]])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    ratio = float(result["ratio"])
    build = float(result.get("build_s", 0)) * 1000
    read = float(result.get("read_s", 0)) * 1000
    return Row("digest of a year (ms)", f"{build:.0f}", f"{read:.0f}", ratio,
               "< 2 (build/read)", ratio < 2, [f"bench/digest.py: {json.dumps(result)}"])


def median(values: list[float]) -> float:
    return statistics.median(values)
