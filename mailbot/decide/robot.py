"""The robot-mail decision: is this message written by a machine, and of which kind?

One decision for the whole daemon: the `robot` guard files a message by it, and the
reply policy refuses to answer any message it calls a robot's, so a robot's mail
never gets an answer and never starts a command. The signals, and their order, are
those of mailbot.decide.robotsignals; `judge` combines them (see its docstring).
Where they disagree the verdict is "unsure": held for a person, answered by nobody.
Pure: message in, verdict out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailbot.decide.robotsignals import FORWARD_SUBJECT, HEADERS, Reading, Signal, read, signals
from mailbot.mime.incoming import Incoming

__all__ = ["HEADERS", "RobotVerdict", "bounce_details", "judge"]


@dataclass(frozen=True)
class RobotVerdict:
    """What the signals say together: `category` is bounce, autoreply, bulk, unsure or
    None (a person's mail); `details` carries the bounce's action and address."""

    category: str | None
    reason: str
    signals: tuple[Signal, ...] = ()
    details: dict[str, str] = field(default_factory=dict)

    @property
    def is_robot(self) -> bool:
        return self.category is not None


def judge(msg: Incoming, own_list_id: str = "") -> RobotVerdict:
    """The signals together, first rule that holds:

    1. none, or only an SMTP diagnostic in the text      -> None (a person's mail)
    2. a forward by a person (Fwd:/TR: subject, no robot sender, no Auto-Submitted)
       carrying a delivery report or failures            -> unsure
    3. a delivery report                                 -> bounce
    4. failures found by flufl.bounce, with a daemon sender, a bounce subject, or
       another robot signal that is not an auto-reply's own mark -> bounce;
       alone (a reply quoting its recipients can look like one to flufl's looser
       detectors) or beside an auto-reply's marks        -> unsure
    5. a daemon sender (null, MAILER-DAEMON, postmaster) -> autoreply when its subject
       says so, else bounce
    6. a bounce subject with any other signal (an SMTP diagnostic included), or a
       diagnostic with Auto-Submitted, a service sender or bulk headers -> bounce
    7. Auto-Submitted, a vendor header, an auto-reply subject -> autoreply
    8. a bounce subject alone                            -> unsure
    9. a service sender or bulk mail                     -> bulk
    """
    reading = read(msg, own_list_id)
    found = signals(reading)
    names = {s.name for s in found}
    if names <= {"diagnostic"}:
        return RobotVerdict(None, "")
    kinds = {(s.name, s.kind) for s in found}
    daemon = ("sender", "daemon") in kinds
    bounce_subject = ("subject", "bounce") in kinds
    auto_marks = "vendor" in names or ("subject", "auto") in kinds
    bounce_evidence = "report" in names or "failures" in names
    forward = FORWARD_SUBJECT.match(msg.subject) and not daemon and "submitted" not in names
    reason = "; ".join(s.reason for s in found)
    if forward and bounce_evidence:
        return RobotVerdict("unsure", f"transfert d'un avis de non-remise ? ({reason})", found)
    if "report" in names:
        return RobotVerdict("bounce", reason, found, bounce_details(reading))
    if "failures" in names:
        others = names - {"failures"}
        if daemon or bounce_subject or (others and not auto_marks):
            return RobotVerdict("bounce", reason, found, bounce_details(reading))
        doubt = "réponse automatique ou non-remise ?" if others else "seul flufl.bounce y voit une non-remise"
        return RobotVerdict("unsure", f"{doubt} ({reason})", found)
    if daemon:
        category = "autoreply" if ("subject", "auto") in kinds else "bounce"
        details = bounce_details(reading) if category == "bounce" else {}
        return RobotVerdict(category, reason, found, details)
    if (bounce_subject and len(found) > 1) or (
            "diagnostic" in names and not auto_marks and names & {"submitted", "sender", "bulk"}):
        return RobotVerdict("bounce", reason, found, bounce_details(reading))
    if "submitted" in names or auto_marks:
        return RobotVerdict("autoreply", reason, found)
    if bounce_subject:
        return RobotVerdict("unsure", f"objet de non-remise sans autre signe ({reason})", found)
    return RobotVerdict("bulk", reason, found)


def bounce_details(reading: Reading) -> dict[str, str]:
    """The bounce's action (failed or delayed) and its first failed address ("" if none)."""
    msg, failed, delayed = reading.msg, reading.failed, reading.delayed
    body = msg.raw.decode("latin-1", errors="replace") if msg.raw else msg.text
    actions = {a.lower() for a in re.findall(r"(?im)^action:\s*(\w+)", body)}
    action = "failed"
    if actions and actions <= {"delayed", "relayed", "delivered", "expanded"}:
        action = "delayed"
    if not failed and delayed:
        action = "delayed"
    address = sorted(failed or delayed)[0] if (failed or delayed) else ""
    return {"action": action, "address": address}
