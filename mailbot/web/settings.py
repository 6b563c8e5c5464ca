"""The `[web]` section of config.toml: where the COTECH's page listens and who may sign in.

    [web]
    listen = "127.0.0.1:8025"           # host:port uvicorn binds (behind the reverse proxy)
    base_url = "https://qpv.example.org" # what the sign-in links point to; https => Secure cookie
    allow = ["tresoriere@example.org"]   # besides the roster's COTECH members
    secret_env = "MAILBOT_WEB_SECRET"    # signing key of cookies (else a file in data_dir)
    in_daemon = false                    # also serve it inside `mailbot run`
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailbot.errors import ConfigError

KNOWN = {"listen", "base_url", "allow", "secret_env", "in_daemon"}


@dataclass(frozen=True)
class WebSettings:
    listen: str = "127.0.0.1:8025"
    base_url: str = "http://127.0.0.1:8025"
    allow: tuple[str, ...] = ()
    secret_env: str = ""
    in_daemon: bool = False

    @property
    def host(self) -> str:
        return self.listen.rsplit(":", 1)[0] or "127.0.0.1"

    @property
    def port(self) -> int:
        return int(self.listen.rsplit(":", 1)[1])

    @property
    def secure(self) -> bool:
        return self.base_url.startswith("https://")


def from_table(path: Path, table: dict[str, Any]) -> WebSettings:
    """Validate the `[web]` table; errors name the file and the key."""
    def fail(key: str, what: str) -> ConfigError:
        return ConfigError(f"{path}: [web] {key}: {what}")

    for key in table:
        if key not in KNOWN:
            raise fail(key, "unknown key")
    listen = str(table.get("listen", WebSettings.listen))
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise fail("listen", f"expected host:port, got {listen!r}")
    base_url = str(table.get("base_url", f"http://{listen}")).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise fail("base_url", f"expected an http(s) URL, got {base_url!r}")
    allow = table.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(a, str) and "@" in a for a in allow):
        raise fail("allow", "expected a list of email addresses")
    return WebSettings(listen, base_url, tuple(a.strip().lower() for a in allow),
                       str(table.get("secret_env", "")), bool(table.get("in_daemon", False)))


def load(config_path: Path) -> WebSettings:
    """The `[web]` section of a config file (defaults when absent)."""
    try:
        doc = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{config_path}: cannot read: {err}") from err
    table = doc.get("web", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{config_path}: [web]: expected a table")
    return from_table(config_path, table)


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
