"""The signals of the robot-mail decision (mailbot.decide.robot), read in this order,
each by one small pure function of `SIGNALS`:

    report     RFC 3464 delivery report: a message/delivery-status part anywhere
               outside a forwarded message (with or without report-type), or
               X-Failed-Recipients                                        -> bounce
    failures   flufl.bounce's scan finds failed or delayed addresses     -> bounce
    submitted  RFC 3834 Auto-Submitted other than "no"                   -> auto
    sender     Mailman's replybot senders: the null sender <>, MAILER-DAEMON,
               postmaster, Mail.Delivery.System (-> daemon); *-request, *-owner,
               *-bounces, owner-*, noreply / no-reply / donotreply (-> service)
    bulk       Precedence bulk|junk|list, List-Id / List-Unsubscribe of a list
               that is not ours                                          -> bulk
    vendor     X-Autoreply, X-Autorespond, X-Autoresponder, X-Auto-Response-Suppress,
               X-MS-Exchange-Generated-Message-Source, X-MS-Exchange-Inbox-Rules-Loop,
               Precedence auto_reply, read receipts                     -> auto
    diagnostic an SMTP reply code or RFC 3463 status with the words of a refusal in the
               message's own text (weak: only beside another signal)    -> bounce
    subject    French and English subjects, last                         -> bounce | auto

Pure: the message's headers and raw bytes in, signals out.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from email.message import Message

from flufl.bounce import all_failures

from mailbot.mime.incoming import Incoming

AUTOREPLY_SUBJECT = re.compile(
    r"^\s*(réponse automatique|reponse automatique|absence du bureau|absent(e)?\b|"
    r"message d'absence|auto(matic)?[ -]?(reply|response)|out of (the )?office|autoreply|"
    r"abwesenheitsnotiz|i am out of|je suis absent|congés|auto:|accusé de (lecture|réception)|"
    r"read:|lu\s*:)",
    re.IGNORECASE,
)
BOUNCE_SUBJECT = re.compile(
    r"(undeliver(ed|able)|not (been )?delivered|delivery (status notification|failure|has failed|"
    r"problem|notification|warning|delayed)|mail delivery|returned mail|non[- ]?remis|"
    r"non[- ]delivery|échec de (la )?(remise|distribution)|failure notice|delayed mail|"
    r"failed mail|mail error|could not be delivered|message non distribu|"
    r"impossible de (remettre|distribuer)|delivery failure|notification d'[ée]tat de (la )?"
    r"(remise|distribution)|remise (diff[ée]r[ée]e|retard[ée]e))",
    re.IGNORECASE,
)
# an SMTP reply code beside the words of a refusal, or an RFC 3463 status, standing as
# words of their own (not inside an IP address or a version number), in the text itself
DIAGNOSTIC = re.compile(
    r"((?:^|(?<=[\s#(:<\[]))[45]\d\d[ -][^\n]{0,80}(user|utilisateur|destinataire|recipient|"
    r"mailbox|bo[iî]te|unknown|inconnu|rejected|refus|invalid|not found|introuvable|n'existe pas|full|pleine)|"
    r"(?:^|(?<=[\s#(:<\[]))[45]\.[0-7]\.\d{1,3}(?![\d.]))", re.IGNORECASE | re.MULTILINE)
FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|tr|transf|wg)\s*:", re.IGNORECASE)
DAEMON_LOCALS = re.compile(
    r"^(mailer-daemon|mailerdaemon|mail-daemon|postmaster|mail\.delivery\.system|"
    r"mdaemon|mail-delivery-system)$")
SERVICE_LOCALS = re.compile(
    r"(-request|-owner|-bounces?|-admin)$|^owner-|^(no-?reply|do-?not-?reply|ne-?pas-?repondre)"
    r"([-+._].*)?$")
VENDOR_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response-Suppress",
                  "X-MS-Exchange-Generated-Message-Source", "X-MS-Exchange-Inbox-Rules-Loop")
# flufl.bounce logs each detector's verdict at INFO: about seventeen lines per message scanned
logging.getLogger("flufl.bounce").setLevel(logging.WARNING)
# every header field the decision reads beyond those of Incoming itself
HEADERS = ("Content-Type", "X-Failed-Recipients", "Return-Path", "Auto-Submitted", "Precedence",
           "List-Id", "List-Unsubscribe", "List-Post", *VENDOR_HEADERS)


@dataclass(frozen=True)
class Signal:
    """One signal read from the message: its name, what it points to and why (French)."""

    name: str
    kind: str  # bounce | auto | daemon | service | bulk
    reason: str


class Reading:
    """What the signals read: the message, its raw MIME tree and flufl.bounce's scan
    (each made once, when a signal first asks for it) and our own list's id (its
    traffic is not another list's bulk)."""

    def __init__(self, msg: Incoming, own_list_id: str = "") -> None:
        self.msg, self.own_list_id = msg, own_list_id.lower()

    @cached_property
    def tree(self) -> Message | None:
        return _tree(self.msg)

    @cached_property
    def _scan(self) -> tuple[frozenset[str], frozenset[str]]:
        failed, delayed = scan_failures(self.tree)
        return frozenset(failed), frozenset(delayed)

    @property
    def failed(self) -> frozenset[str]:
        return self._scan[0]

    @property
    def delayed(self) -> frozenset[str]:
        return self._scan[1]

    @property
    def own_list_traffic(self) -> bool:
        """Distributed by our own list: the list role reads it, nobody answers it."""
        return bool(self.own_list_id) and self.own_list_id in (self.msg.header("List-Id") or "").lower()


