"""config.toml to typed, frozen settings (`mailbot.settings`), validated once at start.

Every value is checked here, so that a mistake stops `mailbot check` and the
daemon's start with one line naming the file, the section, the key and what
is wrong (in French), never later with a traceback: types, ranges, addresses,
the digest's cron expression (French day names accepted), the time zone,
amounts, the database URL, and the folders the daemon must write or read.
Secrets come from the environment (`password_env`) and are never printed.

A new section is one builder in `SECTIONS` and one dataclass in settings.py.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from mailbot import validate
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
    Settings,
    SmtpSettings,
    SourceSettings,
    SubscriptionSettings,
    TLS_MODES,
    WebSettings,
)
from mailbot.tomlreader import TableReader, email_address, shown


def _known(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def load(path: str | os.PathLike[str]) -> Settings:
    """Read and validate config.toml; raise ConfigError naming file and key."""
    cfg_path = Path(path).resolve()
    try:
        doc = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError(f"{cfg_path}\u00a0: fichier introuvable "
                          "(« mailbot init DOSSIER » en écrit un)") from err
    except IsADirectoryError as err:
        raise ConfigError(f"{cfg_path}\u00a0: c'est un dossier, pas un fichier") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{cfg_path}\u00a0: illisible ({err})") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{cfg_path}\u00a0: TOML invalide ({err})") from err
    return from_dict(doc, cfg_path)


def from_dict(doc: dict[str, Any], cfg_path: Path) -> Settings:
    """Build Settings from a parsed TOML document (used by load and tests)."""
    for name, value in doc.items():
        if name not in SECTIONS:
            raise ConfigError(f"{cfg_path}\u00a0: [{name}]\u00a0: section inconnue "
                              f"(connues\u00a0: {', '.join(SECTIONS)})")
        if not isinstance(value, dict):
            raise ConfigError(f"{cfg_path}\u00a0: {name}\u00a0: une section [{name}] est "
                              f"attendue, pas une valeur {shown(value)}")
    base = cfg_path.parent
    bot = _bot(TableReader(cfg_path, "bot", doc.get("bot", {})), base)
    built: dict[str, Any] = {}
    for name, build in SECTIONS.items():
        if name == "bot" or (name in OPTIONAL and name not in doc):
            continue
        built[name] = build(TableReader(cfg_path, name, doc.get(name, {})), base, bot)
    paths = built.pop("paths")
    return Settings(path=cfg_path, bot=bot, imap=built.pop("imap", None),
                    smtp=built.pop("smtp", None), **built, **paths)


def _bot(r: TableReader, base: Path) -> BotSettings:
    r.reject_unknown(_known(BotSettings))
    data_dir = r.folder("data_dir", base, "data")
    assert data_dir is not None
    r.checked("data_dir", validate.writable_dir, data_dir)
    database = r.get("database", str, f"sqlite:///{data_dir / 'mailbot.sqlite3'}")
    try:
        make_url(database)
    except (ArgumentError, ValueError) as err:
        raise r.fail("database", f"adresse de base invalide {shown(database)} (par exemple "
                                 "« postgresql+psycopg://mailbot@localhost/mailbot »)") from err
    d = BotSettings(address="", data_dir=data_dir, database=database)
    return BotSettings(
        address=r.address("address", required=True),
        data_dir=data_dir,
        database=database,
        timezone=r.checked("timezone", validate.timezone, r.get("timezone", str, d.timezone)),
        name=r.get("name", str, d.name),
        max_replies_per_address_per_day=r.number(
            "max_replies_per_address_per_day", int, d.max_replies_per_address_per_day, 0),
        max_message_bytes=r.number("max_message_bytes", int, d.max_message_bytes, 1024),
    )


def _port(r: TableReader, default: int) -> int:
    port: int = r.get("port", int, default)
    if not 0 < port < 65536:
        raise r.fail("port", f"un port de 1 à 65535 est attendu, pas {port}")
    return port


def _host(r: TableReader) -> str:
    host: str = r.get("host", str, required=True)
    if not host.strip() or " " in host.strip():
        raise r.fail("host", f"nom de serveur invalide {shown(host)}")
    return host.strip()


def _imap(r: TableReader, base: Path, bot: BotSettings) -> ImapSettings:
    r.reject_unknown(_known(ImapSettings) | {"password_env"})
    tls = r.choice("tls", TLS_MODES, "ssl")
    d = ImapSettings(host="")
    return ImapSettings(
        host=_host(r),
        port=_port(r, 993 if tls == "ssl" else 143),
        tls=tls,
        username=r.get("username", str, required=True),
        password=r.secret(),
        list_folder=r.get("list_folder", str, d.list_folder),
        inbox_folder=r.get("inbox_folder", str, d.inbox_folder),
        quarantine_folder=r.get("quarantine_folder", str, d.quarantine_folder),
        idle_seconds=r.number("idle_seconds", int, d.idle_seconds, 10, 29 * 60),  # RFC 2177
        poll_seconds=r.number("poll_seconds", int, d.poll_seconds),
        fetch_batch=r.number("fetch_batch", int, d.fetch_batch),
    )


def _smtp(r: TableReader, base: Path, bot: BotSettings) -> SmtpSettings:
    r.reject_unknown(_known(SmtpSettings) | {"password_env"})
    tls = r.choice("tls", TLS_MODES, "starttls")
    return SmtpSettings(
        host=_host(r),
        port=_port(r, {"ssl": 465, "starttls": 587, "none": 25}[tls]),
        tls=tls,
        username=r.get("username", str, ""),
        password=r.secret(),
        timeout_s=r.number("timeout_s", float, 30.0),
    )


def _list(r: TableReader, base: Path, bot: BotSettings) -> ListSettings:
    r.reject_unknown(_known(ListSettings))
    address = r.address("address", ListSettings.address) or ListSettings.address
    local, _, domain = address.partition("@")
    return ListSettings(
        address=address,
        name=r.get("name", str, local),
        list_id=r.get("list_id", str, f"{local}.{domain}"),
        sync=r.choice("sync", ("sympa", "off"), "sympa"),
        sympa=r.address("sympa", ListSettings.sympa),
    )


def _auth(r: TableReader, base: Path, bot: BotSettings) -> AuthSettings:
    r.reject_unknown(_known(AuthSettings))
    return AuthSettings(authserv_id=r.get("authserv_id", str, "").strip().lower())


def _source(r: TableReader, base: Path, bot: BotSettings) -> SourceSettings:
    r.reject_unknown(_known(SourceSettings))
    maildir = r.folder("maildir", base)
    if maildir is not None:
        r.checked("maildir", validate.writable_dir, maildir)
    return SourceSettings(maildir=maildir)


def _paths(r: TableReader, base: Path, bot: BotSettings) -> dict[str, Path | None]:
    """[paths] rules / templates: the operator's folders, if given, must exist."""
    r.reject_unknown({"rules", "templates"})
    found: dict[str, Path | None] = {}
    for key in ("rules", "templates"):
        folder = r.folder(key, base)
        if folder is not None and not folder.is_dir():
            raise r.fail(key, f"dossier introuvable\u00a0: {folder} (enlevez la clé pour "
                              f"n'utiliser que les {'règles' if key == 'rules' else 'modèles'} "
                              "livrés, ou « mailbot init DOSSIER --copy » pour les copier)")
        found[f"{key}_dir"] = folder
    return found


