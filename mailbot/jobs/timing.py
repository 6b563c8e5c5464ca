"""When a job fires: crontab expressions to APScheduler triggers, and the last
scheduled fire time at or before a given instant.

Crontab day-of-week numbers mean 0 = Sunday; APScheduler 3 reads them as
0 = Monday. `cron_trigger` rewrites numeric weekdays into names so that
"0 8 * * 1" is Monday, as any crontab reader expects. Like APScheduler, a
trigger with both a day of month and a day of week fires when both match.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Windows tried, smallest first, when looking back for the last fire time.
_WINDOWS = (timedelta(minutes=2), timedelta(hours=2), timedelta(days=2), timedelta(days=8),
            timedelta(days=32), timedelta(days=367))


def _day(token: str) -> int:
    if token.isdigit():
        n = int(token)
        if not 0 <= n <= 7:
            raise ValueError(f"day of week out of range: {token!r}")
        return n % 7
    name = token.lower()[:3]
    if name not in CRON_DAYS:
        raise ValueError(f"unknown day of week: {token!r}")
    return CRON_DAYS.index(name)


def weekdays(field: str) -> str:
    """A crontab day-of-week field as APScheduler day names ("1-5" -> "mon,...,fri")."""
    if field == "*":
        return "*"
    days: list[int] = []
    for part in field.split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spec == "*":
            lo, hi = 0, 6
        elif "-" in spec:
            a, b = spec.split("-", 1)
            lo, hi = _day(a), _day(b)
            if b.strip() == "7" or (hi == 0 and lo > 0):
                hi = 7
        else:
            lo = hi = _day(spec)
        days.extend(d % 7 for d in range(lo, hi + 1, step))
    ordered = sorted(set(days), key=lambda d: (d + 6) % 7)  # Monday first
    return ",".join(CRON_DAYS[d] for d in ordered)


def cron_trigger(expr: str, timezone: str) -> CronTrigger:
    """A trigger for a 5-field crontab expression in the given time zone."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 cron fields (min hour day month weekday), got {expr!r}")
    minute, hour, day, month, dow = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=weekdays(dow), timezone=ZoneInfo(timezone))


def next_fire(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The first fire time strictly after `now`."""
    fire: datetime | None = trigger.get_next_fire_time(None, now + timedelta(seconds=1))
    return fire


def last_fire(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest fire time at or before `now` (within a year), or None."""
    for window in _WINDOWS:
        fire: datetime | None = trigger.get_next_fire_time(None, now - window)
        if fire is None or fire > now:
            continue
        while True:
            following = next_fire(trigger, fire)
            if following is None or following > now:
                return fire
            fire = following
    return None
