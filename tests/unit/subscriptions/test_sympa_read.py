"""Reading real Sympa 6.2.70 mail (tests/fixtures/sympa/) by its stable parts: status
words and command lines, whatever the transfer encoding and the line wrapping."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailbot.subscriptions.sympa_read import (
    auth_request,
    compact,
    match_score,
    report_items,
    review_addresses,
    review_count,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sympa"
LONG = "marie-christine.delarochefoucauld-montmorency@association-habitants-quartier.example"


def load(name: str) -> EmailMessage:
    msg = email.message_from_bytes((FIXTURES / f"{name}.eml").read_bytes(),
                                   policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def text(name: str) -> str:
    body = load(name).get_body(("plain",))
    assert body is not None
    return str(body.get_content())


@pytest.mark.parametrize(("name", "expected"), [
    ("01-quiet-add-1-to-bot", [("add_performed", "done"), ("now_subscriber", "done")]),
    ("03-quiet-del-1-to-bot", [("removed", "done")]),
    ("16-add-needs-auth-1-to-bot", [("sent_to_user", "waiting")]),
    ("05-add-already-member-1-to-bot", [(None, "failed")]),
    ("09-del-not-member-1-to-bot", [(None, "failed")]),
    ("lab-add-closed-rejected", [(None, "failed")]),
    ("20-auth-replayed-key-1-to-bot", [(None, "failed")]),
])
def test_status_words_decide_the_outcome(name: str, expected: list[tuple[str | None, str]]) -> None:
    assert [(i.status, i.outcome) for i in report_items(text(name))] == expected


def test_base64_crlf_and_quoted_printable_lf_read_alike() -> None:
    assert load("01-quiet-add-1-to-bot")["Content-Transfer-Encoding"] == "BASE64"
    assert load("lab-long-name-report")["Content-Transfer-Encoding"] == "QUOTED-PRINTABLE"
    [first, _] = report_items(text("01-quiet-add-1-to-bot"))
    assert first.command == "ADD qpv-hpf claire@example.org Claire Dubreuil"


def test_a_command_wrapped_over_three_lines_is_one_command() -> None:
    items = report_items(text("lab-long-name-report"))
    assert [i.status for i in items] == ["add_performed", "now_subscriber"]
    ours = f"QUIET ADD qpv-hpf {LONG} Marie-Christine de La Rochefoucauld-Montmorency"
    assert all(match_score(i, ours) == 1 for i in items)  # the name differs: address match
    full = ours + " Association des habitants du quartier"
    assert all(match_score(i, full) == 2 for i in items)


def test_a_reason_wrapped_inside_the_list_name_stays_a_reason() -> None:
    [item] = report_items(text("09-del-not-member-1-to-bot"))
    assert item.command == "DEL qpv-hpf nobody@example.org"
    assert match_score(item, "QUIET DEL qpv-hpf nobody@example.org") == 2
    assert match_score(item, "QUIET DEL qpv-hpf nobody@example.org.evil") == 0


def test_two_commands_in_one_report_each_found_twice() -> None:
    items = report_items(text("10-two-commands-one-mail-1-to-bot"))
    dan = [i for i in items if match_score(i, "QUIET ADD qpv-hpf dan@example.org Dan Nguyen")]
    eve = [i for i in items if match_score(i, "QUIET ADD qpv-hpf eve@example.org")]
    assert len(dan) == 2 and len(eve) == 2


def test_auth_prefix_and_quiet_do_not_change_the_command() -> None:
    [item] = report_items(text("20-auth-replayed-key-1-to-bot"))
    assert compact(item.command) == compact("QUIET ADD qpv-hpf gina@example.org Gina Rossi")


def test_auth_subject_even_rfc2047_folded() -> None:
    key, command = auth_request(str(load("lab-del-auth-long-address")["Subject"])) or ("", "")
    assert len(key) == 16 and command == f"DEL qpv-hpf {LONG}"
    assert auth_request(str(load("16-add-needs-auth-2-to-bot")["Subject"])) == (
        "bb7a4b419b22a3bd", "ADD qpv-hpf bob@example.org Bob Martin")
    assert auth_request("Résultats de vos commandes") is None
    from mailbot.mime.parse import parse_message  # the subject as the pipeline reads it

    incoming = parse_message((FIXTURES / "lab-del-auth-long-address.eml").read_bytes())
    assert auth_request(incoming.subject) == (key, command)


def test_review_lines_even_wrapped_and_the_count() -> None:
    assert review_addresses(text("lab-review-wrapped"), set()) == [
        (LONG, "Marie-Christine de La Rochefoucauld-Montmorency Association des habitants "
               "du quartier")]
    final = text("39-final-review-1-to-bot")
    assert len(review_addresses(final, set())) == review_count(final) == 6
    assert review_addresses(final, {"bob@example.org"})[0][0] == "claire@example.org"


def test_non_reports_have_no_items() -> None:
    for name in ("31-sub-by-stranger-subscribe-owner-1-to-bot", "35-signoff-by-member-1-to-bot",
                 "02-review-1-to-bot"):
        assert report_items(text(name)) == []


def test_the_sympa_guard_knows_the_robot_and_the_request_address() -> None:
    from mailbot.decide.guards import GuardEnv, Sympa
    from mailbot.mime.parse import parse_message

    env = GuardEnv(bot_address="bot@habitatparticipatif-france.fr",
                   list_address="qpv-hpf@framalistes.org", list_name="qpv-hpf",
                   list_id="qpv-hpf.framalistes.org", sympa_address="sympa@framalistes.org")
    verdicts = {path.stem: Sympa().check(parse_message(path.read_bytes()), env) is not None
                for path in FIXTURES.glob("*.eml")}
    not_sympa = {name for name, hit in verdicts.items() if not hit}
    # a report about another list, the DSN from sympa-request@ (a bounce), a stranger's
    # mail forwarded by -request@
    assert not_sympa == {"13-unknown-list-1-to-bot", "14-unknown-command-1-to-bot",
                         "36-mail-to-list-request-1-to-bot"}
    lookalike = (FIXTURES / "02-review-1-to-bot.eml").read_bytes().replace(
        b"From: qpv-hpf-request@framalistes.org", b"From: qpv-hpf-request@framalistes-org.fr")
    assert Sympa().check(parse_message(lookalike), env) is None
