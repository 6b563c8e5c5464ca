"""Invoice reminders: start after N days, repeat every M, stop at K or on the
invoice; tickets only when funded elsewhere; one reminder for missing pieces;
short of cash not made to wait; nothing to a bouncing or auto-replying address."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from mailbot.proofs import reminders
from mailbot.settings import ReminderSettings
from mailbot.models import Member, OutboxMessage, ProcessedMessage
from mailbot.models.jobs import Reminder
from mailbot.services import Services
from tests.support.clock import Clock
from tests.support.apps import make_services
from tests.unit.digest.test_digest_data import DOSSIERS, PARIS, FakeDossier

POLICY = ReminderSettings(after_days=7, every_days=7, max_count=3)
COMPLETED = datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)
MATHIEU = replace(DOSSIERS[0], completed_at=COMPLETED, last_proof_at=COMPLETED)
SANDRINE = DOSSIERS[1]
CLAIRE = DOSSIERS[3]


def day(n: int, hour: int = 10) -> datetime:
    """n days after Mathieu's dossier was completed, at `hour` (Paris)."""
    return (COMPLETED + timedelta(days=n)).replace(hour=hour, minute=0)


def kinds(ds: list[FakeDossier], history: reminders.History, now: datetime,
          blocked: dict[str, str] | None = None) -> list[tuple[str, str, int, str]]:
    return [(d.dossier.name, d.kind, d.n, d.why)
            for d in reminders.plan(ds, history, blocked or {}, POLICY, now, PARIS)]


# -- the policy, pure ----------------------------------------------------------------

def test_complete_dossier_waits_n_days_then_every_m_at_most_k() -> None:
    email_ = MATHIEU.member_email
    assert kinds([MATHIEU], {}, day(6)) == []
    assert kinds([MATHIEU], {}, day(7)) == [("Mathieu Lefort", "invoice", 1, "")]
    sent = {(email_, "invoice"): [day(7)]}
    assert kinds([MATHIEU], sent, day(13)) == []
    assert kinds([MATHIEU], sent, day(14)) == [("Mathieu Lefort", "invoice", 2, "")]
    sent = {(email_, "invoice"): [day(7), day(14), day(21)]}
    assert kinds([MATHIEU], sent, day(60)) == []  # capped at 3


def test_invoice_received_stops_everything() -> None:
    paid = replace(MATHIEU, invoice_received=True)
    assert kinds([paid], {}, day(8)) == []
    assert kinds([replace(CLAIRE, invoice_received=True)], {}, day(8)) == []


def test_funded_elsewhere_asks_for_the_tickets_only_or_nothing() -> None:
    funded = replace(MATHIEU, funded_elsewhere=True, amount_due_eur=Decimal("67.00"))
    [decision] = reminders.plan([funded], {}, {}, POLICY, day(7))
    assert reminders.to_invoice(funded, decision.kind) == \
        "67,00\u00a0€ de billets de train (action financée par ailleurs)"
    nothing = replace(funded, tickets_total_eur=Decimal(0), tickets=[])
    assert kinds([nothing], {}, day(30)) == []


def test_missing_pieces_get_one_reminder_after_the_last_proof() -> None:
    last = SANDRINE.last_proof_at
    assert last is not None
    assert kinds([SANDRINE], {}, last + timedelta(days=6)) == []
    assert kinds([SANDRINE], {}, last + timedelta(days=7)) == \
        [("Sandrine Nguyen", "missing", 1, "")]
    once = {(SANDRINE.member_email, "missing"): [last + timedelta(days=7)]}
    assert kinds([SANDRINE], once, last + timedelta(days=60)) == []
    assert kinds([replace(SANDRINE, first_proof_at=None, last_proof_at=None)], {}, day(60)) == []


