"""The services a handler or job may use, built once by the app: settings,
database, rules, templates, our identity, the clock.

Tests build one with a frozen clock and an in-memory database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from mailbot.settings import Settings
from mailbot.decide.facts import FIELDS
from mailbot.decide.guards import GuardEnv
from mailbot.mail.outbox import Identity
from mailbot.mail.render import Renderer
from mailbot.decide.rules import RuleSet, load_rules


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """Everything the pipeline, handlers and jobs share."""

    settings: Settings
    engine: Engine
    rules: RuleSet
    renderer: Renderer
    clock: Callable[[], datetime] = field(default=system_clock)

    @property
    def identity(self) -> Identity:
        return Identity(self.settings.bot.address, self.settings.bot.name)

    @property
    def guard_env(self) -> GuardEnv:
        s = self.settings
        return GuardEnv(bot_address=s.bot.address, list_address=s.list.address,
                        list_name=s.list.name, list_id=s.list.list_id,
                        sympa_address=s.list.sympa if s.list.sync == "sympa" else "")

    @property
    def our_addresses(self) -> tuple[str, ...]:
        """Addresses of ours that are never a member's: the bot, the list, the Sympa robot,
        the COTECH recipients (an address written in a command is never one of these)."""
        s = self.settings
        return (s.bot.address, s.list.address, s.list.sympa, *s.cotech.recipients)

    def now(self) -> datetime:
        return self.clock()


def build_services(settings: Settings, engine: Engine,
                   clock: Callable[[], datetime] = system_clock) -> Services:
    """Load rules and templates (failing loudly) and bundle the services."""
    rules = load_rules(settings.rules_dirs, FIELDS)
    renderer = Renderer(settings.templates_dirs, settings.bot.timezone)
    return Services(settings, engine, rules, renderer, clock)
