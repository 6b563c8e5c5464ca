"""Where each command we sent to Sympa stands, and what follows when Sympa settles it.

A member's change is done for us only when Sympa says so. The states of a
`SympaCommand`:

    sent           mailed to the robot
    waiting        Sympa's report says it waits for a validation (`sent_to_user`,
                   `sent_to_owner`): an AUTH request is on its way
    auth_answered  we answered Sympa's AUTH request for it
    checking       Sympa refused it or failed, or said something we do not know: a
                   REVIEW was asked, and the list as it is decides (an ADD of someone
                   already subscribed, a DEL of someone already gone, is done)
    done           Sympa did it (its report, or the list seen in a REVIEW answer)
    failed         Sympa did not do it: the COTECH was told what to do
    manual         sync is off: the COTECH was asked to do it by hand

`settle` is the one way out of an open state: it records the outcome once in the
audit trail (Sympa quotes an ADD twice in its report, we write one line), tells the
member "C'est fait" once every command of their request is done (never before), and
tells the COTECH when Sympa refused.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from mailbot.mail.mailer import Mailer
from mailbot.models.subscriptions import SubscriptionRequest, SympaCommand
from mailbot.subscriptions import audit

OPEN = ("sent", "waiting", "auth_answered", "checking")
LABELS = {"sent": "en attente de Sympa", "waiting": "en attente de Sympa (validation)",
          "auth_answered": "en attente de Sympa (AUTH répondu)",
          "checking": "en vérification (REVIEW)", "failed": "refusé par Sympa"}
# `manual` (sync off) is not shown: the COTECH was asked by mail and we cannot see the list.


def open_commands(session: Session, action: str | None = None) -> list[SympaCommand]:
    """Commands Sympa has not settled yet, oldest first."""
    stmt = select(SympaCommand).where(col(SympaCommand.state).in_(OPEN))
    if action is not None:
        stmt = stmt.where(SympaCommand.action == action)
    return list(session.exec(stmt.order_by(col(SympaCommand.id))).all())


def reference_of(command: SympaCommand) -> str:
    """What caused the command: the request's reference, `forget`, a refresh step
    (the last field of its outbox key `sympa:ACTION:address:why`)."""
    return command.outbox_key.rpartition(":")[2]


def settle(mailer: Mailer, command: SympaCommand, state: str, detail: str, now: datetime,
           *, message_id: str | None, checked: bool = False) -> None:
    """Close a command as done or failed, with what follows."""
    session = mailer.session
    command.state, command.detail, command.updated_at = state, detail[:1000], now
    session.add(command)
    if command.action == "REVIEW":
        if state == "failed":
            _tell_cotech(mailer, command, detail, checked)
        return
    label = f"{command.action} {command.address or ''}".strip()
    audit.record(session, now, "sympa", command.address or "",
                 "synced" if state == "done" else "sympa_error", message_id=message_id,
                 reference=reference_of(command) or None, detail=f"{label} : {detail}")
    if state == "failed":
        _tell_cotech(mailer, command, detail, checked)
        return
    session.flush()
    _tell_member_when_all_done(mailer, reference_of(command))


def _tell_cotech(mailer: Mailer, command: SympaCommand, detail: str, checked: bool) -> None:
    reference = reference_of(command)
    mailer.to_cotech("sympa_refused", key=f"sympa-refused:{command.id}", action=command.action,
                     address=command.address or mailer.services.settings.list.name,
                     command=command.command, detail=detail, checked=checked,
                     reference=reference if "-" in reference else "")


def _tell_member_when_all_done(mailer: Mailer, reference: str) -> None:
    """The member's "C'est fait", once every command their request caused is done."""
    session = mailer.session
    request = session.exec(select(SubscriptionRequest).where(
        SubscriptionRequest.reference == reference,
        SubscriptionRequest.state == "confirmed")).first()
    if request is None:
        return
    commands = session.exec(select(SympaCommand).where(
        col(SympaCommand.outbox_key).endswith(f":{reference}"))).all()
    if not commands or any(c.state != "done" for c in commands):
        return
    mailer.send("sympa_done", request.address, key=f"sympa-done:{reference}",
                to_name=request.name, action=request.action, address=request.address,
                old_address=request.old_address or "", reference=reference,
                sympa_wrote=any(c.auth_key for c in commands))


def labels(session: Session) -> dict[str, str]:
    """Address -> where Sympa stands, for the roster: open, refused or manual commands
    (the latest command of each address wins)."""
    out: dict[str, str] = {}
    for command in session.exec(select(SympaCommand).where(
            col(SympaCommand.address).is_not(None)).order_by(col(SympaCommand.id))).all():
        if command.address:
            label = LABELS.get(command.state)
            if label is None:
                out.pop(command.address, None)
            else:
                out[command.address] = f"{command.action} {label}"
    return out
