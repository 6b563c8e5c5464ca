"""Justificatifs envoyés par un AMO: filed in her dossier, acknowledged.

In the message's transaction, no network I/O: judge the Authentication-Results
(`proofs.trust`), decide whose dossier it is (`proofs.attribution`); hold what
cannot act for a member (unknown sender: a polite reply; untrusted: flagged,
no reply). Otherwise read every candidate (`proofs.kinds`), file the proofs
(`proofs.intake`), note what she said about funding, and queue the
acknowledgement (`proofs.ack`, templates/fr/proof_ack) or, when nothing in the
message is a proof, ask for the files (templates/fr/proof_nothing). Past the
daily cap, the acknowledgement of a member our server authenticated (DMARC
pass) is deferred and grouped in one later mail (`proofs.grouped`), never dropped.
"""

from __future__ import annotations

import logging

from mailbot import members
from mailbot.job import Job
from mailbot.models import Member
from mailbot.models.proofs import ProofHold
from mailbot.proofs import ack, grouped
from mailbot.proofs.labels import label
from mailbot.proofs.attribution import Attribution, attribute
from mailbot.proofs.dossiers import dossier_for
from mailbot.proofs.funded import load_phrases, read_statement
from mailbot.proofs.intake import Filed, apply_statement, record
from mailbot.proofs.kinds import decide, items_of
from mailbot.proofs.storage import BlobStore
from mailbot.decide.trust import assess

log = logging.getLogger(__name__)


class Proof:
    """Files an AMO's proofs in her dossier and acknowledges them."""

    name = "proof"
    description = "Justificatifs envoyés par un AMO"

    def handle(self, job: Job) -> None:
        settings = job.services.settings
        trust = assess(job.msg, settings.auth.authserv_id)
        who = attribute(job.session, job.msg, job.ctx.sender, trust)
        if who.member is None:
            self._hold(job, who)
            return
        member = who.member
        own = {member.email, job.msg.from_email or ""}
        row = job.session.get(Member, member.id)
        if row is not None:
            own.update(members.aliases(job.session, row))
        items, empty = items_of(job.msg, own, member.name)
        decide(job.services.rules, job.msg, job.ctx, items)
        now = job.services.now()
        before = dossier_for(job.session, settings, member.email)
        filed = record(job.session, BlobStore(settings.files_dir), member.email,
                       job.msg.message_id, job.msg.subject, items, now)
        change = apply_statement(job.session, member.email, job.msg.message_id,
                                 read_statement(job.msg.subject, job.msg.text,
                                                load_phrases(settings.rules_dir)), now)
        dossier = dossier_for(job.session, settings, member.email)
        assert dossier is not None
        new = [f for f in filed if not f.duplicate]
        job.row.reason = _summary(filed) or "aucun justificatif dans le message"
        if not trust.verified:
            log.debug("%s: %s", job.msg.message_id, trust.reason)
        if not filed:
            job.reply("proof_nothing", to_name=member.name,
                      ignored=ack.ignored(items, empty), dossier=dossier,
                      missing_text=ack.missing_text(dossier))
            return
        now_complete = dossier.complete and not (before and before.complete)
        key = f"proof_ack:{job.msg.message_id}:{job.msg.from_email}"
        if job.reply("proof_ack", to_name=member.name, key=key,
                     standard_fee_eur=settings.proofs.fee_eur,
                     **ack.context(filed, items, empty, dossier, change, now_complete)) \
                and trust.trusted and trust.verified and trust.dmarc == "pass":
            grouped.defer(job.session, key)  # only when the daily cap suppressed it
        log.info("%s: %d proof(s) filed for %s (%d new)", job.msg.message_id, len(filed),
                 member.email, len(new))

    def _hold(self, job: Job, who: Attribution) -> None:
        job.hold(_HOLD_REASONS[who.hold or ""] + f" : {who.detail}")
        job.session.add(ProofHold(message_id=job.msg.message_id, from_email=job.msg.from_email,
                                  reason=who.hold or "", detail=who.detail[:1000],
                                  suggested_member=who.suggested, created_at=job.services.now()))
        if who.hold == "untrusted":
            job.row.member_email = None  # it does not act for the member its From names
            return
        files = [a.filename for a in job.msg.attachments if not a.inline and a.size > 0]
        job.reply("unknown_sender", to_name=job.msg.from_.name if job.msg.from_ else "",
                  sender_address=job.msg.from_email or "", files=files,
                  forwards=len(job.msg.forwards), not_amo=who.hold == "not_amo")


_HOLD_REASONS = {
    "untrusted": "usurpation possible, justificatifs non classés",
    "unknown_sender": "expéditeur inconnu, justificatifs non classés",
    "not_amo": "expéditeur non AMO, justificatifs non classés",
    "": "justificatifs non classés",
}


def _summary(filed: list[Filed]) -> str:
    parts = []
    for f in filed:
        what = label(f.proof.kind)
        parts.append(f"{what} (doublon)" if f.duplicate else what)
    return ", ".join(parts)


HANDLER = Proof()