def _cotech(r: TableReader, base: Path, bot: BotSettings) -> CotechSettings:
    r.reject_unknown(_known(CotechSettings))
    recipients = r.get("recipients", list, [])
    cron = r.get("digest_cron", str, CotechSettings.digest_cron)
    return CotechSettings(
        recipients=tuple(r.checked("recipients", email_address, x) for x in recipients),
        address=r.address("address", ""),
        digest_cron=r.checked("digest_cron", validate.cron, cron, bot.timezone),
    )


def _proofs(r: TableReader, base: Path, bot: BotSettings) -> ProofSettings:
    r.reject_unknown(_known(ProofSettings))
    fee = r.checked("fee_eur", validate.amount, r.table.get("fee_eur", ProofSettings.fee_eur))
    complete = r.get("complete_when", list, None)
    if complete is None:
        return ProofSettings(fee_eur=fee)
    groups: list[tuple[tuple[str, ...], ...]] = []
    for group in complete:
        if not isinstance(group, list) or not group:
            raise r.fail("complete_when", "une liste de groupes est attendue, chaque groupe une "
                                          "liste d'alternatives")
        alts = []
        for alt in group:
            kinds = [alt] if isinstance(alt, str) else alt
            if not isinstance(kinds, list) or not kinds:
                raise r.fail("complete_when", f"alternative invalide {shown(alt)}")
            for kind in kinds:
                if kind not in KINDS:
                    raise r.fail("complete_when", f"nature de justificatif inconnue "
                                                  f"{shown(kind)} (connues\u00a0: "
                                                  f"{', '.join(KINDS)})")
            alts.append(tuple(kinds))
        groups.append(tuple(alts))
    return ProofSettings(fee_eur=fee, complete_when=tuple(groups))


