"""The scheduler: cron times in the configured zone, occurrences remembered in
`job_run`, catch-up after downtime, never twice."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from mailbot import jobs

from mailbot.jobs import scheduler
from mailbot.jobs import runs
from mailbot.jobs.timing import cron_trigger, last_fire, next_fire, weekdays
from mailbot.models import OutboxMessage
from mailbot.models.jobs import DigestSent, JobRun
from mailbot.subscriptions import jobs as subscription_jobs
from mailbot.services import Services
from tests.support.clock import Clock
from tests.support.apps import make_services
from tests.unit.digest.test_digest_data import PARIS

FRIDAY = datetime(2026, 3, 20, 15, 0, tzinfo=PARIS)
MONDAY = datetime(2026, 3, 23, 8, 0, 30, tzinfo=PARIS)
NEXT_WEDNESDAY = datetime(2026, 4, 1, 11, 0, tzinfo=PARIS)


@pytest.fixture
def clock() -> Clock:
    return Clock(FRIDAY)


@pytest.fixture(autouse=True)
def _subscription_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_subscription_jobs(monkeypatch)


def fake_subscription_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The subscriptions domain's jobs, as its contract describes them."""

    async def refresh_step(services: Services) -> str:
        return "étape faite"

    async def sympa_review(services: Services) -> str:
        return "2 écarts"

    monkeypatch.setattr(subscription_jobs, "refresh_step", refresh_step)
    monkeypatch.setattr(subscription_jobs, "sympa_review", sympa_review)


def digests(services: Services) -> list[OutboxMessage]:
    with Session(services.engine) as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")
                           .order_by(col(OutboxMessage.id))).all())


def job_rows(services: Services, job_id: str) -> list[JobRun]:
    with Session(services.engine) as s:
        return list(s.exec(select(JobRun).where(JobRun.job_id == job_id)
                           .order_by(col(JobRun.id))).all())


# -- timing ------------------------------------------------------------------------

def test_crontab_weekdays_mean_what_cron_means() -> None:
    assert weekdays("1") == "mon"
    assert weekdays("0") == weekdays("7") == "sun"
    assert weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert weekdays("mon,wed") == "mon,wed"
    assert weekdays("*/2") == "tue,thu,sat,sun"
    assert weekdays("5-7") == "fri,sat,sun"


def test_last_fire_is_the_latest_scheduled_time_in_local_time() -> None:
    trigger = cron_trigger("0 8 * * 1", "Europe/Paris")
    wednesday = datetime(2026, 3, 25, 12, 0, tzinfo=PARIS)
    assert last_fire(trigger, wednesday) == datetime(2026, 3, 23, 8, 0, tzinfo=PARIS)
    at_eight = datetime(2026, 3, 30, 8, 0, tzinfo=PARIS)  # summer time since Sunday
    assert last_fire(trigger, at_eight) == at_eight
    assert last_fire(trigger, at_eight - timedelta(seconds=1)) == \
        datetime(2026, 3, 23, 8, 0, tzinfo=PARIS)
    assert next_fire(trigger, at_eight) == datetime(2026, 4, 6, 8, 0, tzinfo=PARIS)
    assert last_fire(cron_trigger("0 8 29 2 *", "Europe/Paris"), wednesday) is None


# -- occurrences in job_run ---------------------------------------------------------

def test_first_start_records_a_baseline_and_sends_nothing(services: Services) -> None:
    assert asyncio.run(scheduler.run_due(services)) == []
    rows = job_rows(services, "digest")
    assert [(r.status, r.period_key) for r in rows] == [("baseline", "2026-03-16T07:00:00+00:00")]
    assert digests(services) == []


def test_monday_digest_runs_once(services: Services, clock: Clock) -> None:
    asyncio.run(scheduler.run_due(services))
    clock.set(MONDAY)
    ran = asyncio.run(scheduler.run_due(services))
    assert "digest" in ran
    assert [m.key for m in digests(services)] == \
        ["digest:2026-03-23T07:00:30+00:00:cotech-qpv@habitatparticipatif-france.fr"]
    clock.set(MONDAY + timedelta(hours=3))
    assert "digest" not in asyncio.run(scheduler.run_due(services))
    assert len(digests(services)) == 1
    done = job_rows(services, "digest")[-1]
    assert done.status == "done" and done.result.startswith("envoyée à 1 destinataire")


def test_restart_right_after_a_digest_does_not_resend(tmp_path: Path, services: Services,
                                                      clock: Clock) -> None:
    asyncio.run(scheduler.run_due(services))
    clock.set(MONDAY)

    async def daemon_once(svc: Services) -> None:
        handle = await scheduler.start(svc, asyncio.get_running_loop())
        await handle.idle()
        await scheduler.stop(handle)

    asyncio.run(daemon_once(services))
    assert len(digests(services)) == 1
    clock.set(MONDAY + timedelta(seconds=5))
    restarted = make_services(tmp_path, clock)  # a new process on the same database
    asyncio.run(daemon_once(restarted))
    assert len(digests(services)) == 1


