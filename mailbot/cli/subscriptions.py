"""Commands of the subscriptions domain (filled by its issue)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add this domain's sub-commands."""


def register_members(members_sub: Any) -> None:
    """Add sub-commands under `mailbot members` (history, forget)."""
