"""`[web]` in config.toml, and the page served beside the daemon on its loop."""

from __future__ import annotations

import asyncio
import dataclasses
import urllib.request
from pathlib import Path

import pytest

from mailbot import config
from mailbot.errors import ConfigError
from mailbot.web.serve import beside
from tests.support.helpers import write_config
from tests.support.servers import free_port
from tests.web.kit import Site


def test_web_section_is_read_and_checked(tmp_path: Path) -> None:
    path = write_config(tmp_path, extra='[web]\nlisten = "127.0.0.1:9000"\n'
                        'base_url = "https://qpv.example.org/"\nallow = ["A@Example.org"]\n')
    web = config.load(path).web
    assert (web.host, web.port, web.secure) == ("127.0.0.1", 9000, True)
    assert web.base_url == "https://qpv.example.org" and web.allow == ("a@example.org",)
    assert config.load(write_config(tmp_path)).web.in_daemon is False
    for bad in ('listen = "8025"', 'base_url = "ftp://x"', 'allow = ["pas une adresse"]',
                'colour = "blue"'):
        with pytest.raises(ConfigError, match=r"\[web\]"):
            config.load(write_config(tmp_path, extra=f"[web]\n{bad}\n"))


def test_the_page_is_served_beside_the_daemon(site: Site) -> None:
    port = free_port()
    web = dataclasses.replace(site.ctx.web, listen=f"127.0.0.1:{port}", in_daemon=True)
    services = dataclasses.replace(
        site.app.services, settings=dataclasses.replace(site.app.services.settings, web=web))
    answers: list[int] = []

    async def daemon() -> None:  # stands for App.run: returns when it is told to stop
        for _ in range(200):
            try:
                found = await asyncio.to_thread(
                    urllib.request.urlopen, f"http://127.0.0.1:{port}/connexion", None, 2)
                answers.append(found.status)
                return
            except OSError:
                await asyncio.sleep(0.05)  # poll until uvicorn listens (bounded above)

    asyncio.run(asyncio.wait_for(beside(services, daemon()), 30))
    assert answers == [200]
