"""Whose dossier a proof message goes to: the roster member of its From, or nobody.

The pipeline already resolved the From (directly or through an alias) into
`Context.sender`. This module decides what to do with that:

* a GO member (an AMO), trusted: the proofs are filed under her roster address;
* an untrusted message (see `trust`): held and flagged, never acts for her;
* a roster member who is not an AMO: held for the COTECH;
* an unknown address: held, the sender asked to write from her registered
  address. A *suggestion* (a roster AMO whose full name signs the message, or
  whose name is the address' local part) is recorded for the COTECH; it is a
  guess, never used to file anything.

The forwarded messages' senders are data (who thanked the AMO), never identity.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlmodel import Session, col, select

from mailbot.decide.facts import MemberView
from mailbot.mime.incoming import Incoming
from mailbot.models import Member
from mailbot.decide.trust import Trust

AMO_GROUP = "GO"


@dataclass(frozen=True)
class Attribution:
    """Where the message goes: `member` set means file it; else `hold` says why."""

    member: MemberView | None
    hold: str | None = None  # unknown_sender | untrusted | not_amo
    detail: str = ""
    suggested: str | None = None  # roster address of a likely AMO (unknown senders only)


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces (for name matching)."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9@.]+", " ", plain).split())


def attribute(session: Session, msg: Incoming, sender: MemberView | None,
              trust: Trust) -> Attribution:
    """Decide whose dossier this proof message feeds."""
    address = msg.from_email or "?"
    if not trust.trusted:
        return Attribution(None, "untrusted", f"{address} : {trust.reason}")
    if sender is None:
        guess = suggest(session, msg)
        detail = f"adresse inconnue {address}"
        if guess:
            detail += f" (peut-être {guess})"
        return Attribution(None, "unknown_sender", detail, guess)
    if sender.group != AMO_GROUP:
        return Attribution(None, "not_amo",
                           f"{sender.email} n'est pas AMO (groupe {sender.group or 'inconnu'})")
    return Attribution(sender)


def suggest(session: Session, msg: Incoming) -> str | None:
    """The one AMO whose full name appears in the sender's own words, or None."""
    amos = session.exec(select(Member).where(Member.group == AMO_GROUP)
                        .order_by(col(Member.email))).all()
    own_words = fold(f"{msg.from_.name if msg.from_ else ''}\n{msg.text}")
    local = fold((msg.from_email or "").partition("@")[0].replace(".", " "))
    found: list[str] = []
    for member in amos:
        name = fold(member.name)
        if len(name.split()) < 2:
            continue
        if re.search(rf"\b{re.escape(name)}\b", own_words) or local.startswith(name):
            found.append(member.email)
    return found[0] if len(found) == 1 else None
