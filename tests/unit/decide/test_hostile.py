"""Hostile or malformed traits of a stranger's mail: each check, and a clean mail passing."""

from __future__ import annotations

from mailbot.decide.hostile import findings, skeleton_of
from mailbot.mime.incoming import Incoming
from mailbot.mime.parse import parse_message

OURS = ("habitatparticipatif-france.fr", "terrhab-conseil.fr")


def parsed(raw: bytes) -> Incoming:
    msg = parse_message(raw)
    msg.raw = raw
    return msg


def mail(headers: str, body: str = "Bonjour\n") -> Incoming:
    text = headers.strip() + "\nTo: bot@example.org\nSubject: Bonjour\nMessage-ID: <t@x>\n\n" + body
    return parsed(text.replace("\n", "\r\n").encode())


def test_a_clean_mail_has_no_findings() -> None:
    assert findings(mail("From: Claire <claire@example.fr>"), OURS) == []


def test_path_traversal_attachment_name() -> None:
    body = ('--b\nContent-Type: text/plain\n\nci-joint\n--b\nContent-Type: application/pdf; '
            'name="x.pdf"\nContent-Disposition: attachment; filename="../../etc/passwd.pdf"\n'
            "Content-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n")
    msg = mail('From: a@example.fr\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"',
               body)
    assert any("pièce jointe" in f for f in findings(msg, OURS))


def test_encoded_display_name_hiding_headers() -> None:
    # "Claire\r\nBcc: victim@example.org" in base64
    msg = mail("From: =?utf-8?b?Q2xhaXJlDQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?= <a@example.fr>")
    assert any("nom d'expéditeur" in f for f in findings(msg, OURS))


def test_from_line_over_998_characters() -> None:
    msg = mail(f"From: {'x' * 1400} <a@example.fr>")
    assert any("998" in f for f in findings(msg, OURS))


def test_multiparts_nested_ten_deep() -> None:
    body, head = "Bonjour\n", 'Content-Type: text/plain\n\n'
    for level in range(10):
        body = f"--b{level}\n{head}{body}\n--b{level}--\n"
        head = f'Content-Type: multipart/mixed; boundary="b{level}"\n\n'
    msg = mail(f"From: a@example.fr\nMIME-Version: 1.0\n{head.strip()}", body)
    assert any("imbriquées" in f for f in findings(msg, OURS))


def test_idn_lookalike_of_our_domain() -> None:
    fake = "habitatparticipatif-france.fr".replace("a", "\u0430", 1).encode("idna").decode()
    msg = mail(f"From: HPF <cotech@{fake}>")
    assert any("imitant habitatparticipatif-france.fr" in f for f in findings(msg, OURS))


def test_skeleton_reads_cyrillic_as_latin() -> None:
    assert skeleton_of("terrh\u0430b-c\u043ens\u0435il.fr") == "terrhab-conseil.fr"
