"""Issue #11, item 4: a request about another address is confirmed by THAT address
(DESIGN.md §5), one test per command path; Sympa's syntax and a réf. written in a new
message are understood; bulk mail, even from HPF's own domain, is never a command;
and (item 5) a message without Message-ID gets no invented In-Reply-To."""

from __future__ import annotations

import email
import email.policy
import re

from mailbot.app import App
from tests.support.subscriptions_kit import feed, mail, member, outbox, reply

ASKER = "j.roux@atelier-commun.org"
COLLEAGUE = "thomas.keller@laposte.net"
REF = re.compile(r"\(réf\. ([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\)$")


def test_subscribing_a_colleague_is_confirmed_by_the_colleague(app: App) -> None:
    feed(app, mail(ASKER, "Inscription", "Merci d'inscrire ma collègue marie.nouvelle@example.fr"))
    [conf] = outbox(app, "confirm_subscribe")
    assert conf.to_addr == "marie.nouvelle@example.fr"
    feed(app, reply(conf, ASKER, "Je confirme pour elle"))
    assert member(app, "marie.nouvelle@example.fr").status == "pending"  # type: ignore[union-attr]
    feed(app, reply(conf, "marie.nouvelle@example.fr", "Je confirme"))
    assert member(app, "marie.nouvelle@example.fr").status == "active"  # type: ignore[union-attr]


def test_unsubscribing_a_colleague_who_left_is_confirmed_by_the_colleague(app: App) -> None:
    feed(app, mail(ASKER, f"Désinscription de {COLLEAGUE}", "Il a quitté la structure."))
    [conf] = outbox(app, "confirm_unsubscribe")
    assert conf.to_addr == COLLEAGUE
    assert [r.to_addr for r in outbox(app, "command_result")] == [ASKER]  # "confirm_sent"
    feed(app, reply(conf, ASKER, "Je confirme"))
    assert member(app, COLLEAGUE).status == "active"  # type: ignore[union-attr]
    feed(app, reply(conf, COLLEAGUE, "Je confirme"))
    assert member(app, COLLEAGUE).status == "left"  # type: ignore[union-attr]


def test_a_colleague_s_new_address_is_confirmed_from_the_new_address(app: App) -> None:
    new = "thomas.keller@nouvelle-structure.fr"
    feed(app, mail(ASKER, "Changement d'adresse",
                   f"La nouvelle adresse de Thomas ({COLLEAGUE}) est {new}"))
    [conf] = outbox(app, "confirm_change_address")
    assert conf.to_addr == new
    assert COLLEAGUE in [r.to_addr for r in outbox(app, "command_result")]  # the old one told
    assert member(app, ASKER).email == ASKER  # type: ignore[union-attr]
    feed(app, reply(conf, ASKER, "Je confirme"))
    assert member(app, new) is None
    feed(app, reply(conf, new, "Je confirme"))
    assert member(app, new).email == new  # type: ignore[union-attr]


def test_sympa_del_about_a_colleague_asks_the_colleague(app: App) -> None:
    feed(app, mail(ASKER, "", f"QUIET DEL qpv-hpf {COLLEAGUE}"))
    [conf] = outbox(app, "confirm_unsubscribe")
    assert conf.to_addr == COLLEAGUE


def test_sympa_signoff_mailed_to_the_bot_is_an_unsubscribe(app: App) -> None:
    feed(app, mail(COLLEAGUE, "SIGNOFF qpv-hpf", ""))
    [conf] = outbox(app, "confirm_unsubscribe")
    assert conf.to_addr == COLLEAGUE


def test_sympa_sub_with_a_name_is_a_subscribe(app: App) -> None:
    feed(app, mail("claire.dubreuil@example.fr", "", "SUB qpv-hpf Claire Dubreuil"))
    [conf] = outbox(app, "confirm_subscribe")
    assert conf.to_addr == "claire.dubreuil@example.fr"


def test_sympa_syntax_for_another_list_changes_nothing(app: App) -> None:
    feed(app, mail(COLLEAGUE, "SIGNOFF autre-liste", ""))
    assert outbox(app, "confirm_unsubscribe") == []
    assert member(app, COLLEAGUE).status == "active"  # type: ignore[union-attr]


def test_reference_in_a_new_message_confirms_like_a_reply(app: App) -> None:
    feed(app, mail(COLLEAGUE, "Désinscription", "Merci de me retirer de la liste."))
    [conf] = outbox(app, "confirm_unsubscribe")
    match = REF.search(conf.subject)
    assert match is not None
    feed(app, mail(COLLEAGUE, "Confirmation", f"Je confirme, réf. {match.group(1)}"))
    assert member(app, COLLEAGUE).status == "left"  # type: ignore[union-attr]


def test_reference_in_a_new_message_from_someone_else_confirms_nothing(app: App) -> None:
    feed(app, mail(COLLEAGUE, "Désinscription", "Merci de me retirer de la liste."))
    [conf] = outbox(app, "confirm_unsubscribe")
    match = REF.search(conf.subject)
    assert match is not None
    feed(app, mail(ASKER, "Confirmation", f"Je confirme, réf. {match.group(1)}"))
    assert member(app, COLLEAGUE).status == "active"  # type: ignore[union-attr]


def test_newsletter_from_hpf_s_own_domain_is_never_a_command(app: App) -> None:
    outcome = feed(app, mail("lettre@habitatparticipatif-france.fr", "Désinscription et inscription",
                             "Pour vous désinscrire de cette lettre, cliquez ici.",
                             headers={"List-Unsubscribe": "<https://hpf.example/unsub>",
                                      "Precedence": "bulk"}))
    assert outcome.category != "command" and outcome.replies == 0
    assert outbox(app) == []


def test_no_message_id_no_invented_in_reply_to(app: App) -> None:
    raw = mail(COLLEAGUE, "Aide", "")
    raw = re.sub(rb"(?im)^Message-ID:[^\n]*\n", b"", raw)
    feed(app, raw)
    [answer] = outbox(app)
    sent = email.message_from_bytes(answer.raw, policy=email.policy.default)
    assert sent["In-Reply-To"] is None and sent["References"] is None


def test_a_stranger_naming_a_member_is_refused_and_the_member_not_written_to(app: App) -> None:
    feed(app, mail("mallory@evil.example", "Désinscription", f"unsubscribe {COLLEAGUE}"))
    assert outbox(app, to=COLLEAGUE) == []
    assert [r.kind for r in outbox(app)] == ["command_result"]
    assert member(app, COLLEAGUE).status == "active"  # type: ignore[union-attr]
