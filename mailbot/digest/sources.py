"""The other domains the digest and the reminders read, behind their published contracts.

`mailbot.proofs.dossiers.compute_dossiers` (issue 3) and
`mailbot.subscriptions.report.period_report` (issue 4) are imported when
called: until a module exists (or when it fails to import) the caller gets
None and says "not available" rather than failing the whole digest.
The Protocols below are what we rely on from their dataclasses.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, cast

from sqlmodel import Session

from mailbot.settings import Settings

log = logging.getLogger(__name__)


class DossierLike(Protocol):
    """What we read of `mailbot.proofs.dossiers.Dossier`."""

    @property
    def member_email(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def complete(self) -> bool: ...
    @property
    def missing(self) -> Sequence[str]: ...
    @property
    def proofs_by_kind(self) -> Mapping[str, int]: ...
    @property
    def funded_elsewhere(self) -> bool: ...
    @property
    def short_of_cash(self) -> bool: ...
    @property
    def fee_eur(self) -> Decimal: ...
    @property
    def tickets_total_eur(self) -> Decimal: ...
    @property
    def amount_due_eur(self) -> Decimal: ...
    @property
    def tickets(self) -> Sequence[Mapping[str, str | None]]: ...
    @property
    def invoice_received(self) -> bool: ...
    @property
    def invoice_amount_eur(self) -> Decimal | None: ...
    @property
    def invoice_matches(self) -> bool | None: ...
    @property
    def first_proof_at(self) -> datetime | None: ...
    @property
    def last_proof_at(self) -> datetime | None: ...
    @property
    def completed_at(self) -> datetime | None: ...


class ReportLike(Protocol):
    """What we read of `mailbot.subscriptions.report.SubscriptionReport`."""

    @property
    def changes(self) -> Sequence[Mapping[str, str | None]]: ...
    @property
    def bounces(self) -> Sequence[Mapping[str, object]]: ...
    @property
    def refresh(self) -> Mapping[str, int] | None: ...
    @property
    def sympa_differences(self) -> Sequence[str]: ...


def _function(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found = getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as err:
        log.debug("%s not available: %s", module, err)
        return None
    except (ImportError, AttributeError) as err:
        log.warning("%s.%s cannot be used: %s", module, name, err)
        return None
    return cast(Callable[..., Any], found)


def dossiers(session: Session, settings: Settings) -> list[DossierLike] | None:
    """Every AMO's dossier, or None when the proofs domain is not available."""
    compute = _function("mailbot.proofs.dossiers", "compute_dossiers")
    if compute is None:
        return None
    return list(compute(session, settings))


def subscription_report(session: Session, since: datetime, until: datetime) -> ReportLike | None:
    """What changed in subscriptions in [since, until), or None when not available."""
    report = _function("mailbot.subscriptions.report", "period_report")
    if report is None:
        return None
    return cast(ReportLike, report(session, since, until))
