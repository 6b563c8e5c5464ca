"""Subscription commands through the real pipeline (SQLite, frozen clock):
subscribe, unsubscribe, change of address, confirmations, replays, expiry,
forgeries, and mail we must not act on."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from mailbot.app import App
from mailbot.models import MemberAlias, ProcessedMessage
from mailbot.models.subscriptions import (
    SubscriptionAudit,
    SubscriptionRequest,
    SympaCommand,
)
from tests.support.clock import Clock
from tests.support.helpers import BOT
from tests.support.subscriptions_kit import (
    COTECH,
    LIST,
    SYMPA,
    auth_results,
    feed,
    mail,
    member,
    outbox,
    reply,
    rows,
    text_of,
)

NEW = "lena.garcia@ccas-bron.fr"
REF = re.compile(r"\(réf\. ([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\)$")


@pytest.mark.parametrize("subject,body", [
    ("Inscription liste QPV", "Bonjour,\n\nJe souhaiterais être inscrite à la liste.\n\nLéna"),
    ("subscribe", ""),
    ("Question", "Bonjour, merci de m'inscrire à la liste de diffusion.\n-- \nLéna"),
    ("Re: [qpv-hpf] Atelier", "Pourriez-vous m'abonner à la liste ?"),
    ("Hello", "Please subscribe me to the list, thanks."),
])
def test_subscribe_wordings_send_one_confirmation_to_the_sender(app: App, subject: str,
                                                                 body: str) -> None:
    feed(app, mail(NEW, subject, body, name="Léna Garcia"))
    [conf] = outbox(app)
    assert conf.kind == "confirm_subscribe" and conf.to_addr == NEW
    assert REF.search(conf.subject) and conf.subject.startswith(
        "[QPV] Confirmez votre inscription (réf. ")
    assert member(app, NEW).status == "pending"  # type: ignore[union-attr]


def test_subscribe_confirmed_by_reply_adds_on_sympa_with_audit(app: App) -> None:
    feed(app, mail(NEW, "Inscription", "je souhaite être inscrite", name="Léna Garcia"))
    [conf] = outbox(app)
    reference = REF.search(conf.subject).group(1)  # type: ignore[union-attr]
    assert conf.message_id.startswith(f"confirm.{reference}.")
    feed(app, reply(conf, NEW, "Je confirme mon inscription."))
    assert member(app, NEW).status == "active"  # type: ignore[union-attr]
    [command] = outbox(app, "sympa_command")
    assert command.to_addr == SYMPA and command.subject == f"QUIET ADD qpv-hpf {NEW} Léna Garcia"
    assert b"From: AMI QPV" in command.raw and BOT.encode() in command.raw
    [done] = outbox(app, "confirm_result")
    assert done.to_addr == NEW and done.subject == "[QPV] Inscription confirmée"
    trail = [(a.state, a.asked_by, a.confirmed_by) for a in rows(app, SubscriptionAudit)]
    assert trail == [("requested", NEW, None), ("confirmed", NEW, NEW)]


def test_replayed_confirmation_does_nothing_more(app: App) -> None:
    feed(app, mail(NEW, "subscribe", ""))
    [conf] = outbox(app)
    feed(app, reply(conf, NEW, "ok"))
    feed(app, reply(conf, NEW, "ok, je confirme encore"))
    assert len(outbox(app, "sympa_command")) == 1
    answers = outbox(app, "confirm_result")
    assert [a.subject for a in answers] == ["[QPV] Inscription confirmée",
                                            f"[QPV] Référence {conf.subject[-10:-1]} déjà utilisée"]


def test_expired_reference_changes_nothing_and_says_so(app: App, clock: Clock) -> None:
    feed(app, mail(NEW, "subscribe", ""))
    [conf] = outbox(app)
    clock.advance(days=8)
    feed(app, reply(conf, NEW, "oui"))
    [answer] = outbox(app, "confirm_result")
    assert "expirée" in answer.subject and "rien n'a été changé" in text_of(answer)
    assert outbox(app, "sympa_command") == []
    assert member(app, NEW) is None  # never confirmed: no roster row left


def test_refusal_cancels_the_request(app: App) -> None:
    feed(app, mail(NEW, "subscribe", ""))
    [conf] = outbox(app)
    feed(app, reply(conf, NEW, "Non, ce n'est pas moi."))
    assert "annulée" in outbox(app, "confirm_result")[0].subject
    assert member(app, NEW) is None and outbox(app, "sympa_command") == []


def test_unsubscribe_confirmed_goes_to_the_members_address(app: App) -> None:
    victim = "fatou.diallo@hotmail.fr"
    feed(app, mail(victim, "Désinscription", "Merci de me retirer de la liste qpv-hpf."))
    [conf] = outbox(app)
    assert conf.kind == "confirm_unsubscribe" and conf.to_addr == victim
    assert conf.subject.startswith("[QPV] Confirmez votre désinscription (réf. ")
    feed(app, reply(conf, victim, "Je confirme"))
    assert member(app, victim).status == "left"  # type: ignore[union-attr]
    [command] = outbox(app, "sympa_command")
    assert command.subject == f"QUIET DEL qpv-hpf {victim}"


def test_nobody_can_unsubscribe_someone_else(app: App) -> None:
    """GIVEN an attacker naming a member WHEN processed THEN refused, member untouched."""
    victim = "fatou.diallo@hotmail.fr"
    feed(app, mail("mallory@evil.example", "unsubscribe", f"unsubscribe {victim}"))
    assert [r.kind for r in outbox(app)] == ["command_result"]
    assert outbox(app, to=victim) == []
    assert member(app, victim).status == "active"  # type: ignore[union-attr]


def test_forged_from_gets_confirmation_to_victim_and_cannot_confirm(app: App) -> None:
    """GIVEN a forged From: victim WHEN the attacker replies with the reference from
    elsewhere THEN nothing happens to the victim."""
    victim = "fatou.diallo@hotmail.fr"
    feed(app, mail(victim, "unsubscribe", ""))
    [conf] = outbox(app)
    assert conf.to_addr == victim  # only the affected address hears of it
    feed(app, reply(conf, "mallory@evil.example", "oui je confirme"))
    [answer] = outbox(app, "confirm_result")
    assert answer.to_addr == "mallory@evil.example" and "non prise en compte" in answer.subject
    assert member(app, victim).status == "active"  # type: ignore[union-attr]
    assert outbox(app, "sympa_command") == []


def test_dmarc_fail_from_our_server_holds_without_acting(app: App) -> None:
    raw = mail("fatou.diallo@hotmail.fr", "unsubscribe", "", headers=auth_results("fail"))
    feed(app, raw)
    assert outbox(app) == []
    [row] = rows(app, ProcessedMessage)
    assert row.status == "held" and "DMARC" in row.reason


def test_bulk_mail_with_unsubscribe_words_is_never_acted_on(app: App) -> None:
    feed(app, mail("news@letter.example", "Newsletter", "To unsubscribe click here",
                   headers={"Precedence": "bulk", "List-Unsubscribe": "<mailto:x@y>"}))
    assert outbox(app) == []


def test_change_of_address_confirmed_from_the_new_address(app: App) -> None:
    old, new = "yann.legoff@ecohabitat-bzh.org", "yann.legoff@reseau-hp-bretagne.bzh"
    feed(app, mail(old, "Changement d'adresse mail",
                   f"Bonjour,\n\nÀ partir du 1er décembre, ma nouvelle adresse est {new}.\n\nYann"))
    [conf] = outbox(app, "confirm_change_address")
    assert conf.to_addr == new
    assert conf.subject.startswith("[QPV] Confirmez votre changement d'adresse (réf. ")
    [told] = outbox(app, "command_result")
    assert told.to_addr == old and new in told.subject
    feed(app, reply(conf, old, "oui"))  # from the OLD address: not accepted
    assert member(app, old).email == old  # type: ignore[union-attr]
    feed(app, reply(conf, new, "Je confirme"))
    moved = member(app, new)
    assert moved is not None and moved.email == new and moved.group == "GT"
    assert member(app, old).id == moved.id  # type: ignore[union-attr]  (old kept as alias)
    assert [a.email for a in rows(app, MemberAlias)] == [old]
    assert [c.subject for c in outbox(app, "sympa_command")] == [
        f"QUIET ADD qpv-hpf {new} Yann Le Goff", f"QUIET DEL qpv-hpf {old}"]
    history = [(a.action, a.state, a.address, a.new_address) for a in rows(app, SubscriptionAudit)]
    assert ("change_address", "confirmed", old, new) in history


def test_change_to_an_address_of_someone_else_is_refused(app: App) -> None:
    feed(app, mail("yann.legoff@ecohabitat-bzh.org", "nouvelle adresse",
                   "ma nouvelle adresse est pascale.martin@anct.gouv.fr"))
    [answer] = outbox(app)
    assert answer.kind == "command_result" and "déjà utilisée" in answer.subject
    assert rows(app, SubscriptionRequest) == []


def test_unclear_message_gets_help_not_a_guess(app: App) -> None:
    feed(app, mail("karim.belkacem@orange.fr", "aide", ""))
    [helpmail] = outbox(app)
    assert helpmail.kind == "help" and helpmail.subject == "[QPV] Gérer votre abonnement à la liste"
    assert "«\u00a0inscription\u00a0»" in text_of(helpmail)


def test_command_posted_to_the_list_gets_one_private_note(app: App) -> None:
    raw = mail("fatou.diallo@hotmail.fr", "[qpv-hpf] unsubscribe", "", to=LIST,
               headers={"List-Id": "<qpv-hpf.framalistes.org>", "Precedence": "list"})
    feed(app, raw, role="list")
    [note] = outbox(app)
    assert note.kind == "list_command_note" and note.to_addr == "fatou.diallo@hotmail.fr"
    assert member(app, "fatou.diallo@hotmail.fr").status == "active"  # type: ignore[union-attr]
    feed(app, mail("fatou.diallo@hotmail.fr", "[qpv-hpf] Inscription à l'atelier du 12",
                   "Bonjour à tous, l'inscription à l'atelier est ouverte jusqu'au 10.\n"
                   "Le programme est en pièce jointe.\nÀ bientôt", to=LIST,
                   headers={"List-Id": "<qpv-hpf.framalistes.org>"}), role="list")
    assert len(outbox(app)) == 1 and all(r.to_addr != LIST for r in outbox(app))


def test_sync_off_tells_the_cotech_instead_of_sympa(make_app: Callable[..., App]) -> None:
    app = make_app(extra='[list]\nsync = "off"\n')
    feed(app, mail(NEW, "subscribe", ""))
    feed(app, reply(outbox(app)[0], NEW, "oui"))
    assert outbox(app, to=SYMPA) == []
    [manual] = outbox(app, "list_manual")
    assert manual.to_addr == COTECH and NEW in manual.subject
    assert [c.state for c in rows(app, SympaCommand)] == ["manual"]


def test_replies_to_our_answers_no_ping_pong(app: App) -> None:
    feed(app, mail(NEW, "subscribe", ""))
    feed(app, reply(outbox(app)[0], NEW, "oui"))
    [done] = outbox(app, "confirm_result")
    feed(app, reply(done, NEW, "Merci beaucoup !"))  # "Re: [QPV] Inscription confirmée"
    assert outbox(app, to=NEW)[-1].id == done.id  # nothing more to say
    assert rows(app, ProcessedMessage)[-1].status == "held"
    feed(app, mail("karim.belkacem@orange.fr", "aide", ""))
    [helpmail] = outbox(app, "help")
    feed(app, reply(helpmail, "karim.belkacem@orange.fr", "désinscription"))
    assert outbox(app, "confirm_unsubscribe", to="karim.belkacem@orange.fr")


def test_unknown_references_get_a_clear_answer(app: App) -> None:
    feed(app, mail(NEW, "Re: [QPV] Confirmez votre inscription (réf. K7Q2-9XHD)", "oui"))
    assert outbox(app)[-1].subject == "[QPV] Référence introuvable"
    feed(app, mail(NEW, "Re: [QPV] Confirmez votre adresse (réf. K7Q2-9XHD)", "OK"))
    assert "référence introuvable" in outbox(app)[-1].subject
    assert rows(app, ProcessedMessage)[-1].status == "held"