def _refresh(r: TableReader, base: Path, bot: BotSettings) -> RefreshSettings:
    r.reject_unknown(_known(RefreshSettings))
    start = r.get("start", date, None)
    days = r.get("reminder_days", list, [7, 14])
    if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in days):
        raise r.fail("reminder_days", "une liste de nombres de jours (entiers positifs) est "
                                      f"attendue, pas {shown(days)}")
    deadline = r.number("deadline_days", int, 21)
    if days and deadline <= max(days):
        raise r.fail("deadline_days", f"l'échéance ({deadline} jours) doit venir après la "
                                      f"dernière relance ({max(days)} jours)")
    return RefreshSettings(start=start, reminder_days=tuple(days), deadline_days=deadline)


def _web(r: TableReader, base: Path, bot: BotSettings) -> WebSettings:
    """[web]: where the COTECH's page listens, its public URL, who else may sign in."""
    r.reject_unknown(_known(WebSettings))
    listen: str = r.get("listen", str, WebSettings.listen)
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise r.fail("listen", f"hôte:port est attendu (par exemple « 127.0.0.1:8025 »), "
                               f"pas {shown(listen)}")
    base_url: str = r.get("base_url", str, f"http://{listen}").rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise r.fail("base_url", f"une adresse http(s):// est attendue, pas {shown(base_url)}")
    allow = r.get("allow", list, [])
    return WebSettings(
        listen=listen, base_url=base_url,
        allow=tuple(r.checked("allow", email_address, a) for a in allow),
        secret_env=r.get("secret_env", str, ""),
        in_daemon=r.get("in_daemon", bool, False),
    )


def _simple(cls: type[Any], least: dict[str, float]) -> Callable[..., Any]:
    """A builder for a section made of numbers with defaults, each at least `least`."""
    def build(r: TableReader, base: Path, bot: BotSettings) -> Any:
        r.reject_unknown(_known(cls))
        defaults = cls()
        return cls(**{f.name: r.number(f.name, type(getattr(defaults, f.name)),
                                       getattr(defaults, f.name), least.get(f.name, 1))
                      for f in fields(cls)})

    return build


SECTIONS: dict[str, Callable[..., Any]] = {
    "bot": _bot, "imap": _imap, "smtp": _smtp, "list": _list, "auth": _auth,
    "source": _source, "cotech": _cotech, "proofs": _proofs,
    "reminders": _simple(ReminderSettings, {"max_count": 0}),
    "subscriptions": _simple(SubscriptionSettings, {}),
    "refresh": _refresh, "bounces": _simple(BounceSettings, {"threshold": 0.1}),
    "paths": _paths, "web": _web,
}
OPTIONAL = {"imap", "smtp"}  # absent: a local Maildir, a local outbox folder
