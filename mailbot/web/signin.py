"""Sign-in by email: who may, the single-use links, and the rate limits.

Who may sign in: roster members of group COTECH (active) and the addresses
of `[web] allow`. A link is `<base_url>/connexion/<secret>`; only the SHA-256
of the secret is stored. It is valid LINK_MINUTES and used at most once (the
UPDATE that marks it used is conditional on it being unused, so two clicks
cannot both sign in). Opening the link (GET) shows a button; only its POST
calls `redeem`, so a link scanner fetching the URL spends nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from mailbot.members import normalise
from mailbot.models import Member
from mailbot.models.web import WebToken

LINK_MINUTES = 15


def allowed(session: Session, address: str, allow: tuple[str, ...]) -> bool:
    """True for a COTECH member of the roster (not gone) or an address of `[web] allow`."""
    email = normalise(address)
    if not email or "@" not in email:
        return False
    if email in allow:
        return True
    member = session.exec(select(Member).where(Member.email == email)).first()
    return member is not None and member.group == "COTECH" and member.status != "left"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def issue(session: Session, address: str, now: datetime, client: str) -> str:
    """A new link secret for the address (stored hashed)."""
    secret = secrets.token_urlsafe(32)
    session.add(WebToken(token_hash=_hash(secret), email=normalise(address), created_at=now,
                         expires_at=now + timedelta(minutes=LINK_MINUTES), client=client[:100]))
    session.flush()
    return secret


def peek(session: Session, secret: str, now: datetime) -> WebToken | None:
    """The link's row if it can still be used (for the GET page), else None."""
    row = session.exec(select(WebToken).where(WebToken.token_hash == _hash(secret))).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def redeem(session: Session, secret: str, now: datetime) -> str | None:
    """Use the link once: the address it signs in, or None (unknown, used or expired)."""
    digest = _hash(secret)
    done = session.execute(
        update(WebToken).where(col(WebToken.token_hash) == digest,
                               col(WebToken.used_at).is_(None),
                               col(WebToken.expires_at) > now).values(used_at=now))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = session.exec(select(WebToken).where(WebToken.token_hash == digest)).one()
    return row.email


@dataclass
class RateLimit:
    """At most `limit` events per key in a sliding `window` seconds (in memory, per process)."""

    limit: int
    window: float
    clock: Callable[[], float] = time.monotonic
    _events: dict[str, deque[float]] = field(default_factory=dict)

    def hit(self, key: str) -> bool:
        """Count one event for `key`; False when it is over the limit (then not counted)."""
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        if len(self._events) > 10_000:  # forget idle keys
            self._events = {k: v for k, v in self._events.items() if v}
        return True
