"""`bench/run`: run every benchmark of bench/parts.py and bench/scale.py, print one table,
record it.

Each row is mailbot's figure, the baseline measured in the same run, and their
ratio (for rates and times: how mailbot compares with the baseline, the goal
column says which way is better). The table, with the date, the machine and the
command line, is appended to bench/RESULTS.md unless --no-record.

Default sizes keep a run around five minutes on 2 cores (1,000 messages, 50
tries, 1,000 new posts on the 100,000-post archive of the scale rows); --full uses the
issue's 5,000-message archive and 5,000 new posts.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import parts, scale  # noqa: E402


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.node()} — {os.cpu_count()} cores, {cpu}, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def table(rows: list[parts.Row]) -> str:
    head = ("benchmark", "mailbot", "baseline", "ratio", "goal", "met")
    lines = [head] + [(r.name, r.ours, r.baseline, f"{r.ratio:.2f}", r.goal,
                       "yes" if r.ok else "NO") for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths)) + " |" for line in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the issue's sizes (5,000 messages)")
    parser.add_argument("--messages", type=int, default=0, help="archive size (default 1000)")
    parser.add_argument("--tries", type=int, default=50, help="push latency tries per kind")
    parser.add_argument("--repeats", type=int, default=2, help="backfill runs (best kept)")
    parser.add_argument("--profile", action="store_true", help="cProfile the list worker")
    parser.add_argument("--only", default="", help="comma list: backfill,push,digest,scale")
    parser.add_argument("--archive", type=int, default=100_000,
                        help="scale rows: archive size (default 100,000)")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    count = args.messages or (5000 if args.full else 1000)
    only = set(filter(None, args.only.split(",")))
    started = time.monotonic()
    rows: list[parts.Row] = []
    if not only or "backfill" in only:
        rows += parts.backfill_and_tagging(count, args.repeats, args.profile)
    if not only or "push" in only:
        rows += parts.push_and_memory(args.tries)
    if not only or "scale" in only:
        rows += scale.scale_rows(args.archive, 5000 if args.full else 1000, min(args.tries, 20))
    if not only or "digest" in only:
        digest = parts.digest_row()
        if digest is not None:
            rows.append(digest)
    text = table(rows)
    notes = "\n".join(f"- {r.name}: {n}" for r in rows for n in r.notes)
    print(text)
    print(notes)
    print(f"({time.monotonic() - started:.0f} s)")
    if not args.no_record:
        stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as out:
            out.write(f"\n## {stamp} — `bench/run {' '.join(sys.argv[1:])}`\n\n"
                      f"Machine: {machine()}\n\n{text}\n\n{notes}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
