"""Commands of the proofs domain (filled by its issue)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add this domain's sub-commands."""
