"""Guards: the checks that run before any rule, in a fixed order, first hit wins.

Each guard is a small class with a `name`, a `description` and one verb,
`check(msg, env) -> GuardHit | None`. `GUARDS` is the table that orders them:

    loop        our own mail coming back (From or X-Loop of ours)
    sympa       mail from the configured Sympa robot about our list
    robot       the robot-mail decision (mailbot.decide.robot): bounces (a delay is not a
                failure), auto-replies, bulk mail, and mail whose signals disagree
    malformed   no usable sender, or only empty attachments

Guards are pure: message and environment in, verdict out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from mailbot.decide import robot
from mailbot.mime.incoming import Incoming

# every header field a guard reads beyond those of Incoming itself: a list post is
# fetched by these fields alone (tests/unit/test_list_fields.py keeps the list honest)
HEADERS = tuple(dict.fromkeys(("X-Loop", "List-Id", *robot.HEADERS)))


@dataclass(frozen=True)
class GuardEnv:
    """What guards know of us: our addresses."""

    bot_address: str
    list_address: str = ""
    list_name: str = ""
    list_id: str = ""
    sympa_address: str = ""


@dataclass(frozen=True)
class GuardHit:
    """A guard's verdict: the category it forces and why."""

    guard: str
    category: str
    reason: str
    details: dict[str, str] = field(default_factory=dict)


class Guard(Protocol):
    name: str
    description: str

    def check(self, msg: Incoming, env: GuardEnv) -> GuardHit | None: ...


class Loop:
    """Our own mail, or a mail carrying our X-Loop."""

    name = "loop"
    description = "Notre propre courrier revenu"

    def check(self, msg: Incoming, env: GuardEnv) -> GuardHit | None:
        if msg.from_email == env.bot_address:
            return GuardHit(self.name, "other", "envoyé depuis notre propre adresse")
        if any(env.bot_address in v.lower() for v in msg.header_all("X-Loop")):
            return GuardHit(self.name, "other", "porte notre en-tête X-Loop")
        return None


class Sympa:
    """The Sympa robot writing about our list: AUTH requests, command reports and
    notices come From the robot (`sympa@`), REVIEW answers From the list's `-request`
    address at the robot's domain (with Auto-Submitted: auto-replied, so this guard
    must run before the robot-mail ones). The list is named somewhere in the message,
    perhaps wrapped across lines (`qpv-` / `hpf`). Whether our server authenticated
    the sender is the handler's business (`Job.unauthenticated`)."""

    name = "sympa"
    description = "Courrier du robot Sympa au sujet de notre liste"

    def check(self, msg: Incoming, env: GuardEnv) -> GuardHit | None:
        if not env.sympa_address or msg.from_email not in _sympa_senders(env):
            return None
        marks = (env.list_id.lower(), env.list_name.lower(), env.list_address.lower())
        haystack = "".join(
            [msg.header("List-Id") or "", msg.subject, msg.text[:4000], msg.quoted[:4000]]
        ).lower()
        haystack = "".join(haystack.split())
        if any(m and m in haystack for m in marks):
            return GuardHit(self.name, "sympa", "message du robot Sympa pour notre liste")
        return None


def _sympa_senders(env: GuardEnv) -> tuple[str, ...]:
    """The robot's address, and the list's `-request` address at the robot's domain."""
    domain = env.sympa_address.rpartition("@")[2]
    if not env.list_name or not domain:
        return (env.sympa_address,)
    return (env.sympa_address, f"{env.list_name.lower()}-request@{domain}")


class Robot:
    """A machine's mail (mailbot.decide.robot): bounce, auto-reply, bulk, or unsure.

    Bounces and auto-replies keep their categories and guard names; bulk mail and
    mail whose signals disagree are "other" for a person (on our own list, a list
    post: the list role files it). None of them is answered
    (the reply policy asks the same decision) and none starts a command."""

    name = "robot"
    description = "Courrier d'un robot (non-remise, réponse automatique, envoi de masse)"

    def check(self, msg: Incoming, env: GuardEnv) -> GuardHit | None:
        verdict = robot.judge(msg, own_list_id=env.list_id)
        if verdict.category is None:
            return None
        if verdict.category == "bounce":
            action = verdict.details.get("action", "failed")
            return GuardHit("bounce", "bounce", f"avis de non-remise ({action})", verdict.details)
        if verdict.category == "autoreply":
            return GuardHit("autoreply", "autoreply", verdict.reason)
        ours = bool(env.list_id) and env.list_id.lower() in (msg.header("List-Id") or "").lower()
        if ours:  # our list's traffic: the list role files it, and never answers it
            return None
        if verdict.category == "bulk":
            return GuardHit("bulk", "other", f"envoi de masse ou d'un robot : {verdict.reason}")
        return GuardHit("robot", "other", f"courrier automatique à vérifier : {verdict.reason}")


class Malformed:
    """No usable sender, or attachments that are all empty."""

    name = "malformed"
    description = "Message inexploitable"

    def check(self, msg: Incoming, env: GuardEnv) -> GuardHit | None:
        if msg.from_ is None or "@" not in msg.from_.email:
            return GuardHit(self.name, "malformed", "pas d'expéditeur (From) utilisable")
        files = [a for a in msg.attachments if not a.inline]
        if files and all(a.size == 0 for a in files):
            names = ", ".join(a.filename for a in files)
            return GuardHit(self.name, "malformed", f"pièce jointe vide : {names}",
                            {"empty": names})
        return None


GUARDS: tuple[Guard, ...] = (Loop(), Sympa(), Robot(), Malformed())


def run_guards(msg: Incoming, env: GuardEnv) -> GuardHit | None:
    """The first guard that fires, in table order, or None."""
    for guard in GUARDS:
        hit = guard.check(msg, env)
        if hit is not None:
            return hit
    return None
