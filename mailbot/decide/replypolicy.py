"""Whether we may answer a message at all (Mailman's replybot rule, RFC 3834).

No reply to: Auto-Submitted other than "no", any Precedence, an empty return
path, List-* headers, our own X-Loop or address, X-Ack: no. Pure.
"""

from __future__ import annotations

from mailbot.mime.incoming import Incoming


def refusal(msg: Incoming, bot_address: str) -> str | None:
    """Why we must not answer this message, or None when we may."""
    submitted = (msg.header("Auto-Submitted") or "no").strip().lower()
    if submitted != "no":
        return f"Auto-Submitted: {submitted}"
    if msg.header("Precedence") is not None:
        return f"Precedence: {msg.header('Precedence')}"
    return_path = msg.header("Return-Path")
    if return_path is not None and return_path.strip() in ("<>", ""):
        return "chemin de retour vide"
    for name in msg.headers.keys():
        if name.lower().startswith("list-"):
            return f"en-tête {name}"
    if any(bot_address in v.lower() for v in msg.header_all("X-Loop")):
        return "notre X-Loop"
    if msg.from_email == bot_address:
        return "notre propre adresse"
    if (msg.header("X-Ack") or "").strip().lower() == "no":
        return "X-Ack: no"
    if msg.from_ is None:
        return "pas d'expéditeur"
    return None
