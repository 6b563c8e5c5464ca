"""Scheduled jobs: APScheduler 3's AsyncIOScheduler on the daemon's loop, state in our tables.

APScheduler only says *when* to look: each job of `mailbot.jobs.registry`
gets a cron trigger (stable id, the configured time zone) in an in-memory
job store. *Whether* an occurrence runs is decided from `job_run` (see
mailbot/jobs/runs.py), the same way whoever asks:

* `run_due(services)`: every job whose latest scheduled occurrence (at or
  before `services.now()`) has not run yet runs once; used by `run --once`
  and tests, and by the daemon at start (the catch-up that sends a digest
  missed while it was down) and every CATCH_UP_MINUTES after (a fire lost
  to a suspended machine or a clock jump is caught within minutes);
* the cron fire itself runs that one job the same way.

So a restart never runs an occurrence twice, and several missed occurrences
of a job run once (the digest then covers the whole missed period).
Database work runs in a worker thread; one job at a time per process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from mailbot.db import session_scope
from mailbot.jobs import JobSpec, registry, runs
from mailbot.jobs.timing import cron_trigger, last_fire, next_fire
from mailbot.models import OutboxMessage
from mailbot.models.jobs import JobRun
from mailbot.services import Services

log = logging.getLogger(__name__)
CATCH_UP_MINUTES = 10
FIRE_SLACK = timedelta(seconds=5)  # a cron fire a hair early still counts as that occurrence
STOP_TIMEOUT = 30.0


async def run_job(services: Services, spec: JobSpec,
                  slack: timedelta = timedelta(0)) -> str | None:
    """Run the latest occurrence of `spec` if due; its result, or None when nothing ran."""
    trigger = cron_trigger(spec.cron, services.settings.bot.timezone)
    fire = last_fire(trigger, services.now() + slack)
    if fire is None:
        return None
    if spec.tx is not None:
        return await asyncio.to_thread(_run_tx, services, spec, fire)
    return await _run_async(services, spec, fire)


async def run_due(services: Services) -> list[str]:
    """Run the jobs due now, once each; return the ids of those that ran."""
    ran = []
    for spec in registry(services):
        if await run_job(services, spec) is not None:
            ran.append(spec.id)
    return ran


def _run_tx(services: Services, spec: JobSpec, fire: datetime) -> str | None:
    assert spec.tx is not None
    try:
        with session_scope(services.engine) as s:
            now = services.now()
            if runs.first_sight(s, spec.id, fire, now):
                log.info("job %s: first start, occurrence %s not caught up", spec.id, fire)
                return None
            row = runs.claim(s, spec.id, fire, now)
            if row is None:
                return None
            result = spec.tx(s, services)
            runs.finish(s, row, services.now(), result)
    except IntegrityError:
        log.info("job %s: occurrence %s taken by another process", spec.id, fire)
        return None
    except Exception as err:  # noqa: BLE001 - the per-job boundary: record, go on
        log.exception("job %s failed", spec.id)
        return _failed(services, spec, fire, err)
    log.info("job %s (%s): %s", spec.id, runs.period_key(fire), result)
    return result


def _failed(services: Services, spec: JobSpec, fire: datetime, err: BaseException) -> str:
    try:
        with session_scope(services.engine) as s:
            runs.record_failure(s, spec.id, fire, services.now(), str(err))
    except Exception:  # noqa: BLE001 - the database itself may be what failed
        log.exception("job %s: cannot record the failure", spec.id)
    return f"échec\u00a0: {err}"


def _claim(services: Services, spec: JobSpec, fire: datetime) -> int | None:
    try:
        with session_scope(services.engine) as s:
            now = services.now()
            if runs.first_sight(s, spec.id, fire, now):
                return None
            row = runs.claim(s, spec.id, fire, now)
            return row.id if row is not None else None
    except IntegrityError:
        return None


def _finish(services: Services, row_id: int, result: str, status: str) -> None:
    with session_scope(services.engine) as s:
        row = s.get(JobRun, row_id)
        if row is not None:
            runs.finish(s, row, services.now(), result, status)


async def _run_async(services: Services, spec: JobSpec, fire: datetime) -> str | None:
    assert spec.run is not None
    row_id = await asyncio.to_thread(_claim, services, spec, fire)
    if row_id is None:
        return None
    status = "done"
    try:
        result = await spec.run(services)
    except Exception as err:  # noqa: BLE001 - the per-job boundary: record, go on
        log.exception("job %s failed", spec.id)
        result, status = f"échec\u00a0: {err}", "failed"
    await asyncio.to_thread(_finish, services, row_id, result, status)
    log.info("job %s (%s): %s", spec.id, runs.period_key(fire), result)
    return result


class Handle:
    """The running scheduler: APScheduler plus the job tasks in flight."""

    def __init__(self, services: Services, loop: asyncio.AbstractEventLoop) -> None:
        self.services = services
        self.loop = loop
        self.specs = {spec.id: spec for spec in registry(services)}
        tz = services.settings.bot.timezone
        self.scheduler = AsyncIOScheduler(event_loop=loop, timezone=ZoneInfo(tz))
        self.lock = asyncio.Lock()
        self.tasks: set[asyncio.Task[None]] = set()
        for spec in self.specs.values():
            self.scheduler.add_job(self.fire, cron_trigger(spec.cron, tz), args=[spec.id],
                                   id=spec.id, name=spec.description, coalesce=True,
                                   max_instances=1, misfire_grace_time=None,
                                   replace_existing=True)
        self.scheduler.add_job(self.catch_up, IntervalTrigger(minutes=CATCH_UP_MINUTES),
                               id="catch_up", name="Rattrapage des occurrences manquées",
                               coalesce=True, max_instances=1, replace_existing=True)

    async def fire(self, job_id: str) -> None:
        """A cron fire: run that job's occurrence (if not already done)."""
        spec = self.specs[job_id]
        await self._spawn(lambda: run_job(self.services, spec, FIRE_SLACK))

    async def catch_up(self) -> None:
        await self._spawn(lambda: run_due(self.services))

    def kick(self) -> None:
        """Start a catch-up now, without waiting for it."""
        self._task(lambda: run_due(self.services))

    async def idle(self) -> None:
        """Wait until no job is running (tests, shutdown)."""
        while self.tasks:
            await asyncio.wait(set(self.tasks), timeout=STOP_TIMEOUT)

    def _task(self, work: Callable[[], Awaitable[object]]) -> asyncio.Task[None]:
        task = self.loop.create_task(self._locked(work))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _spawn(self, work: Callable[[], Awaitable[object]]) -> None:
        # Shielded: APScheduler's shutdown cancels its futures; a job mid-transaction finishes.
        await asyncio.shield(self._task(work))

    async def _locked(self, work: Callable[[], Awaitable[object]]) -> None:
        async with self.lock:
            try:
                await work()
            except Exception:  # noqa: BLE001 - never let a job kill the daemon
                log.exception("scheduled job crashed")


