"""A scripted Sympa robot for unit tests: given the mail we sent to sympa@, it produces
the mail Sympa 6.2.70 really sends back (tests/fixtures/sympa/, and the real Sympa of
tests/support/sympa_server.py for the end-to-end tests):

* command reports From "SYMPA" <sympa@…>, `Auto-Submitted: auto-generated`, base64
  with CRLF, French headings, each command quoted on a `> ` line (without QUIET or
  an AUTH prefix) followed, for what was done, by its status word (`> add_performed`
  and `> now_subscriber` for an ADD, `> removed` for a DEL, `> sent_to_user` for a
  command waiting for AUTH); a refusal or failure quotes the command and gives an
  indented French reason, no status word;
* mode "auth" (the add.auth / del.auth scenarios): ADD gets the report `sent_to_user`
  and an AUTH request, DEL only the AUTH request, Subject `AUTH <16 hex> ADD qpv-hpf x@y Name`
  (QUIET dropped), `Auto-Submitted: auto-replied`; our answer performs the command
  and Sympa also writes to the member (welcome or removal notice, in `notices`);
* mode "direct" (add.owner / del.owner): performed at once, no notice (QUIET);
* `REVIEW qpv-hpf`: answered From qpv-hpf-request@… (`Auto-Submitted: auto-replied`,
  quoted-printable), one `address - name - normal (…)` line each, then the count;
* errors: ADD of a subscriber, DEL of a stranger, addresses in `refuse` (rejected,
  no reason, as `add closed` does), a replayed AUTH key.

Every mail carries the Authentication-Results line our server writes for
framalistes.org (`dmarc=pass`), as delivered to the bot.
"""

from __future__ import annotations

import email.policy
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tests.support.servers import CapturedMessage

