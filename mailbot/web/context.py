"""What every page handler shares: the services, the `[web]` settings, the session
cookie, the rate limits, the mail folders and a way to send queued mail now.

Built once by `create_app`; handlers receive it through `request.app.state.web`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from starlette.requests import Request

from mailbot.services import Services
from mailbot.sources import MailSource
from mailbot.web.session import Sessions
from mailbot.settings import WebSettings
from mailbot.web.signin import RateLimit

SourceFactory = Callable[[str], MailSource | None]  # folder role -> an unopened source
Flush = Callable[[], Awaitable[object]]
T = TypeVar("T")


async def _no_flush() -> object:
    return 0


@dataclass
class WebContext:
    services: Services
    web: WebSettings
    sessions: Sessions
    source_for: SourceFactory
    flush: Flush = _no_flush
    per_address: RateLimit = field(default_factory=lambda: RateLimit(3, 15 * 60))
    per_client: RateLimit = field(default_factory=lambda: RateLimit(10, 15 * 60))
    ttl_s: float = 20.0  # how long the dashboard and the dossier list may be reused
    _snapshots: dict[str, tuple[float, int, Any]] = field(default_factory=dict)
    _generation: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def engine(self) -> Engine:
        return self.services.engine

    def changed(self) -> None:
        """An action changed the data: every snapshot is stale."""
        with self._lock:
            self._generation += 1

    def snapshot(self, key: str, build: Callable[[], T]) -> T:
        """`build()`, reused for `ttl_s` seconds unless an action came in between (the
        daemon's own changes show within `ttl_s`)."""
        now = time.monotonic()
        with self._lock:
            kept = self._snapshots.get(key)
            generation = self._generation
        if kept is not None and kept[1] == generation and now - kept[0] < self.ttl_s:
            value: T = kept[2]
            return value
        value = build()
        with self._lock:
            self._snapshots[key] = (now, generation, value)
        return value


def web(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.web
    return ctx
