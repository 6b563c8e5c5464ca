"""Whether we may answer a message at all.

`refusal`: Mailman's replybot rule and RFC 3834, then the robot-mail decision
(mailbot.decide.robot): no reply to Auto-Submitted other than "no", any
Precedence, an empty return path, List-* headers, our own X-Loop or address,
X-Ack: no, nor to anything the robot decision calls a machine's mail.

`stranger_refusal`: an unknown sender is answered only when our server
authenticated the From (mailbot.decide.trust.authenticated) and nothing in the
message is hostile or malformed (mailbot.decide.hostile). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mailbot.decide import hostile, robot, trust
from mailbot.mime.incoming import Incoming


@dataclass(frozen=True)
class Unsafe:
    """Why a stranger is not answered; `hostile` asks for quarantine, else hold."""

    reason: str
    hostile: bool


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
    verdict = robot.judge(msg)
    if verdict.is_robot:
        return f"courrier d'un robot : {verdict.reason}"
    return None


def stranger_refusal(msg: Incoming, authserv_id: str,
                     known_domains: Iterable[str]) -> Unsafe | None:
    """Why an unknown sender must not be answered, or None when it is safe."""
    found = hostile.findings(msg, known_domains)
    if found:
        return Unsafe("message suspect d'une adresse inconnue : " + "; ".join(found), True)
    why = trust.authenticated(msg, authserv_id)
    if why is not None:
        return Unsafe(f"adresse inconnue, pas de réponse : {why}", False)
    return None
