"""A scripted Sympa robot for tests: given the mail we sent to sympa@, it
produces the mail Sympa would send back (after Sympa 6.2's request_auth,
command_report and review templates).

* mode "auth" (the add.auth / del.auth scenarios): ADD and DEL get a
  confirmation request, Subject `AUTH <key> ADD qpv-hpf x@y Name`; our
  `AUTH <key> ...` answer performs the command and gets a command report;
* mode "direct" (add.owner / del.owner): performed at once, command report;
* `REVIEW qpv-hpf`: the subscriber list;
* errors: ADD of a subscriber, DEL of a stranger (benign, as Sympa reports
  them), addresses in `refuse` (an authorisation rejection), unknown commands.
"""

from __future__ import annotations

import email.policy
import secrets
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import UTC, datetime

from tests.support.servers import CapturedMessage

ROBOT = "sympa@framalistes.org"


@dataclass
class FakeSympa:
    """The robot's state: subscribers, pending AUTH keys, what it already answered."""

    owner: str
    list_name: str = "qpv-hpf"
    domain: str = "framalistes.org"
    mode: str = "auth"
    members: dict[str, str] = field(default_factory=dict)  # address -> name
    refuse: set[str] = field(default_factory=set)
    pending: dict[str, str] = field(default_factory=dict)  # AUTH key -> command line
    answered: set[str] = field(default_factory=set)  # Message-IDs already handled
    log: list[str] = field(default_factory=list)

    def respond(self, captured: list[CapturedMessage]) -> list[bytes]:
        """Everything Sympa would send back for our mail to the robot not yet seen."""
        out: list[bytes] = []
        for mail in captured:
            msg = mail.message
            mid = str(msg["Message-ID"])
            if ROBOT not in mail.rcpt_tos or mid in self.answered:
                continue
            self.answered.add(mid)
            out += self.answer(msg)
        return out

    def answer(self, msg: EmailMessage) -> list[bytes]:
        sender = str(msg["From"]).rpartition("<")[2].strip(">").lower()
        if sender != self.owner:
            return [self._report(msg, [("rejected", str(msg["Subject"]), "not owner")])]
        line = str(msg["Subject"]).strip()
        for prefix in ("Re:", "RE:", "re:"):
            line = line.removeprefix(prefix).strip()
        words = line.split()
        self.log.append(line)
        if words and words[0].upper() == "AUTH":
            command = self.pending.pop(words[1], None) if len(words) > 1 else None
            if command is None:
                return [self._report(msg, [("failed", line, "already_confirmed")])]
            return [self._report(msg, [self._perform(command)])]
        body = words[1:] if words and words[0].upper() == "QUIET" else words
        action = body[0].upper() if body else ""
        if action in ("ADD", "DEL") and len(body) >= 3 and body[1] == self.list_name:
            command = " ".join(body)
            if self.mode == "auth":
                key = secrets.token_hex(16)
                self.pending[key] = command
                return [self._auth_request(msg, key, command)]
            return [self._report(msg, [self._perform(command)])]
        if action in ("REVIEW", "WHO") and len(body) >= 2 and body[1] == self.list_name:
            return [self._review(msg)]
        return [self._report(msg, [("failed", line, "unknown_action")])]

    def _perform(self, command: str) -> tuple[str, str, str]:
        words = command.split()
        action, address = words[0].upper(), words[2].lower()
        if address in self.refuse:
            return ("rejected", command, "not allowed")
        if action == "ADD":
            if address in self.members:
                return ("failed", command, "already_subscriber")
            self.members[address] = " ".join(words[3:])
            return ("performed", command, "now_subscriber")
        if address not in self.members:
            return ("failed", command, "user_not_subscriber")
        del self.members[address]
        return ("performed", command, "removed")

    # -- the mails ---------------------------------------------------------

    def _mail(self, msg: EmailMessage, subject: str, body: str) -> bytes:
        out = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
        out["From"] = f"SYMPA <{ROBOT}>"
        out["To"] = self.owner
        out["Subject"] = subject
        out["Date"] = format_datetime(datetime.now(UTC))
        out["Message-ID"] = make_msgid(domain=self.domain)
        out["In-Reply-To"] = str(msg["Message-ID"])
        out["Auto-Submitted"] = "auto-replied"
        out["X-Loop"] = ROBOT
        out.set_content(body)
        return bytes(out)

    def _auth_request(self, msg: EmailMessage, key: str, command: str) -> bytes:
        body = (f"You've made a user subscription request to list {self.list_name}.\n\n"
                f"If you want this action to be taken, please\n\n- reply to this mail\nOR\n"
                f"- send a message to {ROBOT} with subject\n AUTH {key} {command}\nOR\n"
                f"- click on the following URL\n  mailto:{ROBOT}?subject=AUTH%20{key}\n\n"
                "If you do not want this action to be taken, you can safely ignore this message.\n")
        return self._mail(msg, f"AUTH {key} {command}", body)

    def _report(self, msg: EmailMessage, results: list[tuple[str, str, str]]) -> bytes:
        texts = {
            "now_subscriber": "User {a} is now subscriber of list {l}.",
            "removed": "The user {a} has been removed from the list {l}.",
            "already_subscriber": "The User '{a}' is already subscriber of list '{l}'.",
            "user_not_subscriber": "E-mail address {a} has not been found in the list {l}.",
            "not allowed": "You are not allowed to perform this action.",
            "not owner": "You are not allowed to perform this action.",
            "unknown_action": "Command not understood: ignoring end of message.",
            "already_confirmed": "Unable to access the message authenticated with key. "
                                 "The message may already been confirmed.",
        }
        heads = {"performed": "Command has been performed:", "rejected": "Command has been rejected:",
                 "failed": "Command has failed:"}
        parts = []
        for status, command, entry in results:
            words = command.split()
            address = words[2] if len(words) > 2 else ""
            parts.append(f"{heads[status]}\n\n> {command}\n\n  "
                         + texts[entry].format(a=address, l=self.list_name) + "\n")
        body = "\n                   ===============================\n\n".join(parts)
        body += ("\n-----------==========================================-----------\n\n"
                 f"For further information, check the mailing list web site "
                 f"https://{self.domain}/sympa\n")
        return self._mail(msg, "Results of your commands", body)

    def _review(self, msg: EmailMessage) -> bytes:
        lines = [f"{a} - {n or 'unknown'} - mail" for a, n in sorted(self.members.items())]
        body = (f"Here are the subscribers of {self.list_name}@{self.domain} mailing list:\n\n"
                + "\n".join(lines) + f"\n\nTotal subscribers: {len(lines)}\n")
        return self._mail(msg, f"REVIEW {self.list_name}", body)
