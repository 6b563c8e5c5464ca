"""config.toml to typed, frozen settings, validated once at start.

Every error names the file, the key and what is wrong. Secrets come from the
environment (`password_env`), are never printed: `Secret.__repr__` hides them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailbot.errors import ConfigError
from mailbot.proofs.labels import KINDS
from mailbot.settings import (
    AuthSettings,
    BotSettings,
    BounceSettings,
    CotechSettings,
    ImapSettings,
    ListSettings,
    ProofSettings,
    RefreshSettings,
    ReminderSettings,
    Secret,
    Settings,
    SmtpSettings,
    SourceSettings,
    SubscriptionSettings,
    TLS_MODES,
    WebSettings,
)



class _Reader:
    """Reads one table of the TOML document, naming file and key in errors."""

    def __init__(self, path: Path, section: str, table: dict[str, Any]) -> None:
        self.path, self.section, self.table = path, section, table

    def fail(self, key: str, what: str) -> ConfigError:
        return ConfigError(f"{self.path}: [{self.section}] {key}: {what}")

    def get(self, key: str, kind: type, default: Any = None, required: bool = False) -> Any:
        if key not in self.table:
            if required:
                raise self.fail(key, "missing (required)")
            return default
        value = self.table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"expected {kind.__name__}, got {type(value).__name__} {value!r}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value: str = self.get(key, str, default)
        if value not in choices:
            raise self.fail(key, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def address(self, key: str, default: str | None = None, required: bool = False) -> str:
        value: str | None = self.get(key, str, default, required)
        if value is None:
            return ""
        if value and ("@" not in value or " " in value.strip()):
            raise self.fail(key, f"not an email address: {value!r}")
        return value.strip().lower()

    def secret(self) -> Secret:
        if "password" in self.table and "password_env" in self.table:
            raise self.fail("password", "give either password or password_env, not both")
        env: str | None = self.get("password_env", str)
        if env is not None:
            if env not in os.environ:
                raise self.fail("password_env", f"environment variable {env} is not set")
            return Secret(os.environ[env])
        return Secret(self.get("password", str, ""))

    def reject_unknown(self, known: set[str]) -> None:
        for key in self.table:
            if key not in known:
                raise self.fail(key, "unknown key")


def _known(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def load(path: str | os.PathLike[str]) -> Settings:
    """Read and validate config.toml; raise ConfigError naming file and key."""
    cfg_path = Path(path).resolve()
    try:
        doc = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError(f"{cfg_path}: file not found") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{cfg_path}: cannot read: {err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{cfg_path}: invalid TOML: {err}") from err
    return from_dict(doc, cfg_path)


def from_dict(doc: dict[str, Any], cfg_path: Path) -> Settings:
    """Build Settings from a parsed TOML document (used by load and tests)."""
    sections = {
        "bot", "imap", "smtp", "list", "auth", "source", "cotech", "proofs",
        "reminders", "subscriptions", "refresh", "bounces", "paths", "web",
    }
    for name, value in doc.items():
        if name not in sections or not isinstance(value, dict):
            raise ConfigError(f"{cfg_path}: [{name}]: unknown section")
    base = cfg_path.parent

    def reader(name: str) -> _Reader:
        return _Reader(cfg_path, name, doc.get(name, {}))

    bot = _bot(reader("bot"), base)
    paths = reader("paths")
    paths.reject_unknown({"rules", "templates"})
    return Settings(
        path=cfg_path,
        bot=bot,
        imap=_imap(reader("imap")) if "imap" in doc else None,
        smtp=_smtp(reader("smtp")) if "smtp" in doc else None,
        list=_list(reader("list")),
        auth=_auth(reader("auth")),
        source=_source(reader("source"), base),
        cotech=_cotech(reader("cotech")),
        proofs=_proofs(reader("proofs")),
        reminders=_simple(reader("reminders"), ReminderSettings),
        subscriptions=_simple(reader("subscriptions"), SubscriptionSettings),
        refresh=_refresh(reader("refresh")),
        bounces=_simple(reader("bounces"), BounceSettings),
        rules_dir=(base / paths.get("rules", str, "rules")).resolve(),
        templates_dir=(base / paths.get("templates", str, "templates")).resolve(),
        web=WebSettings.parse(reader("web")),
    )


def _bot(r: _Reader, base: Path) -> BotSettings:
    r.reject_unknown(_known(BotSettings))
    data_dir = (base / r.get("data_dir", str, "data")).resolve()
    tz = r.get("timezone", str, "Europe/Paris")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise r.fail("timezone", f"unknown time zone {tz!r}") from err
    return BotSettings(
        address=r.address("address", required=True),
        data_dir=data_dir,
        database=r.get("database", str, f"sqlite:///{data_dir / 'mailbot.sqlite3'}"),
        timezone=tz,
        name=r.get("name", str, BotSettings.name),
        max_replies_per_address_per_day=r.get(
            "max_replies_per_address_per_day", int, BotSettings.max_replies_per_address_per_day
        ),
        max_message_bytes=r.get("max_message_bytes", int, BotSettings.max_message_bytes),
    )


def _port(r: _Reader, default: int) -> int:
    port: int = r.get("port", int, default)
    if not 0 < port < 65536:
        raise r.fail("port", f"out of range: {port}")
    return port


def _imap(r: _Reader) -> ImapSettings:
    r.reject_unknown(_known(ImapSettings) | {"password_env"})
    tls = r.choice("tls", TLS_MODES, "ssl")
    d = ImapSettings(host="")
    return ImapSettings(
        host=r.get("host", str, required=True),
        port=_port(r, 993 if tls == "ssl" else 143),
        tls=tls,
        username=r.get("username", str, required=True),
        password=r.secret(),
        list_folder=r.get("list_folder", str, d.list_folder),
        inbox_folder=r.get("inbox_folder", str, d.inbox_folder),
        quarantine_folder=r.get("quarantine_folder", str, d.quarantine_folder),
        idle_seconds=r.get("idle_seconds", int, d.idle_seconds),
        poll_seconds=r.get("poll_seconds", int, d.poll_seconds),
        fetch_batch=r.get("fetch_batch", int, d.fetch_batch),
    )


def _smtp(r: _Reader) -> SmtpSettings:
    r.reject_unknown(_known(SmtpSettings) | {"password_env"})
    tls = r.choice("tls", TLS_MODES, "starttls")
    return SmtpSettings(
        host=r.get("host", str, required=True),
        port=_port(r, {"ssl": 465, "starttls": 587, "none": 25}[tls]),
        tls=tls,
        username=r.get("username", str, ""),
        password=r.secret(),
        timeout_s=r.get("timeout_s", float, 30.0),
    )


def _list(r: _Reader) -> ListSettings:
    r.reject_unknown(_known(ListSettings))
    address = r.address("address", ListSettings.address)
    local, _, domain = address.partition("@")
    return ListSettings(
        address=address,
        name=r.get("name", str, local),
        list_id=r.get("list_id", str, f"{local}.{domain}"),
        sync=r.choice("sync", ("sympa", "off"), "sympa"),
        sympa=r.address("sympa", ListSettings.sympa),
    )


def _auth(r: _Reader) -> AuthSettings:
    r.reject_unknown(_known(AuthSettings))
    return AuthSettings(authserv_id=r.get("authserv_id", str, "").strip().lower())


def _source(r: _Reader, base: Path) -> SourceSettings:
    r.reject_unknown(_known(SourceSettings))
    maildir = r.get("maildir", str)
    return SourceSettings(maildir=(base / maildir).resolve() if maildir else None)


def _cotech(r: _Reader) -> CotechSettings:
    r.reject_unknown(_known(CotechSettings))
    recipients = r.get("recipients", list, [])
    for item in recipients:
        if not isinstance(item, str) or "@" not in item:
            raise r.fail("recipients", f"not an email address: {item!r}")
    cron = r.get("digest_cron", str, CotechSettings.digest_cron)
    if len(cron.split()) != 5:
        raise r.fail("digest_cron", f"expected 5 cron fields (min hour day month weekday), got {cron!r}")
    return CotechSettings(
        recipients=tuple(x.strip().lower() for x in recipients),
        address=r.address("address", ""),
        digest_cron=cron,
    )




def _proofs(r: _Reader) -> ProofSettings:
    r.reject_unknown(_known(ProofSettings))
    fee = r.table.get("fee_eur", ProofSettings.fee_eur)
    try:
        fee = f"{float(fee):.2f}"
    except (TypeError, ValueError) as err:
        raise r.fail("fee_eur", f"expected an amount in euros, got {fee!r}") from err
    complete = r.get("complete_when", list, None)
    if complete is None:
        return ProofSettings(fee_eur=fee)
    groups: list[tuple[tuple[str, ...], ...]] = []
    for group in complete:
        if not isinstance(group, list) or not group:
            raise r.fail("complete_when", "expected a list of alternatives, each a list of kinds")
        alts = []
        for alt in group:
            kinds = [alt] if isinstance(alt, str) else alt
            for kind in kinds:
                if kind not in KINDS:
                    raise r.fail("complete_when", f"unknown proof kind {kind!r}")
            alts.append(tuple(kinds))
        groups.append(tuple(alts))
    return ProofSettings(fee_eur=fee, complete_when=tuple(groups))


def _refresh(r: _Reader) -> RefreshSettings:
    r.reject_unknown(_known(RefreshSettings))
    start = r.get("start", date, None)
    days = r.get("reminder_days", list, [7, 14])
    if not all(isinstance(d, int) and d > 0 for d in days):
        raise r.fail("reminder_days", "expected a list of positive whole numbers of days")
    return RefreshSettings(
        start=start, reminder_days=tuple(days), deadline_days=r.get("deadline_days", int, 21)
    )


def _simple(r: _Reader, cls: type[Any]) -> Any:
    """Sections made of plain scalars with defaults."""
    r.reject_unknown(_known(cls))
    defaults = cls()
    values = {
        f.name: r.get(f.name, type(getattr(defaults, f.name)), getattr(defaults, f.name))
        for f in fields(cls)
    }
    return cls(**values)
