"""Tables of the subscriptions domain (filled by its issue)."""

from __future__ import annotations