async def start(services: Services, loop: asyncio.AbstractEventLoop) -> Handle:
    """Attach the jobs to the running loop and start a catch-up of missed occurrences."""
    handle = Handle(services, loop)
    handle.scheduler.start()
    handle.kick()
    for job in handle.scheduler.get_jobs():
        log.info("job %s: next run %s", job.id, job.next_run_time)
    return handle


async def stop(handle: Handle | None) -> None:
    """Stop firing; let a job in flight finish (bounded by STOP_TIMEOUT)."""
    if handle is None:
        return
    handle.scheduler.shutdown(wait=False)
    if handle.tasks:
        await asyncio.wait(set(handle.tasks), timeout=STOP_TIMEOUT)


def describe(services: Services) -> list[dict[str, Any]]:
    """Every job, its schedule, next run and last result (for `mailbot jobs`)."""
    now = services.now()
    tz = services.settings.bot.timezone
    rows: list[dict[str, Any]] = []
    with session_scope(services.engine) as s:
        for spec in registry(services):
            last = runs.last_run(s, spec.id)
            rows.append({
                "id": spec.id, "description": spec.description, "cron": spec.cron,
                "timezone": tz, "next_run": next_fire(cron_trigger(spec.cron, tz), now),
                "last_period": last.period_key if last else None,
                "last_status": last.status if last else None,
                "last_finished": last.finished_at if last else None,
                "last_result": last.result if last else None,
            })
        pending = s.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == "queued")).one()
        failed = s.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == "failed")).one()
    rows.append({
        "id": "outbox", "description": "Envoi et nouvelles tentatives de la file d'envoi",
        "cron": "toutes les 30 s (boucle d'envoi du démon)", "timezone": tz, "next_run": None,
        "last_period": None, "last_status": None, "last_finished": None,
        "last_result": f"{pending} en attente, {failed} en échec",
    })
    return rows
