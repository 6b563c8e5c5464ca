"""An auto-responder pointed at the bot: the exchange stops, within the daily cap.

A responder thread watches the SMTP sink and answers every mail the bot sends to
its address by APPENDing a reply to the bot's INBOX, as a mail server would
deliver it. The polite one marks its replies (Auto-Submitted, X-Autoreply,
Precedence, "Réponse automatique"): the bot never answers them. The rude one
omits every such header and writes like a person ("Re: ...", "bien reçu"): the
bot answers it as it would a person, until `[bot] max_replies_per_address_per_day`
stops the exchange.
"""

from __future__ import annotations

import threading
from collections import Counter
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot import config
from mailbot.app import App
from mailbot.models import OutboxMessage, ProcessedMessage, utcnow
from tests.faults.harness import InProcess, open_db
from tests.support.mailgen import question
from tests.support.helpers import BOT, LIST_FOLDER, wait_until, write_config
from tests.support.servers import Dovecot, SmtpCapture

pytestmark = pytest.mark.integration
RESPONDER = "asker0@orange.fr"
CAP = 3


class Responder(threading.Thread):
    """Answers every mail the sink receives for RESPONDER, into the bot's INBOX."""

    def __init__(self, smtp: SmtpCapture, dovecot: Dovecot, polite: bool) -> None:
        super().__init__(daemon=True)
        self.smtp, self.dovecot, self.polite = smtp, dovecot, polite
        self.halt = threading.Event()
        self.answered = 0

    def reply_to(self, incoming: EmailMessage) -> bytes:
        msg = EmailMessage()
        # As our server stamps a real mailbox's mail: authenticated, so the rude responder
        # is answered like a person (issue #11) until the daily cap stops the exchange.
        msg["Authentication-Results"] = ("mx.habitatparticipatif-france.fr; spf=pass "
                                         "smtp.mailfrom=orange.fr; dkim=pass header.d=orange.fr; "
                                         "dmarc=pass header.from=orange.fr")
        msg["From"] = f"Asker Zero <{RESPONDER}>"
        msg["To"] = BOT
        msg["Date"] = format_datetime(utcnow())
        msg["Message-ID"] = make_msgid(idstring=f"resp{self.answered}", domain="orange.fr")
        original = str(incoming["Message-ID"]).strip()
        msg["In-Reply-To"] = original
        msg["References"] = original
        subject = str(incoming["Subject"])
        if self.polite:
            msg["Subject"] = f"Réponse automatique : {subject}"
            msg["Auto-Submitted"] = "auto-replied"
            msg["X-Autoreply"] = "yes"
            msg["Precedence"] = "auto_reply"
            msg.set_content("Je suis absent jusqu'au 3 janvier. Votre message ne sera pas lu.")
        else:
            msg["Subject"] = f"Re: {subject}"
            msg.set_content("Bonjour,\n\nbien reçu, merci beaucoup.\n\nAsker\n")
        return bytes(msg)

    def run(self) -> None:
        seen = 0
        while not self.halt.wait(0.05):
            mails = self.smtp.messages
            for mail in mails[seen:]:
                if RESPONDER in mail.rcpt_tos:
                    self.dovecot.append("bot", "INBOX", self.reply_to(mail.message))
                    self.answered += 1
            seen = len(mails)


def quiet_for(smtp: SmtpCapture, seconds: float) -> bool:
    """True once the sink has received nothing new for `seconds` (checked by polling)."""
    import time

    count, since = len(smtp.messages), time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.1)
        if len(smtp.messages) != count:
            return False
    return True


@pytest.mark.parametrize("polite", [True, False], ids=["with-auto-headers", "without-headers"])
def test_autoresponder_exchange_stops_within_daily_cap(
        tmp_path: Path, dovecot: Dovecot, smtp_capture: SmtpCapture, polite: bool) -> None:
    """GIVEN an auto-responder answering every mail of the bot WHEN its owner writes to the
    bot THEN the exchange stops by itself, and the bot sends it at most the daily cap."""
    dovecot.create_folder("bot", LIST_FOLDER)
    cfg = write_config(tmp_path, dovecot=dovecot, smtp=smtp_capture,
                       bot_extra=f"max_replies_per_address_per_day = {CAP}")
    open_db(cfg).dispose()
    app = App(config.load(cfg))
    responder = Responder(smtp_capture, dovecot, polite)
    responder.start()
    try:
        with InProcess(app):
            dovecot.append("bot", "INBOX", question("flood", 0))
            smtp_capture.wait_for(1, timeout=15)
            wait_until(lambda: quiet_for(smtp_capture, 3.0), timeout=90, interval=0.0,
                       what="the exchange to stop")
    finally:
        responder.halt.set()
        responder.join(5)
    to_responder = [m for m in smtp_capture.messages if RESPONDER in m.rcpt_tos]
    with Session(app.engine) as s:
        rows = list(s.exec(select(ProcessedMessage)).all())
        outbox = Counter(r.status for r in s.exec(select(OutboxMessage)).all())
    categories = Counter(r.category for r in rows)
    print(f"polite={polite}: {len(to_responder)} mails to the responder, "
          f"{responder.answered} auto-replies, outbox {dict(outbox)}, {dict(categories)}")
    assert len({m.message["Message-ID"] for m in to_responder}) == len(to_responder)
    if polite:
        assert len(to_responder) == 1
        assert categories == {"other": 1, "autoreply": 1}
    else:
        assert len(to_responder) == CAP
        assert outbox["sent"] == CAP and outbox["suppressed"] >= 1
        assert len(rows) == CAP + 1  # the question and each answer to our replies
