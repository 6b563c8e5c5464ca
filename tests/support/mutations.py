"""Hostile mutations of real messages, as hypothesis strategies (CI fuzzer and bench/fuzz).

The seeds are the shared corpus (../shared/corpus/public) when present, else the
bundled samples, plus the parser's fixtures. A mutated message is a seed with one
to three of: truncation (also inside the headers), broken or missing MIME
boundaries, wrong or unknown charsets, random bytes inside base64, deep nesting
(multipart and message/rfc822), huge headers (one very long, or thousands),
encoded words that decode to CR/LF (header injection), and random byte damage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
SEED_DIRS = (ROOT.parent / "shared" / "corpus" / "public", ROOT / "samples" / "mail" / "inbox",
             ROOT / "samples" / "mail" / "list", ROOT / "tests" / "fixtures" / "parse")
_BOUNDARY = re.compile(rb'boundary="?([^";\r\n]+)"?', re.I)
_CHARSET = re.compile(rb'charset="?([A-Za-z0-9_.:-]+)"?', re.I)
CHARSETS = [b"utf-7", b"x-unknown", b"utf-16", b"iso-8859-1", b"gb2312", b"", b"utf-8\x00",
            b"../../etc", b"cp1252", b"unicode-1-1-utf-7", b"A" * 300]
Mutation = Callable[[bytes, st.DrawFn], bytes]


@lru_cache(maxsize=1)
def seeds() -> tuple[bytes, ...]:
    """Every seed message, once (the first directory that has a file name wins)."""
    found: dict[str, bytes] = {}
    for directory in SEED_DIRS:
        if directory.is_dir():
            for path in sorted(directory.glob("*.eml")):
                found.setdefault(path.name, path.read_bytes())
    return tuple(found.values())


def _split(raw: bytes) -> tuple[bytes, bytes]:
    """(header lines, blank line + body), for LF and CRLF messages."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        at = raw.find(sep)
        if at >= 0:
            half = len(sep) // 2
            return raw[:at + half], raw[at + half:]
    return raw, b""


def truncate(raw: bytes, draw: st.DrawFn) -> bytes:
    return raw[: draw(st.integers(0, max(0, len(raw) - 1)))]


def break_boundaries(raw: bytes, draw: st.DrawFn) -> bytes:
    found = _BOUNDARY.findall(raw)
    if not found:
        return raw + b"\n--orphan\nContent-Type: text/plain\n\nno start boundary\n"
    boundary = draw(st.sampled_from(found))
    how = draw(st.sampled_from(["drop-close", "garble", "drop-all", "nest-same", "empty"]))
    if how == "drop-close":
        return raw.replace(b"--" + boundary + b"--", b"")
    if how == "garble":
        return raw.replace(b"--" + boundary, b"--" + boundary[::-1], draw(st.integers(1, 3)))
    if how == "drop-all":
        return raw.replace(b"--" + boundary, b"")
    if how == "nest-same":  # a part that reuses its parent's boundary
        return raw.replace(b"--" + boundary + b"\n", b"--" + boundary + b"\nContent-Type: "
                           b"multipart/mixed; boundary=\"" + boundary + b"\"\n\n--" + boundary
                           + b"\n", 1)
    return _BOUNDARY.sub(b'boundary=""', raw, 1)


def wrong_charset(raw: bytes, draw: st.DrawFn) -> bytes:
    charset = draw(st.sampled_from(CHARSETS))
    if _CHARSET.search(raw):
        return _CHARSET.sub(b"charset=\"" + charset + b"\"", raw, draw(st.integers(1, 5)))
    head, body = _split(raw)
    return head + b"Content-Type: text/plain; charset=\"" + charset + b"\"\n" + body


def base64_junk(raw: bytes, draw: st.DrawFn) -> bytes:
    lines = raw.split(b"\n")
    candidates = [i for i, line in enumerate(lines)
                  if len(line) >= 40 and re.fullmatch(rb"[A-Za-z0-9+/=\r]+", line)]
    junk = draw(st.binary(min_size=1, max_size=40))
    if not candidates:
        head, body = _split(raw)
        return (head + b"Content-Transfer-Encoding: base64\n" + body[:100] + junk + body[100:])
    for i in draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=5)):
        at = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:at] + junk + lines[i][at:]
    return b"\n".join(lines)


def deep_nesting(raw: bytes, draw: st.DrawFn) -> bytes:
    depth = draw(st.integers(5, 80))
    kind = draw(st.sampled_from(["multipart", "rfc822"]))
    out = raw
    for level in range(depth):
        if kind == "rfc822":
            out = (b"From: nest@example.org\nSubject: level " + str(level).encode()
                   + b"\nContent-Type: message/rfc822\n\n" + out)
        else:
            b = b"n" + str(level).encode()
            out = (b"From: nest@example.org\nContent-Type: multipart/mixed; boundary=\"" + b
                   + b"\"\n\n--" + b + b"\n" + out + b"\n--" + b + b"--\n")
    return out


def huge_headers(raw: bytes, draw: st.DrawFn) -> bytes:
    head, body = _split(raw)
    how = draw(st.sampled_from(["long", "many", "folded", "long-subject"]))
    if how == "long":
        extra = b"X-Huge: " + b"A" * draw(st.integers(10_000, 300_000)) + b"\n"
    elif how == "many":
        extra = b"".join(b"X-Many-%d: v\n" % n for n in range(draw(st.integers(500, 6000))))
    elif how == "folded":
        extra = b"References:" + b"\n <x@y>" * draw(st.integers(1000, 20_000)) + b"\n"
    else:
        extra = b"Subject: =?utf-8?q?" + b"=C3=A9" * draw(st.integers(5000, 40_000)) + b"?=\n"
    return extra + head + body


def header_injection(raw: bytes, draw: st.DrawFn) -> bytes:
    head, body = _split(raw)
    evil = draw(st.sampled_from([
        b"=?utf-8?q?Eve=0D=0ABcc:_victim@example.org?=",
        b"=?utf-8?b?RXZlDQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?=",
        b"Eve\rBcc: victim@example.org",
        b"=?utf-8?q?=E2=80=A8X-Evil:_1?=",
    ]))
    head = re.sub(rb"(?im)^(From|Subject|Reply-To):[^\n]*\n(?:[ \t][^\n]*\n)*", b"", head)
    if not head.endswith(b"\n"):
        head += b"\n"
    return (head + b"From: " + evil + b" <eve@orange.fr>\nSubject: " + evil + b"\n"
            + b"Reply-To: " + evil + b" <eve@orange.fr>\n" + body)


def byte_damage(raw: bytes, draw: st.DrawFn) -> bytes:
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 20))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        data[at:at + 1] = draw(st.binary(min_size=0, max_size=8))
    return bytes(data)


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate, "boundaries": break_boundaries, "charset": wrong_charset,
    "base64": base64_junk, "nesting": deep_nesting, "huge-headers": huge_headers,
    "injection": header_injection, "bytes": byte_damage,
}


@st.composite
def hostile_messages(draw: st.DrawFn) -> tuple[list[str], bytes]:
    """(names of the mutations applied, the mutated message)."""
    raw = draw(st.sampled_from(seeds()))
    names = draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3))
    for name in names:
        raw = MUTATIONS[name](raw, draw)
    return names, raw
