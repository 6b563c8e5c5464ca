"""Guards: the checks that run before any rule, in a fixed order, first hit wins.

Each guard is a small class with a `name`, a `description` and one verb,
`check(msg, env) -> GuardHit | None`. `GUARDS` is the table that orders them:

    loop        our own mail coming back (From or X-Loop of ours)
    sympa       mail from the configured Sympa robot about our list
    bounce      delivery status notifications (flufl.bounce); a delay is not a failure
    autoreply   RFC 3834 Auto-Submitted, vendor headers, French and English subjects
    malformed   no usable sender, or only empty attachments

Guards are pure: message and environment in, verdict out.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from typing import Protocol

from flufl.bounce import all_failures

from mailbot.mime.incoming import Incoming

# every header field a guard reads beyond those of Incoming itself: a list post is
# fetched by these fields alone (tests/unit/test_list_fields.py keeps the list honest)
HEADERS = ("X-Loop", "List-Id", "Content-Type", "X-Failed-Recipients", "Return-Path",
           "Auto-Submitted", "X-Autoreply", "X-Autorespond", "X-Autoresponder", "Precedence",
           "X-MS-Exchange-Inbox-Rules-Loop", "X-Auto-Response-Suppress")

AUTOREPLY_SUBJECT = re.compile(
    r"^\s*(réponse automatique|reponse automatique|absence du bureau|absent(e)?\b|"
    r"message d'absence|auto(matic)?[ -]?reply|out of (the )?office|autoreply|"
    r"abwesenheitsnotiz|i am out of|je suis absent|congés)",
    re.IGNORECASE,
)
BOUNCE_SUBJECT = re.compile(
    r"(undeliver(ed|able)|delivery (status notification|failure|has failed)|"
    r"mail delivery failed|returned mail|non remis|échec de (la )?(remise|distribution)|"
    r"failure notice|delivery delayed)",
    re.IGNORECASE,
)
DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")


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
    """The Sympa robot writing about our list (AUTH requests, REVIEW replies, notices)."""

    name = "sympa"
    description = "Courrier du robot Sympa au sujet de notre liste"

    def check(self, msg: Incoming, env: GuardEnv) -> GuardHit | None:
        if not env.sympa_address or msg.from_email != env.sympa_address:
            return None
        marks = (env.list_id.lower(), env.list_name.lower(), env.list_address.lower())
        haystack = " ".join(
            [msg.header("List-Id") or "", msg.subject, msg.text[:4000], msg.quoted[:4000]]
        ).lower()
        if any(m and m in haystack for m in marks):
            return GuardHit(self.name, "sympa", "message du robot Sympa pour notre liste")
        return None


class Bounce:
    """A delivery status notification; `details["action"]` is failed or delayed."""

    name = "bounce"
    description = "Avis de non-remise"

    def check(self, msg: Incoming, env: GuardEnv) -> GuardHit | None:
        if not _looks_like_dsn(msg):
            return None
        action = "failed"
        body = msg.raw.decode("latin-1", errors="replace") if msg.raw else msg.text
        actions = set(re.findall(r"(?im)^action:\s*(\w+)", body))
        if actions and actions <= {"delayed", "relayed", "delivered", "expanded"}:
            action = "delayed"
        failed, temporary = _failures(msg)
        address = sorted(failed or temporary)[0] if (failed or temporary) else ""
        if not failed and temporary:
            action = "delayed"
        return GuardHit(self.name, "bounce", f"avis de non-remise ({action})",
                        {"action": action, "address": address})


def _looks_like_dsn(msg: Incoming) -> bool:
    ctype = (msg.header("Content-Type") or "").lower()
    if "multipart/report" in ctype and "delivery-status" in ctype:
        return True
    if msg.header("X-Failed-Recipients"):
        return True
    local = (msg.from_email or "").partition("@")[0]
    null_sender = (msg.header("Return-Path") or "").strip() in ("<>", "")
    from_daemon = local in DAEMONS
    return (from_daemon or null_sender) and bool(BOUNCE_SUBJECT.search(msg.subject))


def _failures(msg: Incoming) -> tuple[set[str], set[str]]:
    if not msg.raw:
        return set(), set()
    parsed = email.message_from_bytes(msg.raw, policy=email.policy.compat32)
    try:
        temporary, permanent = all_failures(parsed)  # flufl's order: temporary first
    except Exception:  # flufl's detectors are heuristics over hostile input
        return set(), set()
    return _decoded(permanent), _decoded(temporary)


def _decoded(addresses: object) -> set[str]:
    return {a.decode("utf-8", "replace").lower() if isinstance(a, bytes) else str(a).lower()
            for a in addresses}  # type: ignore[attr-defined]


class AutoReply:
    """RFC 3834 auto-replies, vendor out-of-office headers, French and English subjects."""

    name = "autoreply"
    description = "Réponse automatique (absence, accusé de lecture)"

    def check(self, msg: Incoming, env: GuardEnv) -> GuardHit | None:
        reason = _autoreply_reason(msg)
        return GuardHit(self.name, "autoreply", reason) if reason else None


def _autoreply_reason(msg: Incoming) -> str | None:
    submitted = (msg.header("Auto-Submitted") or "").strip().lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if msg.header(name):
            return f"en-tête {name}"
    precedence = (msg.header("Precedence") or "").strip().lower()
    if precedence in ("auto_reply", "auto-reply", "junk"):
        return f"Precedence: {precedence}"
    if msg.header("X-MS-Exchange-Inbox-Rules-Loop") and msg.header("X-Auto-Response-Suppress"):
        return "réponse automatique Exchange"
    ctype = (msg.header("Content-Type") or "").lower()
    if "disposition-notification" in ctype:
        return "accusé de lecture"
    if AUTOREPLY_SUBJECT.search(msg.subject):
        return "objet de réponse automatique"
    return None


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


GUARDS: tuple[Guard, ...] = (Loop(), Sympa(), Bounce(), AutoReply(), Malformed())


def run_guards(msg: Incoming, env: GuardEnv) -> GuardHit | None:
    """The first guard that fires, in table order, or None."""
    for guard in GUARDS:
        hit = guard.check(msg, env)
        if hit is not None:
            return hit
    return None
