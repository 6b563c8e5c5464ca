"""The subscriptions domain's mail: every kind renders in text and HTML, with the
exact subjects of the issue, French typography, and escaped HTML."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from mailbot.mail.render import Renderer
from tests.support.helpers import ROOT

WHEN = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
BASE = {"first_name": "Léna", "bot_address": "bot@x.fr", "cotech_address": "cotech@x.fr",
        "list_address": "qpv-hpf@framalistes.org", "list_name": "qpv-hpf",
        "subject": "s", "received_at": WHEN}
REF = {"reference": "K7Q2-9XHD", "address": "lena@x.fr", "old_address": "old@x.fr",
       "expires_at": WHEN, "asked_by": "lena@x.fr", "deadline": WHEN, "action": "subscribe",
       "new_address": "new@x.fr", "sync": "sympa", "member_address": "lena@x.fr"}
CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("confirm_subscribe", {}, "[QPV] Confirmez votre inscription (réf. K7Q2-9XHD)"),
    ("confirm_unsubscribe", {}, "[QPV] Confirmez votre désinscription (réf. K7Q2-9XHD)"),
    ("confirm_change_address", {}, "[QPV] Confirmez votre changement d'adresse (réf. K7Q2-9XHD)"),
    ("refresh_request", {}, "[QPV] Confirmez votre adresse (réf. K7Q2-9XHD)"),
    ("refresh_reminder", {}, "[QPV] Rappel\u00a0: confirmez votre adresse (réf. K7Q2-9XHD)"),
    ("help", {"understood": False, "member": True}, "[QPV] Gérer votre abonnement à la liste"),
    ("list_command_note", {"post_subject": "unsubscribe"}, None),
    ("list_manual", {"action": "ADD", "name": "Léna", "command": "QUIET ADD qpv-hpf lena@x.fr"},
     "[QPV] À faire sur la liste\u00a0: ajouter lena@x.fr"),
    ("sympa_done", {"sympa_wrote": True}, "[QPV] C'est fait\u00a0: vous êtes inscrit·e à la liste"),
    ("sympa_done", {"action": "change_address", "sympa_wrote": False},
     "[QPV] C'est fait\u00a0: la liste écrit désormais à lena@x.fr"),
    ("sympa_refused", {"action": "ADD", "command": "QUIET ADD qpv-hpf lena@x.fr", "detail": "",
                       "checked": True}, "[QPV] Sympa a refusé\u00a0: ajouter lena@x.fr"),
    ("sympa_refused", {"action": "REVIEW", "command": "REVIEW qpv-hpf", "detail": "inconnue",
                       "checked": False}, "[QPV] Sympa a refusé\u00a0: REVIEW qpv-hpf"),
    ("refresh_report", {"counts": {s: 1 for s in ("kept", "changed", "changing", "bounced",
                                                 "silent", "left")},
                        "groups": {s: [] for s in ("changed", "changing", "bounced", "silent")},
                        "total": 6, "started_at": WHEN}, "[QPV] Mise à jour des adresses\u00a0: bilan"),
]
OUTCOMES = {
    "command_result": ["confirm_sent", "already_subscribed", "not_subscribed", "not_yours",
                       "need_address", "same_address", "address_taken", "change_notice"],
    "confirm_result": ["confirmed", "used", "expired", "cancelled", "refused", "wrong_confirmer",
                       "taken", "bounced", "unknown"],
    "refresh_result": ["kept", "change_sent", "stop_sent", "stopped", "unclear", "removed", "left",
                       "already_changed", "taken", "unknown"],
}
for _kind, _outcomes in OUTCOMES.items():
    for _outcome in _outcomes:
        CASES.append((_kind, {"outcome": _outcome}, None))
JINJA = re.compile(r"\{[{%].*?[%}]\}")


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(ROOT / "templates")


@pytest.mark.parametrize("kind,extra,subject", CASES, ids=[f"{c[0]}-{c[1].get('outcome', '')}"
                                                           for c in CASES])
def test_renders(renderer: Renderer, kind: str, extra: dict[str, Any], subject: str | None) -> None:
    mail = renderer.render(kind, **{**BASE, **REF, **extra})
    if subject is not None:
        assert mail.subject == subject
    assert mail.subject.startswith("[QPV] ")
    assert not re.search(r" [:;!?»]", mail.subject), mail.subject
    assert mail.text.startswith("Bonjour Léna,\n\n")
    assert mail.html is not None and "Bonjour Léna," in mail.html
    body = mail.text.split("\n--\n")[0]
    assert not re.search(r" [:;!?»]", body), body  # no-break space before : ; ! ? »
    assert "« " not in body
    assert len(body.strip()) > 40


def test_sympa_command_is_the_bare_command(renderer: Renderer) -> None:
    mail = renderer.render("sympa_command", **BASE, command="QUIET DEL qpv-hpf a@b.fr")
    assert mail.subject == "QUIET DEL qpv-hpf a@b.fr" and mail.html is None
    assert mail.text.splitlines() == ["QUIET DEL qpv-hpf a@b.fr", "QUIT"]


def test_html_escapes_what_people_wrote(renderer: Renderer) -> None:
    mail = renderer.render("list_command_note", **{**BASE, **REF, "action": "help",
                                                   "post_subject": "<script>x</script>"})
    assert mail.html is not None and "<script>" not in mail.html and "&lt;script&gt;" in mail.html


def test_every_template_file_is_covered(renderer: Renderer) -> None:
    ours = {c[0] for c in CASES} | {"sympa_command"}
    for kind in ours:
        assert renderer.has(kind), kind
