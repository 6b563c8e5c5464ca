"""The subscriptions domain's mailer: our mail, plus commands to the Sympa robot."""

from __future__ import annotations

from mailbot.mail import mailer


class Mailer(mailer.Mailer):
    """The core mailer, able to write to the Sympa robot."""

    def to_sympa(self, command: str, *, key: str, in_reply_to: str | None = None,
                 auto: str = "auto-generated") -> bool:
        """A command to the Sympa robot, in the Subject (Sympa then ignores the body)."""
        return self.send("sympa_command", self.services.settings.list.sympa, key=key,
                         in_reply_to=in_reply_to, auto=auto, capped=False, command=command)
