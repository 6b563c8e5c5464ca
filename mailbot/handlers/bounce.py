"""Delivery failure reports: scored against the member (at most once a day;
delays and DMARC-caused refusals do not count), never answered, nobody removed."""

from __future__ import annotations

from mailbot.job import Job
from mailbot.subscriptions import bounces
from mailbot.mail.mailer import Mailer


class Bounce:
    """Records the bounce and scores it; flags the member past the threshold."""

    name = "bounce"
    description = "Avis de non-remise"

    def handle(self, job: Job) -> None:
        details = {k: str(v) for k, v in job.verdict.values.items()}
        mailer = Mailer(job.session, job.services, cause=job.msg.message_id, keys=job.replies)
        outcome = bounces.record(mailer, job.msg, details)
        who = outcome.member or outcome.address or "adresse introuvable"
        job.row.member_email = outcome.member or job.row.member_email
        job.row.reason = f"non-remise pour {who} : {outcome.reason or 'enregistrée'}"


HANDLER = Bounce()
