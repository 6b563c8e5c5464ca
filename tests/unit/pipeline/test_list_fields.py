"""List posts are fetched by a fixed set of header fields (Pipeline.list_fields): it must
hold every field the guards, the tagging and Incoming read, or a post would be judged on
less than it carries. Also the readers under that fetch: imaplib literals, RFC 5322 dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mailparser.utils import convert_mail_date

from mailbot.decide.classify import classify
from mailbot.decide.facts import FIELDS, GETTERS, Context
from mailbot.mime.incoming import Incoming
from mailbot.mime.headers import parse_date
from mailbot.mime.parse import calls_for_body, parse_headers, parse_message
from mailbot.sources.imap import parse_fetched_literals, uid_set
from mailbot.decide.tagging import author_of
from tests.support.helpers import SAMPLES, SHARED_CORPUS, maildir_app

MESSAGES = sorted(SAMPLES.rglob("*.eml")) + (
    sorted(SHARED_CORPUS.rglob("*.eml")) if SHARED_CORPUS.is_dir() else [])


def only_fields(raw: bytes, names: tuple[str, ...]) -> bytes:
    """The header block cut down to `names`, as IMAP BODY[HEADER.FIELDS (...)] returns it."""
    head = raw.replace(b"\r\n", b"\n").partition(b"\n\n")[0]
    wanted = {n.lower().encode() for n in names}
    kept: list[bytes] = []
    keep = False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if keep:
                kept.append(line)
            continue
        keep = line.partition(b":")[0].strip().lower() in wanted
        if keep:
            kept.append(line)
    return b"\n".join(kept) + b"\n\n"


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return maildir_app(tmp_path_factory.mktemp("fields")).pipeline


def test_guards_and_tagging_read_no_field_outside_the_list(
        pipeline, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """GIVEN every sample read whole, as a list post WHEN classified THEN every header field
    asked for is one the list fetch brings."""
    asked: set[str] = set()
    original = Incoming._values

    def spy(self: Incoming, name: str) -> list[str]:
        asked.add(name.lower())
        return original(self, name)

    monkeypatch.setattr(Incoming, "_values", spy)
    services = pipeline.services
    rewritten = (b"From: Mathieu Lefort via qpv-hpf <qpv-hpf@framalistes.org>\r\n"
                 b"Reply-To: mathieu.lefort@gmail.com\r\nSubject: Point d'etape\r\n"
                 b"Message-ID: <dmarc@x>\r\n\r\nBonjour\r\n")  # Sympa under DMARC
    for raw in [rewritten, *(path.read_bytes() for path in MESSAGES)]:
        msg = parse_message(raw)
        ctx = Context(role="list", author_email=msg.from_email)
        classify(msg, ctx, services.rules, services.guard_env)
        author_of(msg, services.settings.list.address)
    assert MESSAGES
    assert asked <= {f.lower() for f in pipeline.list_fields}


def test_a_post_is_judged_the_same_on_its_fields_as_whole(pipeline) -> None:  # type: ignore[no-untyped-def]
    """GIVEN every sample WHEN classified as a list post from the whole message and from the
    list's header fields only THEN the category, tag and tagging step are the same; but
    for a message the pipeline fetches whole anyway (no From, maybe a bounce or an
    auto-reply), and for the one guard that reads attachments (a list post whose files are
    all empty is tagged, not held)."""
    services = pipeline.services
    compared, differ = 0, []
    for path in MESSAGES:
        raw = path.read_bytes()
        whole = parse_message(raw)
        fields = parse_headers(only_fields(raw, pipeline.list_fields))
        if calls_for_body(fields):
            continue
        compared += 1
        verdicts = []
        for msg in (whole, fields):
            ctx = Context(role="list", author_email=msg.from_email)
            verdict = classify(msg, ctx, services.rules, services.guard_env)
            verdicts.append((verdict.category, verdict.tag, verdict.tag_step))
        if verdicts[0][0] == "malformed" and whole.from_ is not None:
            verdicts[0] = verdicts[1] if verdicts[1][0] == "list_post" else verdicts[0]
        read = [(m.message_id, m.subject, m.from_email, m.date, m.references)
                for m in (whole, fields)]
        if verdicts[0] != verdicts[1] or read[0] != read[1]:
            differ.append((path.stem, verdicts, read))
    assert differ == []
    assert compared >= len(MESSAGES) * 3 // 4


def test_every_fact_has_a_reader() -> None:
    """Every fact of FIELDS but the proof_kind items is read by facts.GETTERS (a new fact
    without a reader would be silently missing)."""
    items = {name for name in FIELDS if name.startswith("item")}
    assert set(GETTERS) == set(FIELDS) - items


def test_imaplib_literals_are_matched_to_their_uids() -> None:
    """UID before the literal, UID after it (in the closing line), and an unsolicited FLAGS
    answer in between: each literal goes to its own UID."""
    lines = [
        (b"1 (UID 7 BODY[HEADER.FIELDS (FROM SUBJECT)] {12}", b"From: a@b\r\n\r\n"),
        b")",
        b"3 (FLAGS (\\Seen))",
        (b"2 (BODY[HEADER.FIELDS (FROM SUBJECT)] {13}", b"Subject: x\r\n\r\n"),
        b" UID 9)",
        (b"4 (UID 12 BODY[HEADER.FIELDS (FROM)] {2}", b"\r\n"),
        b")",
    ]
    assert parse_fetched_literals(lines) == {
        7: b"From: a@b\r\n\r\n", 9: b"Subject: x\r\n\r\n", 12: b"\r\n"}


@pytest.mark.parametrize("value", ["Mon, 1 Jan 0001 00:00:00 +0100",
                                   "Fri, 31 Dec 9999 23:59:59 -0100", "31 Feb 2026 10:00:00 +0000",
                                   "Fri, 19 Nov 2021 09:42:17 +9999"])
def test_dates_at_the_edges_are_utc_instants_or_none(value: str) -> None:
    """A date no UTC instant can hold is None, never an error later when stored."""
    when = parse_date([value])
    assert when is None or when.tzinfo == UTC and when.astimezone(UTC) == when


def test_uid_sets_are_written_in_ranges() -> None:
    assert uid_set([9, 3, 4, 5, 6, 7, 12, 11]) == "3:7,9,11:12"
    assert uid_set([42]) == "42" and uid_set([]) == ""


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)),
       st.integers(min_value=-(14 * 60), max_value=14 * 60))
def test_the_date_fast_path_agrees_with_mail_parser(when: datetime, minutes: int) -> None:
    """GIVEN any RFC 5322 date as clients write it THEN our fast reading equals mail-parser's."""
    value = format_datetime(when.replace(microsecond=0,
                                         tzinfo=timezone(timedelta(minutes=minutes))))
    assert parse_date([value]) == convert_mail_date(value)[0]
    assert parse_date([value]) is not None and parse_date([value]).tzinfo == UTC  # type: ignore[union-attr]