def test_short_of_cash_with_a_ticket_is_not_made_to_wait() -> None:
    first = CLAIRE.last_proof_at
    assert first is not None
    assert kinds([CLAIRE], {}, first + timedelta(hours=1)) == \
        [("Claire Bérard", "tickets_now", 1, "")]
    asked = {(CLAIRE.member_email, "tickets_now"): [first + timedelta(hours=1)]}
    assert kinds([CLAIRE], asked, first + timedelta(days=2)) == []
    # a week later, her dossier still misses the mission form: one reminder for it
    assert kinds([CLAIRE], asked, first + timedelta(days=7)) == \
        [("Claire Bérard", "missing", 1, "")]
    assert kinds([replace(CLAIRE, tickets_total_eur=Decimal(0))], {}, first) == []


def test_blocked_address_is_held_back_with_the_reason() -> None:
    blocked = {MATHIEU.member_email: "adresse en échec"}
    assert kinds([MATHIEU], {}, day(7), blocked) == \
        [("Mathieu Lefort", "invoice", 1, "adresse en échec")]


# -- the daily job, through the database ---------------------------------------------

@pytest.fixture
def clock() -> Clock:
    return Clock(day(7))


@pytest.fixture
def dossiers(monkeypatch: pytest.MonkeyPatch) -> list[FakeDossier]:
    current = [MATHIEU]
    monkeypatch.setattr(reminders, "compute_dossiers", lambda session, settings: list(current))
    return current


def run_job(services: Services) -> str:
    with Session(services.engine) as s:
        result = reminders.run(s, services)
        s.commit()
    return result


