"""The scheduler's memory in our own table: one `JobRun` per job occurrence.

An occurrence is named by its scheduled fire time (`period_key`, ISO UTC).
Whether it is due is read from the table, never from a pickled job store:

* no row -> due (the first time a job is ever seen, a `baseline` row is
  written instead: installing the daemon on a Wednesday does not send last
  Monday's digest);
* `done` or `baseline` -> not due;
* `running` -> due again only when stale (its process died mid-run);
* `failed` -> retried after RETRY_AFTER.

`claim` writes or takes over the row under the (job_id, period_key) unique
constraint, so two processes (the daemon and `mailbot run --once`) cannot
both run one occurrence: the loser gets an IntegrityError or a zero-row update.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from mailbot.models.jobs import JobRun

STALE_AFTER = timedelta(hours=1)
RETRY_AFTER = timedelta(minutes=15)


def period_key(fire: datetime) -> str:
    return fire.astimezone(UTC).isoformat()


def occurrence(session: Session, job_id: str, fire: datetime) -> JobRun | None:
    stmt = select(JobRun).where(JobRun.job_id == job_id, JobRun.period_key == period_key(fire))
    return session.exec(stmt).first()


def is_due(row: JobRun | None, now: datetime) -> bool:
    """Whether the occurrence recorded in `row` (None: never tried) should run now."""
    if row is None:
        return True
    if row.status == "running":
        return row.started_at <= now - STALE_AFTER
    if row.status == "failed":
        return (row.finished_at or row.started_at) <= now - RETRY_AFTER
    return False


def first_sight(session: Session, job_id: str, fire: datetime, now: datetime) -> bool:
    """Write a baseline row when this job has no history at all; True when written."""
    if session.exec(select(JobRun.id).where(JobRun.job_id == job_id).limit(1)).first():
        return False
    session.add(JobRun(job_id=job_id, period_key=period_key(fire), status="baseline",
                       started_at=now, finished_at=now,
                       result="mise en service\u00a0: occurrence passée non rattrapée"))
    session.flush()
    return True


def claim(session: Session, job_id: str, fire: datetime, now: datetime) -> JobRun | None:
    """Take the occurrence for this process, or None when not due or taken by another.

    Raises IntegrityError when another process inserted the same row meanwhile.
    """
    row = occurrence(session, job_id, fire)
    if not is_due(row, now):
        return None
    if row is None:
        row = JobRun(job_id=job_id, period_key=period_key(fire), started_at=now)
        session.add(row)
        session.flush()
        return row
    taken = session.execute(
        update(JobRun)
        .where(col(JobRun.id) == row.id, col(JobRun.status) == row.status,
               col(JobRun.started_at) == row.started_at)
        .values(status="running", started_at=now, finished_at=None))
    if getattr(taken, "rowcount", 0) != 1:
        return None
    session.refresh(row)
    return row


def finish(session: Session, row: JobRun, now: datetime, result: str,
           status: str = "done") -> None:
    row.status, row.finished_at, row.result = status, now, result[:2000]
    session.add(row)


def record_failure(session: Session, job_id: str, fire: datetime, now: datetime,
                   error: str) -> None:
    """Mark an occurrence failed (in a fresh transaction after a rollback)."""
    row = occurrence(session, job_id, fire)
    if row is None:
        row = JobRun(job_id=job_id, period_key=period_key(fire), started_at=now)
    finish(session, row, now, f"échec\u00a0: {error}", status="failed")


def last_run(session: Session, job_id: str) -> JobRun | None:
    """The most recent occurrence of a job (baselines included)."""
    stmt = (select(JobRun).where(JobRun.job_id == job_id)
            .order_by(col(JobRun.started_at).desc(), col(JobRun.id).desc()).limit(1))
    return session.exec(stmt).first()
