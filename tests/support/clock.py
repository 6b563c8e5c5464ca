"""The one test clock: frozen at an instant the test sets or moves, optionally ticking
at each reading (for code that must see time pass between two reads)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning


class Clock:
    """A settable clock for `Services`/`App`: `clock()` is the current instant (UTC)."""

    def __init__(self, now: datetime | None = None, tick: timedelta | None = None) -> None:
        self.now = (now or DEFAULT).astimezone(UTC)
        self.tick = tick

    def __call__(self) -> datetime:
        if self.tick is not None:
            self.now += self.tick
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