def read(msg: Incoming, own_list_id: str = "") -> Reading:
    """The message as the signals read it; its bytes are parsed and scanned lazily."""
    return Reading(msg, own_list_id)


def _report(r: Reading) -> Signal | None:
    msg, tree = r.msg, r.tree
    if msg.header("X-Failed-Recipients"):
        return Signal("report", "bounce", "en-tête X-Failed-Recipients")
    ctype = (msg.header("Content-Type") or "").lower()
    if "report-type=delivery-status" in ctype.replace('"', "").replace(" ", ""):
        return Signal("report", "bounce", "rapport de remise (RFC 3464)")
    if tree is not None and _has_status_part(tree):
        return Signal("report", "bounce", "partie message/delivery-status (RFC 3464)")
    return None


def _has_status_part(part: Message) -> bool:
    """A message/delivery-status part, not looking inside forwarded messages."""
    stack = [part]
    while stack:
        node = stack.pop()
        ctype = node.get_content_type()
        if ctype == "message/delivery-status":
            return True
        if ctype == "message/rfc822":
            continue
        payload = node.get_payload()
        if node.is_multipart() and isinstance(payload, list):
            stack.extend(child for child in payload if isinstance(child, Message))
    return False


def _failures(r: Reading) -> Signal | None:
    failed, delayed = r.failed, r.delayed
    if failed or delayed:
        words = "échec" if failed else "retard"
        return Signal("failures", "bounce",
                      f"flufl.bounce : {words} pour {', '.join(sorted(failed or delayed)[:3])}")
    return None


def scan_failures(tree: Message | None) -> tuple[set[str], set[str]]:
    """flufl.bounce's permanent and temporary failures, lower-cased addresses."""
    if tree is None:
        return set(), set()
    try:
        temporary, permanent = all_failures(tree)  # flufl's order: temporary first
    except Exception:  # noqa: BLE001 - flufl's detectors are heuristics over hostile input
        return set(), set()
    return _decoded(permanent), _decoded(temporary)


def _decoded(addresses: object) -> set[str]:
    found = {a.decode("utf-8", "replace") if isinstance(a, bytes) else str(a)
             for a in addresses}  # type: ignore[attr-defined]
    return {a.strip().strip("<>").lower() for a in found if "@" in a}


def _submitted(r: Reading) -> Signal | None:
    msg = r.msg
    value = (msg.header("Auto-Submitted") or "").strip().lower()
    if value and not value.startswith("no"):
        return Signal("submitted", "auto", f"Auto-Submitted: {value}")
    return None


def _sender(r: Reading) -> Signal | None:
    msg = r.msg
    return_path = msg.header("Return-Path")
    if return_path is not None and return_path.strip() in ("<>", ""):
        return Signal("sender", "daemon", "expéditeur nul (Return-Path: <>)")
    address = msg.from_email or ""
    if "@" not in address:
        raw_from = msg.header("From")
        if raw_from is not None and re.search(r"<\s*>", raw_from):
            return Signal("sender", "daemon", "expéditeur nul (From: <>)")
        return None
    local = address.partition("@")[0].lower()
    if DAEMON_LOCALS.match(local):
        return Signal("sender", "daemon", f"adresse de serveur de messagerie ({address})")
    if SERVICE_LOCALS.search(local):
        return Signal("sender", "service", f"adresse de robot ({address})")
    return None


