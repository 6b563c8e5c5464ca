"""The digest as data: what the templates render, nothing they must compute.

Every section that depends on another domain (dossiers, subscriptions) is
None when that domain is not available, so the templates can say so instead
of showing an empty, misleading section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class Thread:
    """A GO/GT thread's activity in the period: one line of the digest."""

    tag: str
    subject: str
    messages: int
    participants: list[str]
    first_at: datetime
    last_at: datetime

    @property
    def people(self) -> str:
        shown = self.participants[:5]
        more = len(self.participants) - len(shown)
        return ", ".join(shown) + (f" et {more} autre{'s' if more > 1 else ''}" if more else "")


@dataclass(frozen=True)
class PostLine:
    """A list post nobody could tag."""

    posted_at: datetime
    author: str
    subject: str


@dataclass(frozen=True)
class HeldLine:
    """A message kept for a human, and why."""

    at: datetime
    status: str  # held | quarantined
    category: str
    sender: str
    subject: str
    reason: str


@dataclass(frozen=True)
class DossierLine:
    """One AMO's dossier as the COTECH reads it."""

    member_email: str
    name: str
    started: bool  # at least one proof received
    complete: bool
    proofs: str  # "remerciement, CR, émargement ×2"
    missing: str  # "" when complete
    tickets: int
    tickets_eur: Decimal
    amount_due_eur: Decimal  # once complete: fee (unless funded elsewhere) + tickets
    funded_elsewhere: bool
    short_of_cash: bool
    invoice: str  # "non reçue", "reçue, conforme", ...
    invoice_ok: bool | None  # True received and matching, False a problem, None not received
    reminders: int
    last_reminder_at: datetime | None


@dataclass(frozen=True)
class ReminderLine:
    """A reminder sent in the period, or one the policy held back."""

    at: datetime | None
    member_email: str
    name: str
    kind: str
    label: str  # "relance facture n° 2 sur 3"
    detail: str  # what was asked, or why it was not sent


@dataclass(frozen=True)
class Subscriptions:
    """What changed on the list: from the subscriptions domain's period report."""

    changes: list[str]
    bounces: list[str]
    refresh: list[tuple[str, int]] | None
    sympa_differences: list[str]

    @property
    def empty(self) -> bool:
        return not (self.changes or self.bounces or self.refresh or self.sympa_differences)


@dataclass(frozen=True)
class Totals:
    posts: int
    threads_go: int
    threads_gt: int
    unclassified: int
    held: int
    days_claimable: int | None
    fees_eur: Decimal | None
    amount_due_eur: Decimal | None  # complete dossiers only
    tickets_pending_eur: Decimal | None  # tickets of dossiers not complete yet
    invoices_received: int | None
    dossiers: int | None


@dataclass(frozen=True)
class Digest:
    """Everything one digest says, for one period [start, end)."""

    start: datetime
    end: datetime
    threads: dict[str, list[Thread]]  # GO, GT, HABITANTS (only those present)
    unclassified: list[PostLine]
    held: list[HeldLine]
    dossiers: list[DossierLine] | None
    reminders: list[ReminderLine]
    reminders_held: list[ReminderLine]
    subscriptions: Subscriptions | None
    totals: Totals
    notes: list[str] = field(default_factory=list)  # sections that could not be built
    threads_more: dict[str, tuple[int, int]] = field(default_factory=dict)  # tag: (threads, posts) not listed
    unclassified_more: int = 0  # older unclassified posts not listed