ROBOT = "sympa@framalistes.org"
AUTHSERV = "mx.habitatparticipatif-france.fr"
DONE = {"ADD": ("add_performed", "now_subscriber"), "DEL": ("removed",)}


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
    notices: list[EmailMessage] = field(default_factory=list)  # Sympa's mail to members
    log: list[str] = field(default_factory=list)

    def respond(self, captured: list[CapturedMessage]) -> list[bytes]:
        """Everything Sympa would send the owner for our mail to the robot not yet seen."""
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
        line = " ".join(str(msg["Subject"]).split())
        self.log.append(line)
        words = line.split()
        if sender != self.owner:
            return [self._report([(line, None, "La fonction d'ajout d'abonnés est réservée "
                                                "aux gestionnaires de la liste.")])]
        if words and words[0].upper() == "AUTH":
            command = self.pending.pop(words[1], None) if len(words) > 1 else None
            if command is None:
                return [self._report([(line, None, "La procédure d'authentification a échoué.")])]
            return [self._report(self._perform(command, notify=True))]
        body = words[1:] if words and words[0].upper() == "QUIET" else words
        action = body[0].upper() if body else ""
        if action in ("ADD", "DEL") and len(body) >= 3 and body[1] == self.list_name:
            command = " ".join(body)
            if self.mode == "auth":
                key = secrets.token_hex(8)
                self.pending[key] = command
                request = self._auth_request(key, command)
                if action == "DEL":  # Sympa 6.2.70 sends no report for a DEL waiting for AUTH
                    return [request]
                return [self._report([(command, "sent_to_user", "Une demande de validation a "
                                       f"été envoyée à {self.owner}")]), request]
            return [self._report(self._perform(command, notify=False))]
        if action in ("REVIEW", "WHO") and len(body) >= 2 and body[1] == self.list_name:
            return [self._review()]
        return [self._report([(line, None, f"La liste '{body[1] if len(body) > 1 else ''}' "
                                           "est inconnue.")])]

    def _perform(self, command: str, notify: bool) -> list[tuple[str, str | None, str]]:
        words = command.split()
        action, address = words[0].upper(), words[2].lower()
        if address in self.refuse:
            return [(command, None, "")]
        if action == "ADD" and address in self.members:
            return [(command, None, f"L'utilisateur '{address}' est déjà abonné à la liste "
                                    f"'{self.list_name}'.")]
        if action == "DEL" and address not in self.members:
            return [(command, None, f"L'adresse email {address} n'a pas été trouvée dans la "
                                    f"liste {self.list_name}.")]
        if action == "ADD":
            self.members[address] = " ".join(words[3:])
        else:
            del self.members[address]
        if notify:  # an AUTH'd command is never QUIET: Sympa writes to the member
            subject = (f"Bienvenue sur la liste {self.list_name}" if action == "ADD"
                       else f"Vous avez été supprimé de la liste {self.list_name}")
            self.notices.append(self._message(address, subject, subject + "\n",
                                              sender=f"{self.list_name}-request@{self.domain}"))
        return [(command, word, "") for word in DONE[action]]

    # -- the mails ---------------------------------------------------------

    def _message(self, to: str, subject: str, body: str, *, sender: str = f"SYMPA <{ROBOT}>",
                 auto: str = "auto-generated", cte: str = "base64") -> EmailMessage:
        out = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
        out["Authentication-Results"] = (f"{AUTHSERV}; spf=pass smtp.mailfrom={self.domain}; "
                                         f"dmarc=pass header.from={self.domain}")
        out["Message-Id"] = make_msgid(idstring="sympa", domain=self.domain)
        out["Date"] = format_datetime(datetime.now(UTC))
        out["From"] = sender
        out["To"] = to
        out["Subject"] = subject
        out["Auto-Submitted"] = auto
        out["X-Loop"] = ROBOT
        out["X-Mailer"] = "Sympa 6.2.70"
        out.set_content(body, cte=cte)
        return out

    def _report(self, results: list[tuple[str, str | None, str]]) -> bytes:
        done = [r for r in results if r[1] is not None]
        failed = [r for r in results if r[1] is None]
        parts: list[str] = []
        if done:
            parts.append("Ces commandes ont été exécutées :\r\n\r\n" if len(done) > 1
                         else "La commande a été exécutée :\r\n\r\n")
            parts += [f"> {c}\r\n> {w}\r\n{d}\r\n\r\n" for c, w, d in done]
        if failed:
            parts.append("La commande a échoué :\r\n\r\n")
            parts += [f"> {c}\r\n  {d}\r\n\r\n" for c, _, d in failed]
        body = "".join(parts) + ("\r\n-----------==========================================---"
                                 "--------\r\n\r\nPour plus de détails, consultez le site web du "
                                 f"service de listes\r\nhttps://{self.domain}/sympa\r\n")
        return bytes(self._message(self.owner, "Résultats de vos commandes", body))

    def _auth_request(self, key: str, command: str) -> bytes:
        verb = "un abonnement à" if command.startswith("ADD") else "un désabonnement de"
        body = (f"Vous avez demandé {verb} la liste  {self.list_name}.\n"
                "Si vous souhaitez effectuer cette opération, veuillez cliquer sur le lien\n"
                f"suivant :\n\nhttps://{self.domain}/sympa/auth/{key}/add?email=bot\n\n"
                "Si vous ne voulez pas effectuer cette opération, ignorez ce message.\n")
        return bytes(self._message(self.owner, f"AUTH {key} {command}", body,
                                   auto="auto-replied", cte="quoted-printable"))

    def _review(self) -> bytes:
        lines = [f"{a} - {n} - normal (réception directe des messages)"
                 for a, n in sorted(self.members.items())]
        body = (f"Les abonnés à la liste {self.list_name}@{self.domain} sont :\n\n"
                + "\n".join(lines) + f"\n\n\nNombre d'abonnés : {len(lines)}\n")
        return bytes(self._message(self.owner, f"REVIEW {self.list_name}", body,
                                   sender=f"{self.list_name}-request@{self.domain}",
                                   auto="auto-replied", cte="quoted-printable"))