def _bulk(r: Reading) -> Signal | None:
    msg = r.msg
    if r.own_list_traffic:
        return None  # our own list's traffic: the list role reads it
    precedence = (msg.header("Precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return Signal("bulk", "bulk", f"Precedence: {precedence}")
    for name in ("List-Id", "List-Unsubscribe", "List-Post"):
        if msg.header(name):
            return Signal("bulk", "bulk", f"en-tête {name} (liste de diffusion ou lettre d'information)")
    return None


def _vendor(r: Reading) -> Signal | None:
    msg = r.msg
    for name in VENDOR_HEADERS:
        if msg.header(name) is not None:
            return Signal("vendor", "auto", f"en-tête {name}")
    precedence = (msg.header("Precedence") or "").strip().lower()
    if precedence in ("auto_reply", "auto-reply"):
        return Signal("vendor", "auto", f"Precedence: {precedence}")
    if "disposition-notification" in (msg.header("Content-Type") or "").lower():
        return Signal("vendor", "auto", "accusé de lecture")
    return None


def _diagnostic(r: Reading) -> Signal | None:
    """An SMTP diagnostic in the message's own text parts (French ISPs' plain-text
    notices carry nothing else): weak, it counts only beside another signal."""
    if r.tree is None:
        return None
    for part in r.tree.walk():
        if part.get_content_type() == "message/rfc822":
            break
        if part.get_content_maintype() != "text":
            continue
        payload = part.get_payload(decode=True)
        text = payload[:20000].decode("latin-1") if isinstance(payload, bytes) else ""
        found = DIAGNOSTIC.search(text)
        if found:
            return Signal("diagnostic", "bounce", f"diagnostic SMTP « {found.group(0)[:60]} »")
    return None


def _subject(r: Reading) -> Signal | None:
    msg = r.msg
    if AUTOREPLY_SUBJECT.search(msg.subject):
        return Signal("subject", "auto", "objet de réponse automatique")
    if BOUNCE_SUBJECT.search(msg.subject):
        return Signal("subject", "bounce", "objet d'avis de non-remise")
    return None


SIGNALS: tuple[tuple[str, Callable[[Reading], Signal | None]], ...] = (
    ("report", _report), ("failures", _failures), ("submitted", _submitted),
    ("sender", _sender), ("bulk", _bulk), ("vendor", _vendor), ("diagnostic", _diagnostic),
    ("subject", _subject),
)


#: the signals read from the header fields alone (no parse of the body, no scan)
HEADER_SIGNALS = frozenset({"submitted", "sender", "bulk", "vendor", "subject"})


def signals(reading: Reading) -> tuple[Signal, ...]:
    """Every signal the message carries, in the documented order.

    A post distributed by our own list with no header signal stops there: what the
    body could add (a report, flufl.bounce's failures, a diagnostic) can only make it
    "unsure" or a bounce, and the list role files our list's traffic and never answers
    it. This keeps flufl.bounce's scan (a few ms a message) off the list's fast path."""
    from_headers = [s for name, check in SIGNALS if name in HEADER_SIGNALS
                    for s in [check(reading)] if s is not None]
    if not from_headers and reading.own_list_traffic:
        return ()
    found = (check(reading) for _, check in SIGNALS)
    return tuple(s for s in found if s is not None)


def _tree(msg: Incoming) -> Message | None:
    """The raw MIME tree with the payloads of files (anything but text and message
    parts) emptied: every signal reads text, and flufl.bounce's detectors scan every
    line of every leaf, a 1 MB PDF included."""
    if not msg.raw:
        return None
    try:
        tree = email.message_from_bytes(msg.raw, policy=email.policy.compat32)
    except Exception:  # noqa: BLE001 - hostile bytes: no tree, the header signals remain
        return None
    for part in tree.walk():
        if not part.is_multipart() and part.get_content_maintype() not in ("text", "message"):
            part.set_payload("")
    return tree
