"""The settings: frozen dataclasses, one per config.toml table, with their defaults.

`mailbot.config` reads config.toml into these; everything else only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from mailbot import shipped

TLS_MODES = ("ssl", "starttls", "none")


class Secret(str):
    """A password: a str that never shows itself in logs or reprs."""

    def __repr__(self) -> str:
        return "Secret('***')"


@dataclass(frozen=True)
class BotSettings:
    address: str
    data_dir: Path
    database: str
    timezone: str = "Europe/Paris"
    name: str = "Robot du programme QPV"
    max_replies_per_address_per_day: int = 10
    max_message_bytes: int = 25 * 1024 * 1024

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int = 993
    tls: str = "ssl"
    username: str = ""
    password: Secret = field(default=Secret(""), repr=False)
    list_folder: str = "INBOX.qpv-hpf"
    inbox_folder: str = "INBOX"
    quarantine_folder: str = "Quarantaine"
    idle_seconds: int = 25 * 60  # re-issued well before the 29-minute RFC 2177 limit
    poll_seconds: int = 60  # when the server has no IDLE
    fetch_batch: int = 200


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    tls: str = "starttls"
    username: str = ""
    password: Secret = field(default=Secret(""), repr=False)
    timeout_s: float = 30.0


@dataclass(frozen=True)
class ListSettings:
    address: str = "qpv-hpf@framalistes.org"
    name: str = "qpv-hpf"
    list_id: str = "qpv-hpf.framalistes.org"
    sync: str = "sympa"  # "sympa" | "off"
    sympa: str = "sympa@framalistes.org"


@dataclass(frozen=True)
class AuthSettings:
    authserv_id: str = ""


@dataclass(frozen=True)
class SourceSettings:
    maildir: Path | None = None


@dataclass(frozen=True)
class CotechSettings:
    recipients: tuple[str, ...] = ()
    address: str = ""  # where people reach a human; defaults to the first recipient
    digest_cron: str = "0 8 * * mon"

    @property
    def contact(self) -> str:
        return self.address or (self.recipients[0] if self.recipients else "")


@dataclass(frozen=True)
class ProofSettings:
    fee_eur: str = "600.00"
    # Complete for invoicing: every group of one alternative is satisfied.
    # Default: a mission form, and an attendance sheet or (thank-you + report).
    complete_when: tuple[tuple[tuple[str, ...], ...], ...] = (
        (("mission_form",),),
        (("attendance_sheet",), ("thank_you", "meeting_report")),
    )


@dataclass(frozen=True)
class ReminderSettings:
    after_days: int = 7
    every_days: int = 7
    max_count: int = 3


@dataclass(frozen=True)
class SubscriptionSettings:
    token_days: int = 7


@dataclass(frozen=True)
class RefreshSettings:
    start: date | None = None  # the mid-AMI date
    reminder_days: tuple[int, ...] = (7, 14)
    deadline_days: int = 21


@dataclass(frozen=True)
class BounceSettings:
    threshold: float = 3.0


@dataclass(frozen=True)
class WebSettings:
    """`[web]`: the COTECH's page (mailbot/web/): where it listens, its public URL, who
    may sign in besides the roster's COTECH, the cookie key's variable, in the daemon."""

    listen: str = "127.0.0.1:8025"
    base_url: str = "http://127.0.0.1:8025"
    allow: tuple[str, ...] = ()
    secret_env: str = ""
    in_daemon: bool = False

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0]

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])

    @property
    def secure(self) -> bool:
        return self.base_url.startswith("https://")


@dataclass(frozen=True)
class Settings:
    """Everything the daemon needs, read from one config.toml."""

    path: Path
    bot: BotSettings
    imap: ImapSettings | None
    smtp: SmtpSettings | None
    list: ListSettings
    auth: AuthSettings
    source: SourceSettings
    cotech: CotechSettings
    proofs: ProofSettings
    reminders: ReminderSettings
    subscriptions: SubscriptionSettings
    refresh: RefreshSettings
    bounces: BounceSettings
    rules_dir: Path | None = None  # [paths] rules: the operator's overrides, if any
    templates_dir: Path | None = None  # [paths] templates

    @property
    def rules_dirs(self) -> tuple[Path, ...]:
        """Where rule files are looked up, the operator's folder first."""
        return shipped.layers("rules", self.rules_dir)

    @property
    def templates_dirs(self) -> tuple[Path, ...]:
        """Where templates are looked up, the operator's folder first."""
        return shipped.layers("templates", self.templates_dir)
    web: WebSettings = field(default_factory=WebSettings)

    @property
    def outbox_dir(self) -> Path:
        """Where mail goes when no SMTP server is configured."""
        return self.bot.data_dir / "outbox"

    @property
    def files_dir(self) -> Path:
        return self.bot.data_dir / "files"
