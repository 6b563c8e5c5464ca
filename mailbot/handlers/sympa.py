"""Mail from the configured Sympa robot (or the list's `-request` address) about our
list: AUTH requests answered (only for commands we sent), command reports and REVIEW
answers read; anything else, or any refusal, held for the COTECH.

Nothing in it acts unless our own server authenticated the sender (the check member
commands get, `Job.unauthenticated`): a forged robot with dmarc=fail changes nothing
and gets nothing. An AUTH request needs more: our server's verdict must be there.
"""

from __future__ import annotations

from mailbot.job import Job
from mailbot.subscriptions import sympa, sympa_read


class Sympa:
    """Reads the robot's mail; never answers it except an AUTH we caused."""

    name = "sympa"
    description = "Courrier du robot Sympa"

    def handle(self, job: Job) -> None:
        is_auth = sympa_read.auth_request(job.msg.subject) is not None
        what = "Demande AUTH du robot Sympa" if is_auth else "Courrier du robot Sympa"
        if job.unauthenticated(what, verified=is_auth):
            return
        outcome = sympa.handle_mail(job.session, job.mailer(), job.msg, job.services.now())
        if outcome.held:
            job.hold(outcome.held)
            return
        job.row.reason = f"Sympa ({outcome.kind}) : " + " ; ".join(outcome.notes)[:1500]


HANDLER = Sympa()
