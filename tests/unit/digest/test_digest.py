"""The digest's content: period, threads, untagged posts, held messages, dossiers,
reminders, subscriptions, totals; degraded sections; queueing."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from mailbot.digest import collect, send
from mailbot.models import OutboxMessage
from mailbot.models.jobs import DigestSent
from mailbot.services import Services
from tests.support.apps import make_services
from tests.support.clock import Clock
from tests.unit.digest.test_digest_data import (
    COTECH, END, PARIS, START, FakeDossier, seed_week,
)


@pytest.fixture
def clock() -> Clock:
    return Clock(END)


@pytest.fixture
def services(services: Services) -> Services:
    """The shared services, with the fixed week seeded."""
    with Session(services.engine) as s:
        seed_week(s)
        s.commit()
    return services


def test_clean_subject() -> None:
    assert collect.clean_subject("Re: [qpv-hpf] TR : Formulaire") == "Formulaire"
    assert collect.clean_subject("RE: Re: Fwd: [GO]  Logistique\n du 2 avril") == \
        "Logistique du 2 avril"
    assert collect.clean_subject("  ") == "(sans objet)"


def test_period_is_since_the_last_digest_or_seven_days(services: Services) -> None:
    with Session(services.engine) as s:
        assert send.period(s, END) == (START - timedelta(hours=1), END)  # 168 h in UTC
        assert send.period(s, END, tz=PARIS) == (START, END)  # Monday 08:00, summer time
        s.add(DigestSent(period_start=START - timedelta(days=7), period_end=START))
        s.commit()
        assert send.period(s, END + timedelta(days=9)) == (START, END + timedelta(days=9))
        assert send.period(s, END, since=START + timedelta(days=1))[0] == START + timedelta(days=1)


def test_the_weeks_threads_and_untagged_posts(services: Services,
                                              fake_domains: list[FakeDossier]) -> None:
    with Session(services.engine) as s:
        d = send.build_digest(s, services, START, END)
    assert list(d.threads) == ["GO", "GT", "HABITANTS"]
    go = [(t.subject, t.messages, t.participants) for t in d.threads["GO"]]
    assert go == [("Formulaire de mission", 3, ["Mathieu Lefort", "Sandrine Nguyen"]),
                  ("Logistique du 2 avril", 1, ["Claire Bérard"])]
    assert [(t.subject, t.messages) for t in d.threads["GT"]] == \
        [("Compte-rendu du GT du 24 mars", 2)]
    assert [(p.author, p.subject) for p in d.unclassified] == \
        [("inconnu@exemple.fr", "Question sur l'AMI")]
    assert d.totals.posts == 8  # the post of 20 March is outside the period


def test_held_and_quarantined_with_their_reason(services: Services,
                                                fake_domains: list[FakeDossier]) -> None:
    with Session(services.engine) as s:
        d = send.build_digest(s, services, START, END)
    assert [(h.status, h.sender, h.reason) for h in d.held] == [
        ("held", "karim.belkacem@orange.fr", "message non reconnu"),
        ("held", "inconnu@exemple.fr", "expéditeur inconnu : absent de l'annuaire"),
        ("quarantined", "expéditeur inconnu", "MalformedMessage: no From header"),
    ]


def test_dossiers_reminders_and_totals(services: Services,
                                       fake_domains: list[FakeDossier]) -> None:
    with Session(services.engine) as s:
        d = send.build_digest(s, services, START, END)
    assert d.dossiers is not None
    by_name = {x.name: x for x in d.dossiers}
    assert [x.name for x in d.dossiers if x.started] == [
        "Claire Bérard", "Élodie Marchand", "Karim Belkacem", "Mathieu Lefort", "Sandrine Nguyen"]
    assert [x.name for x in d.dossiers if not x.started] == ["Thomas Keller"]
    assert by_name["Mathieu Lefort"].reminders == 1
    assert by_name["Élodie Marchand"].invoice_ok is False
    assert by_name["Sandrine Nguyen"].missing == "émargement, mission"
    assert d.totals.days_claimable == 2 and d.totals.fees_eur == Decimal("1200.00")
    assert d.totals.amount_due_eur == Decimal("1401.00")  # complete dossiers
    assert d.totals.tickets_pending_eur == Decimal("89.50")
    assert [(r.name, r.label) for r in d.reminders] == [
        ("Mathieu Lefort", "relance facture n° 1"),
        ("Claire Bérard", "billets à facturer sans attendre")]
    assert [(r.name, r.detail) for r in d.reminders_held] == [
        ("Sandrine Nguyen", "réponse automatique reçue (absence\u00a0?)")]
    assert d.subscriptions is not None and len(d.subscriptions.changes) == 2


def test_missing_domains_are_said_not_hidden(services: Services,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # A section whose domain could not be read is said, not hidden (see the next test).
    monkeypatch.setattr(send, "_dossiers", lambda session, settings: None)
    monkeypatch.setattr(send, "_subscriptions", lambda session, start, end, tz: None)
    with Session(services.engine) as s:
        d = send.build_digest(s, services, START, END)
    assert d.dossiers is None and d.subscriptions is None and d.reminders_held == []
    text = send.render_digest(services, d).text
    assert "Le suivi des dossiers n'est pas encore disponible." in text
    assert "Le suivi des abonnements n'est pas encore disponible." in text
    assert "Journées de sensibilisation" not in text


def test_a_failing_domain_costs_one_section_not_the_digest(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(session: Session, settings: object) -> None:
        raise KeyError("fee")

    monkeypatch.setattr(send, "compute_dossiers", boom)
    monkeypatch.setattr(send, "period_report", lambda s, a, b: None)
    with Session(services.engine) as s:
        d = send.build_digest(s, services, START, END)
    assert d.dossiers is None
    assert d.notes == ["Impossible de construire les dossiers des AMO (KeyError\u00a0: 'fee')."]
    assert "Attention\u00a0: Impossible de construire les dossiers" in \
        send.render_digest(services, d).text


def test_the_domains_are_imported_not_looked_up_by_name() -> None:
    # A broken proofs or subscriptions module now fails at import, loudly (issue #10):
    # the digest calls them directly (tests/unit/test_architecture.py checks every module).
    from mailbot.proofs.dossiers import compute_dossiers
    from mailbot.subscriptions.report import period_report

    assert send.compute_dossiers is compute_dossiers and send.period_report is period_report


def test_send_queues_one_mail_per_recipient_and_records_the_period(
        tmp_path: Path, fake_domains: list[FakeDossier]) -> None:
    svc = make_services(tmp_path, Clock(END), {"cotech": {
        "recipients": [COTECH, "helene.garnier@habitatparticipatif-france.fr"]}})
    with Session(svc.engine) as s:
        seed_week(s)
        result = send.send_digest(s, svc)
        s.commit()
        rows = s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        sent = s.exec(select(DigestSent)).one()
    assert result == ("envoyée à 2 destinataire(s), période du 23/03/2026 08:00 "
                      "au 30/03/2026 08:00")
    assert [r.to_addr for r in rows] == [COTECH, "helene.garnier@habitatparticipatif-france.fr"]
    assert rows[0].key == f"digest:2026-03-30T06:00:00+00:00:{COTECH}"
    assert (sent.period_start, sent.period_end) == (START, END)
    msg = email.message_from_bytes(rows[0].raw, policy=email.policy.default)
    assert msg["Subject"] == ("[QPV] Synthèse de la semaine (3 à traiter) — "
                              "du 23 mars 2026 au 30 mars 2026")
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]


def test_no_recipient_sends_nothing(tmp_path: Path) -> None:
    svc = make_services(tmp_path, Clock(END), {"cotech": {"recipients": []}})
    with Session(svc.engine) as s:
        assert send.send_digest(s, svc).startswith("aucun destinataire")
        assert s.exec(select(DigestSent)).first() is None


def test_empty_week(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    svc = make_services(tmp_path, Clock(END))
    monkeypatch.setattr(send, "compute_dossiers", lambda session, settings: [])
    monkeypatch.setattr(send, "period_report", lambda s, a, b: None)
    with Session(svc.engine) as s:
        text = send.render_digest(svc, send.build_digest(s, svc, START, END)).text
    assert "En bref\u00a0: 0 message sur la liste (GO\u00a0: 0 fil, GT\u00a0: 0 fil)" in text
    assert "Rien à traiter." in text and "Aucun justificatif reçu à ce jour." in text
    assert "FILS DES GROUPES D'HABITANTS" not in text


def test_a_long_period_lists_the_most_active_threads_and_counts_the_rest(tmp_path: Path) -> None:
    """GIVEN 65 GO threads and 45 unclassified posts WHEN the digest is built THEN it lists
    the 60 most active threads and the 40 latest posts, and counts what it left out."""
    from mailbot.models import Post
    from tests.unit.digest.test_digest_data import paris

    svc = make_services(tmp_path, Clock(END))
    with Session(svc.engine) as s:
        for n in range(65):
            for k in range(1 if n < 5 else 2):  # threads 0-4 are the least active
                s.add(Post(message_id=f"t{n}-{k}@x", thread_id=f"t{n}@x", subject=f"Fil {n}",
                           author_email=f"amo{k}@x.fr", tag="GO", posted_at=paris(24, 9, n % 60)))
        for n in range(45):
            s.add(Post(message_id=f"u{n}@x", thread_id=f"u{n}@x", subject=f"Question {n}",
                       author_email="x@y.fr", tag=None, posted_at=paris(25, 9, n)))
        s.commit()
        digest = send.build_digest(s, svc, START, END)
    assert len(digest.threads["GO"]) == 60
    assert digest.threads_more == {"GO": (5, 5)}
    assert {t.subject for t in digest.threads["GO"]} == {f"Fil {n}" for n in range(5, 65)}
    assert digest.totals.threads_go == 65 and digest.totals.posts == 125 + 45
    assert [p.subject for p in digest.unclassified][:1] == ["Question 5"]
    assert digest.unclassified_more == 5 and digest.totals.unclassified == 45
    text = send.render_digest(svc, digest).text
    assert "FILS DU GO (65)" in text
    assert "… et 5 autres fils moins actifs (5 messages)." in text
    assert "(les 40 plus récents\u00a0; 5 plus anciens non listés)" in text
