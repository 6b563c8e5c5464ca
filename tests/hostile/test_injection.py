"""Header injection: CR/LF in a display name or a subject never reaches an outgoing header.

Two levels: `outbox.compose` with any text at all (hypothesis: CR, LF, NUL,
U+2028, U+0085, encoded words) as the recipient's name, the subject and an extra
header; and the whole pipeline, where a member writes with a display name and a
subject encoded twice (the decoded text is itself an RFC 2047 word for
"...\\r\\nBcc: victim") and gets the bot's reply.
"""

from __future__ import annotations

from email import message_from_bytes
from email.parser import BytesHeaderParser
from email.policy import default
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from mailbot.models import OutboxMessage
from mailbot.mail.outbox import Identity, compose
from mailbot.mail.render import Rendered
from mailbot.sources import Envelope
from tests.support.mailgen import rewrite, sample
from tests.support.helpers import maildir_app

EXPECTED = {"from", "to", "subject", "date", "message-id", "in-reply-to", "references",
            "auto-submitted", "x-auto-response-suppress", "x-loop", "x-mailer", "x-test",
            "mime-version", "content-type", "content-transfer-encoding"}
TOKENS = list("abcé :;<>@\"'=?\r\n\t\x00\x0b\x0c\u2028\u2029\u0085") + [
    "Bcc: v@x.org", "\r\nX-Evil: 1", "=?utf-8?q?=0D=0A?=", "\r\n\r\n"]
nasty = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)


def headers_of(raw: bytes) -> list[tuple[str, str]]:
    return [(k.lower(), str(v)) for k, v in BytesHeaderParser().parsebytes(raw).items()]


@settings(max_examples=500, deadline=None)
@given(name=nasty, subject=nasty, extra=nasty)
def test_compose_keeps_every_header_on_one_line(name: str, subject: str, extra: str) -> None:
    """GIVEN any name, subject and extra header value WHEN a reply is composed THEN the
    message has exactly our headers, each a single logical line."""
    me = Identity("preuves-qpv@habitatparticipatif-france.fr", name or "Robot")
    msg = compose(me, "victim@example.org", Rendered(subject=subject, text="Bonjour", html=None),
                  to_name=name, in_reply_to=f"id{extra}@x", references=[extra],
                  extra={"X-Test": extra})
    raw = bytes(msg)
    found = headers_of(raw)
    assert {k for k, _ in found} <= EXPECTED, found
    for key, value in found:
        unfolded = value.replace("\r\n ", " ").replace("\n ", " ").replace("\r\n\t", " ")
        assert "\n" not in unfolded and "\r" not in unfolded, (key, value)
    parsed = message_from_bytes(raw, policy=default)
    assert parsed["To"].addresses[0].addr_spec == "victim@example.org"


def test_member_with_injected_name_and_subject_gets_a_clean_reply(tmp_path: Path) -> None:
    """GIVEN a question whose display name and subject decode to CRLF + 'Bcc:' WHEN the bot
    answers THEN the reply has no Bcc or smuggled header, and goes only to the sender."""
    app = maildir_app(tmp_path)
    # encoded twice: decoded once by our parser, the text is itself an RFC 2047 word that
    # the email package would decode again into CR/LF when writing the reply
    raw = rewrite(sample("inbox", "other-question-to-bot"), {
        "From": '"=?utf-8?b?PT91dGYtOD9xP0thcmltPTBEPTBBQmNjOl92aWN0aW1AZXhhbXBsZS5vcmc/PQ==?=" <camille.petit@orange.fr>',  # not on the roster: her own name is used
        "Subject": "=?utf-8?b?PT91dGYtOD9xP1F1ZXN0aW9uPTBEPTBBQmNjOl92aWN0aW1AZXhhbXBsZS5vcmc9MEQ9MEFYLUV2aWw6XzE/PQ==?=",
        "Message-ID": "<inject-1@orange.fr>"}, drop=("Reply-To",))
    env = Envelope("inbox", "INBOX", 1, 1, "", len(raw), "inject@localhost")
    app.pipeline.process(env, raw, False, lambda: raw)
    with Session(app.engine) as s:
        replies = list(s.exec(select(OutboxMessage)).all())
    assert replies, "the question should have been answered"
    for reply in replies:
        found = headers_of(reply.raw)
        names = {k for k, _ in found}
        assert "bcc" not in names and "x-evil" not in names, found
        assert b"\nBcc:" not in reply.raw and b"\nX-Evil:" not in reply.raw
        assert reply.to_addr == "camille.petit@orange.fr"
        for key, value in found:
            assert "\n" not in value.replace("\r\n ", " ").replace("\n ", " "), (key, value)
    app.engine.dispose()
