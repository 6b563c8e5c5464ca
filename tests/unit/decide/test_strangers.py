"""Issue #11, item 2, through the real pipeline: a stranger is answered only when our
server authenticated the From and nothing in the message is hostile; otherwise held
(or quarantined when hostile), no reply, the reason in French."""

from __future__ import annotations

from mailbot.app import App
from mailbot.models import ProcessedMessage
from tests.support.helpers import BOT
from tests.support.subscriptions_kit import AUTHSERV, feed, mail, outbox, rows

STRANGER = "inconnue@exemple-asso.fr"
PASS = f"Authentication-Results: {AUTHSERV}; spf=pass smtp.mailfrom={STRANGER}; dmarc=pass header.from=exemple-asso.fr"


def raw(headers: str, body: str = "Bonjour, une question sur le programme.\n") -> bytes:
    text = (f"{PASS}\n{headers.strip()}\nTo: {BOT}\nSubject: Question\n"
            "Message-ID: <s1@exemple-asso.fr>\nDate: Mon, 2 Mar 2026 09:00:00 +0000\n"
            "MIME-Version: 1.0\n")
    if "Content-Type" not in headers:
        text += "Content-Type: text/plain; charset=utf-8\n"
    return (text + "\n" + body).replace("\n", "\r\n").encode()


def only_row(app: App) -> ProcessedMessage:
    [row] = rows(app, ProcessedMessage)
    return row


def test_authenticated_stranger_is_answered(app: App) -> None:
    feed(app, raw(f"From: Inconnue <{STRANGER}>"))
    assert [r.to_addr for r in outbox(app)] == [STRANGER]


def test_unauthenticated_stranger_is_held_without_reply(app: App) -> None:
    feed(app, mail(STRANGER, "Question", "Bonjour, une question.", authenticated=False))
    assert outbox(app) == []
    row = only_row(app)
    assert row.status == "held" and "non authentifié" in row.reason


def test_no_dmarc_policy_needs_an_aligned_pass(app: App) -> None:
    other = f"Authentication-Results: {AUTHSERV}; spf=pass smtp.mailfrom=x@relais.example; dmarc=none"
    feed(app, mail(STRANGER, "Question", "Bonjour.", headers={"Authentication-Results":
                                                               other.split(": ", 1)[1]}))
    assert outbox(app) == []
    aligned = f"{AUTHSERV}; spf=pass smtp.mailfrom=bounce@mail.exemple-asso.fr; dmarc=none"
    feed(app, mail("autre@exemple-asso.fr", "Question", "Bonjour.",
                   headers={"Authentication-Results": aligned}))
    assert [r.to_addr for r in outbox(app)] == ["autre@exemple-asso.fr"]


def test_path_traversal_attachment_is_quarantined_unanswered(app: App) -> None:
    body = ('--b\nContent-Type: text/plain\n\nCi-joint le compte-rendu.\n--b\n'
            'Content-Type: application/pdf\nContent-Disposition: attachment; '
            'filename="../../etc/cron.d/x.pdf"\nContent-Transfer-Encoding: base64\n\n'
            'JVBERi0xLjQK\n--b--\n')
    feed(app, raw(f'From: <{STRANGER}>\nContent-Type: multipart/mixed; boundary="b"', body))
    assert outbox(app) == []
    row = only_row(app)
    assert row.status == "quarantined" and "pièce jointe" in row.reason


def test_display_name_decoding_to_headers_is_quarantined(app: App) -> None:
    feed(app, raw(f"From: =?utf-8?b?SW5jb25udWUNCkJjYzogdmljdGltZUBleGVtcGxlLm9yZw==?= <{STRANGER}>"))
    assert outbox(app) == []
    row = only_row(app)
    assert row.status == "quarantined" and "inconnue" in row.reason, row.reason


def test_from_line_over_998_characters_is_quarantined(app: App) -> None:
    feed(app, raw(f"From: {'Inconnue ' * 160}<{STRANGER}>"))
    assert outbox(app) == []
    row = only_row(app)
    assert row.status == "quarantined" and "inconnue" in row.reason, row.reason


def test_ten_nested_multiparts_are_quarantined(app: App) -> None:
    body, head = "Bonjour\n", "Content-Type: text/plain\n"
    for level in range(10):
        body = f"--n{level}\n{head}\n{body}\n--n{level}--\n"
        head = f'Content-Type: multipart/mixed; boundary="n{level}"\n'
    feed(app, raw(f"From: <{STRANGER}>\n{head}", body))
    assert outbox(app) == []
    row = only_row(app)
    assert row.status == "quarantined" and "inconnue" in row.reason, row.reason


def test_idn_lookalike_of_a_member_s_domain_is_quarantined(app: App) -> None:
    fake = "terrh\u0430b-conseil.fr".encode("idna").decode()  # Cyrillic "а"
    feed(app, raw(f"From: Claire <claire.berard@{fake}>").replace(
        b"header.from=exemple-asso.fr", f"header.from={fake}".encode()))
    assert outbox(app) == []
    row = only_row(app)
    assert row.status == "quarantined" and "terrhab-conseil.fr" in row.reason
