"""Reading one table of config.toml, every mistake named in French.

`TableReader` gets typed values out of one `[section]`; each error it raises
is a `ConfigError` reading "<file> : [section] key : what is wrong", which the
command line prints as one line. The value checks themselves (cron, amounts,
time zones, folders) are `mailbot.validate`'s; `checked` turns their
`ValueError` into such an error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from mailbot.errors import ConfigError
from mailbot.settings import Secret

T = TypeVar("T")
KIND_WORDS = {
    int: "un nombre entier", float: "un nombre", str: "un texte entre guillemets",
    list: "une liste [ ... ]", bool: "true ou false", date: "une date AAAA-MM-JJ",
}
_ADDRESS = re.compile(r"^[^@\s\"<>,;]+@[^@\s\"<>,;]+\.[^@\s\"<>,;.]+$")


def shown(value: object) -> str:
    """A TOML value as the operator wrote it, for an error message."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


class TableReader:
    """Reads one table of the TOML document, naming file, section and key in errors."""

    def __init__(self, path: Path, section: str, table: dict[str, Any]) -> None:
        self.path, self.section, self.table = path, section, table

    def fail(self, key: str, what: str) -> ConfigError:
        return ConfigError(f"{self.path}\u00a0: [{self.section}] {key}\u00a0: {what}")

    def get(self, key: str, kind: type, default: Any = None, required: bool = False) -> Any:
        if key not in self.table:
            if required:
                raise self.fail(key, "manquant (obligatoire)")
            return default
        value = self.table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
            raise self.fail(key, f"{KIND_WORDS.get(kind, kind.__name__)} est attendu, "
                                 f"pas {shown(value)}")
        return value

    def number(self, key: str, kind: type[T], default: T, least: float = 1,
               most: float | None = None) -> T:
        """An int or float of at least `least` (and at most `most`)."""
        value = self.get(key, kind, default)
        if value < least:
            raise self.fail(key, f"au moins {least:g} est attendu, pas {shown(value)}")
        if most is not None and value > most:
            raise self.fail(key, f"au plus {most:g} est attendu, pas {shown(value)}")
        return value  # type: ignore[no-any-return]

    def checked(self, key: str, check: Callable[..., T], value: Any, *more: Any) -> T:
        """`check(value, *more)`, its ValueError reported on this key."""
        try:
            return check(value, *more)
        except ValueError as err:
            raise self.fail(key, str(err)) from err

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value: str = self.get(key, str, default)
        if value not in choices:
            raise self.fail(key, f"{' ou '.join(shown(c) for c in choices)} est attendu, "
                                 f"pas {shown(value)}")
        return value

    def address(self, key: str, default: str | None = None, required: bool = False) -> str:
        value: str | None = self.get(key, str, default, required)
        if not value:
            return ""
        return self.checked(key, email_address, value)

    def folder(self, key: str, base: Path, default: str | None = None) -> Path | None:
        """A path relative to the config file's folder."""
        value: str | None = self.get(key, str, default)
        if value is None:
            return None
        if not value.strip():
            raise self.fail(key, "chemin vide")
        return (base / os.path.expanduser(value)).resolve()

    def secret(self) -> Secret:
        if "password" in self.table and "password_env" in self.table:
            raise self.fail("password", "donnez password ou password_env, pas les deux")
        env: str | None = self.get("password_env", str)
        if env is not None:
            if env not in os.environ:
                raise self.fail("password_env", f"la variable d'environnement {env} n'est pas "
                                                "définie (sous systemd : dans "
                                                "/etc/mailbot/secrets.env)")
            return Secret(os.environ[env])
        return Secret(self.get("password", str, ""))

    def reject_unknown(self, known: set[str]) -> None:
        for key in self.table:
            if key not in known:
                raise self.fail(key, f"clé inconnue (connues\u00a0: {', '.join(sorted(known))})")


def email_address(value: object) -> str:
    """'Cotech@Example.fr ' -> 'cotech@example.fr'; ValueError when not an address."""
    if not isinstance(value, str):
        raise ValueError(f"une adresse électronique est attendue, pas {shown(value)}")
    clean = value.strip().lower()
    if not _ADDRESS.match(clean):
        raise ValueError(f"adresse électronique invalide {shown(value)}")
    return clean
