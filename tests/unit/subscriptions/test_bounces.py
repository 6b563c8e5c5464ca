"""Bounce scoring: once a day, delays and DMARC refusals do not count, flagged
past the threshold, nobody removed; a bounced confirmation closes the request."""

from __future__ import annotations

from mailbot.app import App
from mailbot.models.subscriptions import BounceEvent, SubscriptionAudit
from mailbot.subscriptions.report import period_report
from tests.support.clock import Clock
from tests.support.subscriptions_kit import db, feed, mail, member, outbox, rows

KARIM = "karim.belkacem@orange.fr"


def dsn(address: str, *, action: str = "failed", status: str = "5.1.1",
        diagnostic: str = "550 5.1.1 User unknown", n: int = 0) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example (Mail Delivery System)\n"
        "To: preuves-qpv@habitatparticipatif-france.fr\n"
        f"Subject: {'Delayed Mail (still being retried)' if action == 'delayed' else 'Undelivered Mail Returned to Sender'}\n"
        f"Message-ID: <dsn-{address}-{action}-{n}@mx.example>\nAuto-Submitted: auto-replied\n"
        "Authentication-Results: mx.habitatparticipatif-france.fr; dmarc=none\n"
        'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nThis is the mail system at host mx.example.\n\n"
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n"
        f"Final-Recipient: rfc822; {address}\nAction: {action}\nStatus: {status}\n"
        f"Diagnostic-Code: smtp; {diagnostic}\n\n--B--\n").encode()


def test_scored_at_most_once_a_day_and_flagged_past_threshold(app: App, clock: Clock) -> None:
    feed(app, dsn(KARIM, n=1))
    feed(app, dsn(KARIM, n=2))  # same day: recorded, not counted
    assert member(app, KARIM).bounce_score == 1.0  # type: ignore[union-attr]
    for n in (3, 4):
        clock.advance(days=1)
        feed(app, dsn(KARIM, n=n))
    karim = member(app, KARIM)
    assert karim is not None and karim.bounce_score == 3.0 and karim.status == "active"
    assert [e.counted for e in rows(app, BounceEvent)] == [True, False, True, True]
    flags = [a for a in rows(app, SubscriptionAudit) if a.action == "bounce_flag"]
    assert len(flags) == 1 and flags[0].address == KARIM
    with db(app) as s:
        report = period_report(s, clock.now.replace(year=2020), clock.now.replace(year=2030))
    assert report.bounces == [{"address": KARIM, "score": 3.0, "flagged": True,
                               "last_bounce_on": "2026-03-04"}]
    assert outbox(app) == []  # a bounce is never answered


def test_delays_and_dmarc_refusals_do_not_count(app: App) -> None:
    feed(app, dsn(KARIM, action="delayed", status="4.4.1", diagnostic="451 try later"))
    feed(app, dsn(KARIM, status="5.7.26", n=5,
                  diagnostic="550 5.7.26 Unauthenticated email from example.org is not accepted "
                             "due to domain's DMARC policy"))
    assert member(app, KARIM).bounce_score == 0.0  # type: ignore[union-attr]
    events = rows(app, BounceEvent)
    assert [(e.action, e.dmarc, e.counted) for e in events] == [
        ("delayed", False, False), ("failed", True, False)]


def test_unknown_address_is_recorded_only(app: App) -> None:
    feed(app, dsn("nobody@nowhere.example"))
    [event] = rows(app, BounceEvent)
    assert event.member_id is None and not event.counted


def test_bounced_confirmation_closes_the_request_and_tells_the_asker(app: App) -> None:
    old, typo = "yann.legoff@ecohabitat-bzh.org", "yann.legoff@resau-hp-bretagne.bzh"
    feed(app, mail(old, "Changement d'adresse", f"ma nouvelle adresse est {typo}"))
    feed(app, dsn(typo))
    told = outbox(app, "confirm_result", to=old)
    assert len(told) == 1 and "injoignable" in told[0].subject
    assert member(app, old).email == old  # type: ignore[union-attr]