def sent(services: Services) -> list[tuple[str, str, email.message.EmailMessage]]:
    with Session(services.engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    return [(r.key, r.status, email.message_from_bytes(r.raw, policy=email.policy.default))
            for r in rows]  # type: ignore[misc]


def body(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def test_reminders_start_repeat_cap_and_stop_on_invoice(
        services: Services, clock: Clock, dossiers: list[FakeDossier]) -> None:
    clock.set(day(6))
    assert run_job(services) == "0 relance(s) envoyée(s), 0 suspendue(s)"
    clock.set(day(7))
    assert run_job(services) == "1 relance(s) envoyée(s), 0 suspendue(s)"
    assert run_job(services).startswith("0 relance")  # same day, run again: nothing
    for n in (14, 21, 28, 35):
        clock.set(day(n))
        run_job(services)
    keys = [k for k, _, _ in sent(services)]
    assert keys == [f"reminder:mathieu.lefort@gmail.com:invoice:{n}" for n in (1, 2, 3)]
    with Session(services.engine) as s:
        rows = s.exec(select(Reminder).order_by(col(Reminder.n))).all()
        assert [(r.n, r.sent_at) for r in rows] == [(1, day(7)), (2, day(14)), (3, day(21))]


def test_reminder_stops_when_the_invoice_arrives(services: Services, clock: Clock,
                                                 dossiers: list[FakeDossier]) -> None:
    run_job(services)
    dossiers[0] = replace(MATHIEU, invoice_received=True)
    clock.set(day(14))
    assert run_job(services).startswith("0 relance")
    assert len(sent(services)) == 1


def test_invoice_reminder_says_exactly_what_to_invoice(services: Services,
                                                       dossiers: list[FakeDossier]) -> None:
    run_job(services)
    [(_, status, msg)] = sent(services)
    assert status == "queued"
    assert msg["To"] == "Mathieu Lefort <mathieu.lefort@gmail.com>"
    # no-break spaces of French typography survive in the subject
    assert msg["Subject"] == "[QPV] Dossier complet\u00a0: envoyez votre facture (667,00\u00a0€)"
    assert msg["Auto-Submitted"] == "auto-generated"
    lines = body(msg).splitlines()
    assert lines[:12] == [
        "Bonjour Mathieu,",
        "",
        "Votre dossier de sensibilisation est complet depuis le mardi 10 mars 2026, "
        "mais nous n'avons pas encore reçu votre facture.",
        "",
        "À facturer à Habitat Participatif France\u00a0:",
        "- 600,00\u00a0€ HT pour la journée de sensibilisation\u00a0;",
        "- 67,00\u00a0€ de billets de train\u00a0:",
        "  · Lille → Paris, 5 mars 2026, 67,00\u00a0€ (réf. QX7K2P)",
        "Soit 600,00\u00a0€ HT + 67,00\u00a0€ de billets = 667,00\u00a0€.",
        "",
        "Envoyez la facture en PDF en réponse à ce message\u00a0: le robot la classera "
        "dans votre dossier.",
        "",
    ]
    assert "(Rappel 1 sur 3. Les rappels s'arrêtent dès réception de la facture.)" in lines
    assert msg.get_body(("html",)) is not None


def test_short_of_cash_and_missing_pieces_mails(services: Services, clock: Clock,
                                                dossiers: list[FakeDossier]) -> None:
    dossiers[:] = [CLAIRE]
    clock.set(datetime(2026, 3, 25, 12, 0, tzinfo=PARIS))
    run_job(services)
    [(key, _, cash)] = sent(services)
    assert key == "reminder:claire.berard@terrhab-conseil.fr:tickets_now:1"
    assert cash["Subject"] == \
        "[QPV] Vous pouvez facturer vos billets de train dès maintenant (89,50\u00a0€)"
    text = body(cash)
    assert "soit 89,50\u00a0€\u00a0:\n- Lyon → Paris, 18 mars 2026, 89,50\u00a0€ (réf. ZZ9Y8X)\n" in text
    assert ("La journée de sensibilisation (600,00\u00a0€ HT) sera à facturer ensuite, quand "
            "le dossier sera complet. Il y manque encore\u00a0: le formulaire de mission.") in text
    dossiers.append(SANDRINE)
    clock.set(datetime(2026, 3, 26, 12, 0, tzinfo=PARIS))
    run_job(services)
    [_, (key, _, missing)] = sent(services)
    assert key == "reminder:s.nguyen@cooperer-habiter.coop:missing:1"
    assert body(missing).splitlines()[2:6] == [
        "Pour que vous puissiez facturer votre action de sensibilisation, il manque encore "
        "à votre dossier\u00a0:",
        "- la feuille d'émargement\u00a0;",
        "- le formulaire de mission.",
        "",
    ]
    assert "Déjà reçu\u00a0: remerciement, CR." in body(missing)


def test_no_reminder_to_a_bouncing_or_auto_replying_address(
        services: Services, clock: Clock, dossiers: list[FakeDossier]) -> None:
    with Session(services.engine) as s:
        s.add(Member(email=MATHIEU.member_email, name=MATHIEU.name, group="GO",
                     bounce_score=1.0))
        s.commit()
    assert run_job(services) == "0 relance(s) envoyée(s), 1 suspendue(s)"
    with Session(services.engine) as s:
        member = s.exec(select(Member)).one()
        member.bounce_score = 0.0
        s.add(member)
        s.add(ProcessedMessage(source_key="a1", role="inbox", mailbox="INBOX",
                               message_id="ooo@x", category="autoreply",
                               from_email=MATHIEU.member_email,
                               processed_at=day(7) - timedelta(days=13)))
        s.commit()
    assert run_job(services) == "0 relance(s) envoyée(s), 1 suspendue(s)"
    clock.set(day(7) + timedelta(days=2))  # the auto-reply is now 15 days old
    assert run_job(services) == "1 relance(s) envoyée(s), 0 suspendue(s)"


def test_daily_cap_suppresses_and_records(tmp_path: Path, clock: Clock,
                                          dossiers: list[FakeDossier]) -> None:
    services = make_services(tmp_path, clock, {"bot": {"max_replies_per_address_per_day": 0}})
    run_job(services)
    [(_, status, _)] = sent(services)
    assert status == "suppressed"
    with Session(services.engine) as s:
        assert s.exec(select(Reminder)).one().status == "suppressed"


def test_a_failing_proofs_domain_fails_the_job_loudly(services: Services,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(session: Session, settings: object) -> list[FakeDossier]:
        raise KeyError("fee")

    monkeypatch.setattr(reminders, "compute_dossiers", broken)
    with pytest.raises(KeyError):  # the scheduler records it failed and retries; no silent "ok"
        run_job(services)
