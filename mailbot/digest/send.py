"""Build, render and queue the digest; remember the period it covered.

The period runs from the end of the last digest sent (`digest_sent`) to
now, or the last 7 days when none was ever sent: a digest missed while the
daemon was down covers everything since the previous one. One outbox row
per COTECH recipient, key "digest:<period end, ISO UTC>:<recipient>", queued
in the caller's transaction together with the `DigestSent` row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TypeVar

from sqlmodel import Session, col, select

from mailbot.mail import outbox

from mailbot.proofs import reminders
from mailbot.settings import Settings
from mailbot.digest import collect, labels
from mailbot.proofs.dossiers import Dossier, compute_dossiers
from mailbot.subscriptions.report import period_report
from mailbot.digest.model import Digest, Subscriptions
from mailbot.models.jobs import DigestSent
from mailbot.mail.mailer import template_context
from mailbot.mail.render import Rendered
from mailbot.services import Services

log = logging.getLogger(__name__)
DEFAULT_DAYS = 7
# A week has far fewer; a digest covering months lists the most active threads and
# the latest unclassified posts, and counts the rest (readable, and fast to build).
MAX_THREADS = 60
MAX_UNCLASSIFIED = 40
T = TypeVar("T")


def period(session: Session, now: datetime, since: datetime | None = None,
           tz: tzinfo = UTC) -> tuple[datetime, datetime]:
    """[start, end) of the next digest: since the last one sent, else the last 7 days
    (calendar days in `tz`: Monday 08:00 to Monday 08:00 across a clock change)."""
    if since is not None:
        return since, now
    last = session.exec(select(DigestSent).order_by(col(DigestSent.period_end).desc())
                        .limit(1)).first()
    if last is not None:
        return last.period_end, now
    return (now.astimezone(tz) - timedelta(days=DEFAULT_DAYS)).astimezone(UTC), now


def build_digest(session: Session, services: Services, start: datetime,
                 end: datetime) -> Digest:
    """Everything the digest of [start, end) says."""
    settings, notes = services.settings, list[str]()
    activity = collect.list_activity(session, start, end, MAX_THREADS, MAX_UNCLASSIFIED)
    held = collect.held_messages(session, start, end)
    dossiers = _guarded(notes, "les dossiers des AMO", lambda: _dossiers(session, settings))
    names = {d.member_email.lower(): d.name for d in dossiers or []}
    sent = collect.reminder_lines(session, start, end, names)
    waiting = collect.held_back(reminders.due_now(session, services, dossiers)) if dossiers else []
    subs = _guarded(notes, "les abonnements",
                    lambda: _subscriptions(session, start, end, settings.bot.tz))
    return Digest(
        start=start, end=end, threads=activity.threads, threads_more=activity.threads_more,
        unclassified=activity.untagged,
        unclassified_more=activity.untagged_total - len(activity.untagged), held=held,
        dossiers=collect.dossier_lines(session, dossiers) if dossiers is not None else None,
        reminders=sent, reminders_held=waiting, subscriptions=subs,
        totals=collect.totals(settings, activity, len(held), dossiers),
        notes=notes,
    )


def _dossiers(session: Session, settings: Settings) -> list[Dossier] | None:
    bind = session.get_bind()
    with Session(bind) as reader:  # a failing query of theirs must not poison our transaction
        return compute_dossiers(reader, settings)


def _subscriptions(session: Session, start: datetime, end: datetime,
                   tz: tzinfo) -> Subscriptions | None:
    with Session(session.get_bind()) as reader:
        report = period_report(reader, start, end)
        return collect.subscriptions(report, tz) if report is not None else None


def _guarded(notes: list[str], what: str, build: Callable[[], T | None]) -> T | None:
    try:
        return build()
    except Exception as err:  # noqa: BLE001 - one section must not cost the whole digest
        log.exception("digest: cannot build %s", what)
        notes.append(f"Impossible de construire {what} ({type(err).__name__}\u00a0: {err}).")
        return None


def render_digest(services: Services, digest: Digest) -> Rendered:
    tz = services.settings.bot.tz
    return services.renderer.render("digest", **template_context(
        services, "", {"d": digest, "day": lambda value: labels.day(value, tz)}))


def queue_digest(session: Session, services: Services, start: datetime, end: datetime,
                 rendered: Rendered, trigger: str) -> int:
    """Queue a rendered digest to every COTECH recipient and record its period."""
    recipients = services.settings.cotech.recipients
    end_key = end.astimezone(UTC).isoformat()
    for to in recipients:
        mail = outbox.compose(services.identity, to, rendered, auto="auto-generated")
        outbox.queue(session, f"digest:{end_key}:{to}", "digest", to, mail,
                     cause=f"digest:{end_key}")
    session.add(DigestSent(period_start=start, period_end=end, sent_at=services.now(),
                           recipients=",".join(recipients), trigger=trigger))
    session.flush()
    return len(recipients)


def send_digest(session: Session, services: Services, trigger: str = "schedule",
                since: datetime | None = None) -> str:
    """Queue the digest of the period to every COTECH recipient; a one-line result."""
    if not services.settings.cotech.recipients:
        log.warning("digest: [cotech] recipients is empty, nothing sent")
        return "aucun destinataire ([cotech] recipients est vide)"
    start, end = period(session, services.now(), since, services.settings.bot.tz)
    rendered = render_digest(services, build_digest(session, services, start, end))
    count = queue_digest(session, services, start, end, rendered, trigger)
    tz = services.settings.bot.tz
    return (f"envoyée à {count} destinataire(s), période du "
            f"{start.astimezone(tz):%d/%m/%Y %H:%M} au {end.astimezone(tz):%d/%m/%Y %H:%M}")


def scheduled_digest(session: Session, services: Services) -> str:
    return send_digest(session, services, "schedule")
