"""The wire between the bot and a real Sympa in tests: what the bot mailed to the
robot's domain (captured by the test SMTP server) is delivered into Sympa, and what
Sympa sends the bot is delivered into the bot's INBOX on the real Dovecot, with the
Authentication-Results line our own server would write for it (SPF and DMARC pass
for framalistes.org). Mail Sympa sends anyone else (welcome and removal notices to
members) is kept in `elsewhere` for the test to look at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.sympa_server import RealSympa, SympaMail

ROBOT_DOMAIN = "framalistes.org"


@dataclass
class SympaWire:
    """Carries mail both ways between the bot's SMTP/IMAP servers and Sympa."""

    sympa: RealSympa
    smtp: object  # tests' SmtpCapture: `.messages` with `.mail_from`, `.rcpt_tos`, `.raw`
    dovecot: object  # tests' Dovecot: `.append(user, folder, raw)`
    bot: str
    authserv_id: str
    user: str = "bot"
    carried: int = 0  # how many captured SMTP messages were already looked at
    elsewhere: list[SympaMail] = field(default_factory=list)
    to_bot: list[SympaMail] = field(default_factory=list)

    def round(self) -> list[SympaMail]:
        """Deliver the bot's new mail to Sympa, and Sympa's answers back; every mail
        Sympa sent for them."""
        outgoing: list[tuple[str, str, bytes]] = []
        captured = list(self.smtp.messages)  # type: ignore[attr-defined]
        for message in captured[self.carried:]:
            for rcpt in message.rcpt_tos:
                if rcpt.lower().endswith("@" + ROBOT_DOMAIN):
                    outgoing.append((message.mail_from, rcpt.lower(), message.raw))
        self.carried = len(captured)
        if not outgoing:
            return []
        answers = self.sympa.exchange(outgoing)
        for mail in answers:
            if self.bot in mail.rcpts:
                self.to_bot.append(mail)
                self.deliver(mail.raw, mail.envelope_from)
            others = [r for r in mail.rcpts if r != self.bot]
            if others:
                self.elsewhere.append(SympaMail(mail.envelope_from, tuple(others), mail.raw))
        return answers

    def deliver(self, raw: bytes, envelope_from: str, *, dmarc: str = "pass",
                domain: str = ROBOT_DOMAIN) -> None:
        """Into the bot's INBOX, as our MX would file it (Return-Path, our A-R)."""
        head = (f"Return-Path: <{envelope_from}>\r\n"
                f"Authentication-Results: {self.authserv_id}; spf=pass "
                f"smtp.mailfrom={domain}; dmarc={dmarc} header.from={domain}\r\n").encode()
        body = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        self.dovecot.append(self.user, "INBOX", head + body)  # type: ignore[attr-defined]

    def bot_to_sympa(self) -> list[str]:
        """Subjects of everything the bot mailed to the robot's domain so far."""
        import email
        import email.policy

        return [str(email.message_from_bytes(m.raw, policy=email.policy.default)["Subject"])
                for m in self.smtp.messages  # type: ignore[attr-defined]
                if any(r.lower().endswith("@" + ROBOT_DOMAIN) for r in m.rcpt_tos)]
