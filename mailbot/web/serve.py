"""Serving the page with uvicorn: alone (`mailbot web`) or beside the daemon on its loop
(`mailbot run` with `[web] in_daemon = true`).

Beside the daemon, the daemon owns SIGTERM/SIGINT: the server installs no signal
handler of its own and is told to stop when the daemon's run returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Generator
from typing import Any

import uvicorn

from mailbot.services import Services
from mailbot.settings import WebSettings
from mailbot.web.app import build_context, create_app


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves the process's signals to its owner."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def server(services: Services, web: WebSettings, quiet: bool = False) -> uvicorn.Server:
    app = create_app(build_context(services, web))
    config = uvicorn.Config(app, host=web.host, port=web.port, log_level="info",
                            proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                            server_header=False, lifespan="off")
    return QuietServer(config) if quiet else uvicorn.Server(config)


async def beside(services: Services, daemon: Coroutine[Any, Any, None]) -> None:
    """Run the daemon's coroutine and, when `[web] in_daemon`, the page on the same loop."""
    web = services.settings.web
    if not web.in_daemon:
        await daemon
        return
    page = server(services, web, quiet=True)
    serving = asyncio.create_task(page.serve())
    try:
        await daemon
    finally:
        page.should_exit = True
        await serving
