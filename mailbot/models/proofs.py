"""Tables of the proofs domain (filled by its issue)."""

from __future__ import annotations
