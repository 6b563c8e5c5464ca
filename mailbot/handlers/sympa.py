"""Mail from the configured Sympa robot about our list: AUTH requests answered
(only for commands we sent), command reports and REVIEW replies recorded;
anything else, or any refusal, held for the COTECH."""

from __future__ import annotations

from mailbot.job import Job
from mailbot.subscriptions import sympa
from mailbot.mail.mailer import Mailer


class Sympa:
    """Reads the robot's mail; never answers it except an AUTH we caused."""

    name = "sympa"
    description = "Courrier du robot Sympa"

    def handle(self, job: Job) -> None:
        mailer = Mailer(job.session, job.services, cause=job.msg.message_id, keys=job.replies)
        outcome = sympa.handle_mail(job.session, mailer, job.msg, job.services.now())
        if outcome.held:
            job.hold(outcome.held)
            return
        job.row.reason = f"Sympa ({outcome.kind}) : " + " ; ".join(outcome.notes)[:1500]


HANDLER = Sympa()
