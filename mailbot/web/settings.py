"""The web page's signing key and its `[web]` settings (`mailbot.settings.WebSettings`,
read by `mailbot.config`):

    [web]
    listen = "127.0.0.1:8025"             # host:port uvicorn binds (behind the reverse proxy)
    base_url = "https://qpv.example.org"  # what the sign-in links point to; https => Secure cookie
    allow = ["tresoriere@example.org"]    # besides the roster's COTECH members
    secret_env = "MAILBOT_WEB_SECRET"     # signing key of cookies (else a file in data_dir)
    in_daemon = false                     # also serve the page inside `mailbot run`
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from pathlib import Path

from mailbot.errors import ConfigError
from mailbot.settings import WebSettings

__all__ = ["WebSettings", "signing_key", "listening_on"]


def listening_on(web: WebSettings, listen: str) -> WebSettings:
    """The settings with another `listen` (the `--listen` option)."""
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"--listen\u00a0: hôte:port est attendu, pas «\u00a0{listen}\u00a0»")
    return dataclasses.replace(web, listen=listen)


def signing_key(web: WebSettings, data_dir: Path) -> str:
    """The cookie signing key: from the environment, else a random one kept in data_dir
    (created once, mode 0600), so sessions survive a restart."""
    if web.secret_env:
        value = os.environ.get(web.secret_env, "")
        if len(value) < 32:
            raise ConfigError(f"[web] secret_env: {web.secret_env} must hold at least 32 characters")
        return value
    path = data_dir / "web-secret"
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it meanwhile
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
