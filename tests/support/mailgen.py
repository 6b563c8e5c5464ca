"""Unique, realistic messages made from the bundled samples, for fault tests and benchmarks.

Every generated message is a sample of `samples/mail/` (or the shared corpus)
with its Message-ID (and, for questions, its sender) rewritten from a token, so
thousands of them are distinct to the pipeline's Message-ID check while keeping
real headers and bodies. `archive()` builds a list archive with a realistic
size mix (attachments of random, incompressible bytes); `backfill_mix()` the
list + inbox mix of the SIGKILL test, where questions get a reply.
"""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "mail"
LIST_SAMPLES = (
    "list-go-question-formulaire", "list-go-reply-in-go-thread", "list-gt-compte-rendu-gt",
    "list-gt-anct-outlook", "list-cotech-go-logistique-ics", "list-habitants-iso8859",
    "list-unknown-sender",
)
_FOLD = re.compile(rb"\r?\n[ \t]")


def sample(role: str, name: str) -> bytes:
    """The bytes of a bundled sample message."""
    return (SAMPLES / role / f"{name}.eml").read_bytes()


def split(raw: bytes) -> tuple[bytes, bytes, bytes]:
    """(header block, separator, body) of a raw message."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        at = raw.find(sep)
        if at >= 0:
            return raw[:at], sep, raw[at + len(sep):]
    return raw, b"", b""


def _lines(header: bytes) -> list[bytes]:
    """Header fields, each with its folded continuation lines."""
    fields: list[bytes] = []
    for line in header.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line
        else:
            fields.append(line)
    return fields


def rewrite(raw: bytes, set_: dict[str, str], drop: tuple[str, ...] = ()) -> bytes:
    """Replace (or add) header fields and drop others; the body is kept byte for byte."""
    header, sep, body = split(raw)
    nl = b"\r\n" if b"\r\n" in header else b"\n"
    names = {n.lower() for n in (*set_, *drop)}
    kept = [f for f in _lines(header)
            if f.split(b":", 1)[0].strip().decode("latin-1").lower() not in names]
    if kept and not kept[-1].endswith(b"\n"):
        kept[-1] += nl
    added = [f"{name}: {value}".encode() + nl for name, value in set_.items()]
    block = b"".join(kept + added)
    return block.rstrip(b"\r\n") + (sep or nl + nl) + body


def unique(raw: bytes, token: str, **headers: str) -> bytes:
    """The message with a Message-ID made from `token` (and other headers replaced)."""
    values = {"Message-ID": f"<{token}@mailgen.test>"}
    values.update({k.replace("_", "-"): v for k, v in headers.items()})
    return rewrite(raw, values)


def question(token: str, sender: int) -> bytes:
    """A human question to the bot from asker<sender>@orange.fr: answered once."""
    return rewrite(sample("inbox", "other-question-to-bot"), {
        "Message-ID": f"<{token}@mailgen.test>",
        "From": f"Asker {sender} <asker{sender}@orange.fr>",
        "Return-Path": f"<asker{sender}@orange.fr>",
        "Subject": f"Question {token} remboursement billet",
    }, drop=("Reply-To",))


def list_post(token: str, n: int) -> bytes:
    """A list post (one of the seven list samples in turn)."""
    return unique(sample("list", LIST_SAMPLES[n % len(LIST_SAMPLES)]), token)


def with_attachment(raw: bytes, payload: bytes, filename: str, ctype: str) -> bytes:
    """Wrap a message's body into multipart/mixed and attach `payload` (base64)."""
    header, sep, body = split(raw)
    nl = "\r\n" if b"\r\n" in header else "\n"
    parsed = BytesHeaderParser().parsebytes(header + sep)
    inner_type = _FOLD.sub(b" ", (parsed.get("Content-Type") or "text/plain").encode()).decode()
    inner_cte = parsed.get("Content-Transfer-Encoding") or "7bit"
    outer = f"=_mailgen_{len(payload)}_{len(body)}"
    head = rewrite(header + sep, {"Content-Type": f'multipart/mixed; boundary="{outer}"'},
                   drop=("Content-Transfer-Encoding",))
    b64 = base64.encodebytes(payload).decode().replace("\n", nl)
    parts = (
        f"--{outer}{nl}Content-Type: {inner_type}{nl}Content-Transfer-Encoding: {inner_cte}"
        f"{nl}{nl}"
    ).encode() + body + (
        f"{nl}--{outer}{nl}Content-Type: {ctype}; name=\"{filename}\"{nl}"
        f"Content-Disposition: attachment; filename=\"{filename}\"{nl}"
        f"Content-Transfer-Encoding: base64{nl}{nl}{b64}{nl}--{outer}--{nl}"
    ).encode()
    return split(head)[0] + sep + parts


def archive(count: int, seed: int = 6) -> Iterator[bytes]:
    """A list archive with a realistic size mix (about 150 KB a message on average):
    74 % plain posts, 20 % with a 50-250 KB attachment, 6 % with a 0.8-1.8 MB one."""
    rng = random.Random(seed)
    for n in range(count):
        raw = list_post(f"arch{seed}.{n}", n)
        roll = rng.random()
        if roll < 0.06:
            size = rng.randint(800_000, 1_800_000)
            raw = with_attachment(raw, rng.randbytes(size), f"CR-{n}.pdf", "application/pdf")
        elif roll < 0.26:
            size = rng.randint(50_000, 250_000)
            raw = with_attachment(raw, rng.randbytes(size), f"photo-{n}.jpg", "image/jpeg")
        yield raw


@dataclass(frozen=True)
class Mix:
    """The SIGKILL test's messages: list posts and inbox questions, by folder."""

    list_posts: list[bytes]
    questions: list[bytes]


def backfill_mix(total: int, seed: int, question_share: float = 0.3, senders: int = 40) -> Mix:
    """`total` unique messages: questions (each answered, `senders` distinct askers)
    in the inbox and list posts (each tagged) in the list folder."""
    rng = random.Random(seed)
    posts: list[bytes] = []
    questions: list[bytes] = []
    for n in range(total):
        token = f"k{seed}.{n}"
        if rng.random() < question_share:
            questions.append(question(token, len(questions) % senders))
        else:
            posts.append(list_post(token, n))
    return Mix(posts, questions)
