"""References: 4+4 characters from an alphabet without look-alikes (no 0/O, 1/I/L).

A reference is drawn with `secrets`, is unique across confirmation requests and
refresh entries, and is what a person quotes back (subject, text or thread) to
confirm. Single use and expiry are properties of the row that holds it.
"""

from __future__ import annotations

import re
import secrets

from sqlmodel import Session, select

from mailbot.models.subscriptions import RefreshEntry, SubscriptionRequest

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_RE = re.compile(r"\b([A-HJ-NP-Z2-9]{4})-([A-HJ-NP-Z2-9]{4})\b")
# Our own Message-IDs carry the reference: <confirm.K7Q2-9XHD.20211129102230.ab12@domain>
THREAD_RE = re.compile(r"^(confirm|refresh)\.([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\.")


def draw() -> str:
    """One random reference, e.g. K7Q2-9XHD."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def taken(session: Session, reference: str) -> bool:
    if session.exec(select(SubscriptionRequest.id)
                    .where(SubscriptionRequest.reference == reference)).first() is not None:
        return True
    return session.exec(select(RefreshEntry.id)
                        .where(RefreshEntry.reference == reference)).first() is not None


def new_reference(session: Session) -> str:
    """A reference no row holds yet (31^8 values: a clash is a curiosity, still checked)."""
    while True:
        reference = draw()
        if not taken(session, reference):
            return reference


def in_text(*chunks: str) -> list[str]:
    """Every reference found in the chunks, in order, without repeats."""
    found: list[str] = []
    for chunk in chunks:
        for a, b in REFERENCE_RE.findall((chunk or "").upper()):
            ref = f"{a}-{b}"
            if ref not in found and all(c in ALPHABET for c in a + b):
                found.append(ref)
    return found


def in_thread(message_ids: list[str]) -> list[str]:
    """References carried by our own Message-IDs in In-Reply-To/References."""
    found: list[str] = []
    for mid in message_ids:
        match = THREAD_RE.match(mid.strip("<>"))
        if match and match.group(2) not in found:
            found.append(match.group(2))
    return found
