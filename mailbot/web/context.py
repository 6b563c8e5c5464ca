"""What every page handler shares: the services, the `[web]` settings, the session
cookie, the rate limits, the mail folders and a way to send queued mail now.

Built once by `create_app`; handlers receive it through `request.app.state.web`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from starlette.requests import Request

from mailbot.services import Services
from mailbot.sources import MailSource
from mailbot.web.session import Sessions
from mailbot.settings import WebSettings
from mailbot.web.signin import RateLimit

SourceFactory = Callable[[str], MailSource | None]  # folder role -> an unopened source
Flush = Callable[[], Awaitable[object]]


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

    @property
    def engine(self) -> Engine:
        return self.services.engine


def web(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.web
    return ctx
