"""Queueing our own mail: render a template kind, compose, queue under a key.

Used by handlers (inside the message's transaction; `keys` is then the job's
reply list so the outbox sender is woken), jobs and the CLI. Replies to a
message's sender go through `Job.reply`, which applies the replybot rule
first. Nothing here does network I/O: rows go to the outbox.

Our Message-IDs for confirmations and refresh mail carry the reference
(`<confirm.K7Q2-9XHD.20211129102230.3f9a@domain>`), so a reply is matched by
its thread even when the subject was rewritten.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from mailbot.mail import outbox
from mailbot.mail.outbox import Identity
from mailbot.mail.render import Renderer
from mailbot.models import OutboxMessage
from mailbot.settings import Settings


class MailServices(Protocol):
    """What queueing mail needs of `mailbot.services.Services` (which satisfies it)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def renderer(self) -> Renderer: ...
    @property
    def identity(self) -> Identity: ...

    def now(self) -> datetime: ...


def template_context(services: MailServices, to_name: str, extra: dict[str, Any]) -> dict[str, Any]:
    """What every template may use (greeting, our addresses), then the kind's own values."""
    s = services.settings
    parts = to_name.split()
    first = parts[0] if parts and "@" not in parts[0] else ""
    base: dict[str, Any] = {
        "first_name": first, "bot_address": s.bot.address,
        "cotech_address": s.cotech.contact, "list_address": s.list.address,
        "list_name": s.list.name,
    }
    return {**base, **extra}


@dataclass
class Mailer:
    """Renders and queues our mail in the caller's session, once per key."""

    session: Session
    services: MailServices
    cause: str | None = None  # the Message-ID that caused it, if any
    keys: list[str] = field(default_factory=list)

    def context(self, to_name: str, extra: dict[str, Any]) -> dict[str, Any]:
        return template_context(self.services, to_name, extra)

    def send(self, kind: str, to: str, *, key: str, **options: Any) -> bool:
        """Queue one mail; False when the key was already queued."""
        return self.queue(kind, to, key=key, **options) is not None

    def queue(self, kind: str, to: str, *, key: str, to_name: str = "",
              in_reply_to: str | None = None, references: Sequence[str] = (),
              auto: str = "auto-generated", capped: bool = True, thread: str | None = None,
              **extra: Any) -> OutboxMessage | None:
        """Queue one mail; its outbox row (status queued or suppressed by the daily cap),
        or None when the key was already queued."""
        svc = self.services
        rendered = svc.renderer.render(kind, **self.context(to_name, extra))
        mail = outbox.compose(svc.identity, to, rendered, to_name=to_name,
                              in_reply_to=in_reply_to, references=references, auto=auto)
        if thread:
            stamp = svc.now().strftime("%Y%m%d%H%M%S")
            del mail["Message-ID"]
            mail["Message-ID"] = (f"<{thread}.{stamp}.{secrets.token_hex(3)}"
                                  f"@{svc.identity.domain}>")
        cap = svc.settings.bot.max_replies_per_address_per_day if capped else None
        row = outbox.queue(self.session, key, kind, to, mail, cause=self.cause, daily_cap=cap)
        if row is not None:
            self.keys.append(key)
        return row

    def to_cotech(self, kind: str, *, key: str, **extra: Any) -> int:
        """One mail to each COTECH recipient; how many were queued."""
        queued = 0
        for address in self.services.settings.cotech.recipients:
            queued += self.send(kind, address, key=f"{key}:{address}", capped=False, **extra)
        return queued

    def to_sympa(self, command: str, *, key: str, in_reply_to: str | None = None,
                 auto: str = "auto-generated") -> bool:
        """A command to the Sympa robot, in the Subject (Sympa then ignores the body)."""
        return self.send("sympa_command", self.services.settings.list.sympa, key=key,
                         in_reply_to=in_reply_to, auto=auto, capped=False, command=command)