def test_down_over_several_mondays_sends_one_digest_covering_it_all(
        services: Services, clock: Clock) -> None:
    asyncio.run(scheduler.run_due(services))
    clock.set(MONDAY)
    asyncio.run(scheduler.run_due(services))
    clock.set(NEXT_WEDNESDAY + timedelta(days=7))  # missed 30 March and 6 April
    asyncio.run(scheduler.run_due(services))
    asyncio.run(scheduler.run_due(services))
    assert len(digests(services)) == 2
    with Session(services.engine) as s:
        periods = s.exec(select(DigestSent).order_by(col(DigestSent.id))).all()
    assert periods[1].period_start == periods[0].period_end == MONDAY
    assert periods[1].period_end == NEXT_WEDNESDAY + timedelta(days=7)
    assert [r.period_key for r in job_rows(services, "digest")][-1] == "2026-04-06T06:00:00+00:00"


def test_external_jobs_run_and_record_their_result(services: Services, clock: Clock) -> None:
    asyncio.run(scheduler.run_due(services))
    clock.set(MONDAY + timedelta(hours=3))
    ran = asyncio.run(scheduler.run_due(services))
    assert set(ran) == {"digest", "reminders", "proof_acks", "sympa_review", "refresh_step"}
    assert job_rows(services, "sympa_review")[-1].result == "2 écarts"
    assert job_rows(services, "refresh_step")[-1].result == "étape faite"


def test_a_failing_subscriptions_job_is_recorded_failed_not_hidden(
        services: Services, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(services: Services) -> str:
        raise ImportError("a broken module of the subscriptions domain")

    monkeypatch.setattr(subscription_jobs, "refresh_step", broken)
    asyncio.run(scheduler.run_due(services))
    clock.set(MONDAY + timedelta(hours=3))
    asyncio.run(scheduler.run_due(services))
    last = job_rows(services, "refresh_step")[-1]
    assert last.status == "failed" and "broken module" in last.result


def test_failed_job_is_recorded_and_retried_later(services: Services, clock: Clock,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    asyncio.run(scheduler.run_due(services))
    clock.set(MONDAY)

    def broken(session: Session, services: Services) -> str:
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(jobs, "scheduled_digest", broken)
    asyncio.run(scheduler.run_due(services))
    last = job_rows(services, "digest")[-1]
    assert last.status == "failed" and "base indisponible" in last.result
    assert digests(services) == []
    monkeypatch.undo()
    fake_subscription_jobs(monkeypatch)
    clock.set(MONDAY + timedelta(minutes=5))
    assert "digest" not in asyncio.run(scheduler.run_due(services))  # not before RETRY_AFTER
    clock.set(MONDAY + runs.RETRY_AFTER + timedelta(minutes=1))
    assert "digest" in asyncio.run(scheduler.run_due(services))
    assert len(digests(services)) == 1
    assert len(job_rows(services, "digest")) == 2  # the failed row was taken over


def test_two_processes_cannot_claim_the_same_occurrence(services: Services) -> None:
    fire = MONDAY.replace(second=0)
    with Session(services.engine) as first, Session(services.engine) as second:
        assert runs.claim(first, "digest", fire, MONDAY) is not None
        first.commit()
        assert runs.claim(second, "digest", fire, MONDAY) is None  # seen: not due
    with Session(services.engine) as a, Session(services.engine) as b:
        runs.claim(a, "x", fire, MONDAY)
        a.commit()
        b.add(JobRun(job_id="x", period_key=runs.period_key(fire)))
        with pytest.raises(IntegrityError):
            b.flush()


def test_stale_running_occurrence_is_taken_over(services: Services) -> None:
    fire = MONDAY.replace(second=0)
    with Session(services.engine) as s:
        runs.claim(s, "digest", fire, MONDAY)
        s.commit()
    with Session(services.engine) as s:
        assert runs.claim(s, "digest", fire, MONDAY + timedelta(minutes=10)) is None
        row = runs.claim(s, "digest", fire, MONDAY + runs.STALE_AFTER + timedelta(seconds=1))
        assert row is not None and row.status == "running"


# -- APScheduler on the loop ---------------------------------------------------------

def test_jobs_have_stable_ids_and_local_times(services: Services) -> None:
    async def scheduled() -> dict[str, datetime]:
        handle = await scheduler.start(services, asyncio.get_running_loop())
        try:
            return {j.id: j.next_run_time for j in handle.scheduler.get_jobs()}
        finally:
            await scheduler.stop(handle)

    times = asyncio.run(scheduled())
    assert set(times) == {"digest", "reminders", "proof_acks", "refresh_step", "sympa_review",
                          "catch_up"}
    digest = times["digest"]
    assert str(digest.tzinfo) == "Europe/Paris"
    assert (digest.weekday(), digest.hour, digest.minute) == (0, 8, 0)
    assert times["reminders"].hour == 9


def test_a_cron_fire_runs_that_job(services: Services, clock: Clock) -> None:
    asyncio.run(scheduler.run_due(services))
    clock.set(MONDAY)

    async def fire() -> None:
        handle = scheduler.Handle(services, asyncio.get_running_loop())
        await handle.fire("digest")

    asyncio.run(fire())
    assert len(digests(services)) == 1


def test_describe_lists_jobs_next_run_and_last_result(services: Services, clock: Clock) -> None:
    asyncio.run(scheduler.run_due(services))
    clock.set(MONDAY)
    asyncio.run(scheduler.run_due(services))
    rows = {r["id"]: r for r in scheduler.describe(services)}
    assert list(rows) == ["digest", "reminders", "proof_acks", "refresh_step", "sympa_review",
                          "outbox"]
    assert rows["digest"]["next_run"] == datetime(2026, 3, 30, 8, 0, tzinfo=PARIS)
    assert rows["digest"]["last_status"] == "done"
    assert rows["outbox"]["last_result"] == "1 en attente, 0 en échec"
