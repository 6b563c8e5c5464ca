"""Tables of the jobs domain (filled by its issue)."""

from __future__ import annotations
