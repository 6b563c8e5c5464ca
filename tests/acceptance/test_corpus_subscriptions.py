"""Acceptance over ../shared/corpus/public for the subscriptions domain: every
`command`, `refresh_reply` and `bounce` case (and the auto-replies to the
refresh campaign, which must not count as answers), run through the daemon on
the embedded default with the state those mails answer seeded first (a
refresh campaign, a pending subscription).

Each case scores one point when the bot understood it as labelled: the
category, then what it did (a confirmation to the right address, the refresh
entry's new state, the bounce's address and DSN action). Skipped only when
the shared corpus is absent.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from mailbot import config, members
from mailbot.app import App
from mailbot.models import Member, OutboxMessage, ProcessedMessage
from mailbot.models.subscriptions import (
    BounceEvent,
    RefreshCampaign,
    RefreshEntry,
    SubscriptionAudit,
    SubscriptionRequest,
)
from mailbot.mime.parse import Limits, parse_message
from tests.support.helpers import SHARED_CORPUS, write_config
from tests.support.clock import Clock

pytestmark = [
    pytest.mark.acceptance,
    pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus/public is absent"),
]
GROUPS = {"command": "commands", "refresh_reply": "refresh", "bounce": "bounces",
          "autoreply": "auto-replies"}
NOW = datetime(2021, 12, 7, 12, 0, tzinfo=UTC)
DOMAIN = "habitatparticipatif-france.fr"
# What the corpus answers: our refresh mails of 6 December and a subscription confirmation.
REFRESH = {"claire.berard@terrhab-conseil.fr": ("K7Q2-9XHD", "20211206093000"),
           "thomas.keller@laposte.net": ("P3ZN-8HXT", "20211206093004"),
           "nathalie.perrin@np-conseil.fr": ("4HMT-Q9ZC", "20211206093008"),
           "fabienne.roussel@hp-aura.org": ("6WQR-2MJS", "20211206093011"),
           "ml.petit@amo-petit.fr": ("H8CD-5NXV", "20211206093020")}
PENDING = ("lena.garcia@ccas-bron.fr", "Léna Garcia", "7MWX-3KQD", "20211129102230")


def seed(session: Session) -> None:
    campaign = RefreshCampaign(started_at=NOW - timedelta(days=1), started_by="cli",
                               deadline_at=NOW + timedelta(days=20))
    session.add(campaign)
    session.flush()
    for address, (reference, stamp) in REFRESH.items():
        member = members.find(session, address)
        assert member is not None
        session.add(RefreshEntry(campaign_id=campaign.id or 0, member_id=member.id,
                                 address=address, name=member.name, reference=reference))
        session.add(OutboxMessage(key=f"seed:refresh:{reference}", kind="refresh_request",
                                  to_addr=address, message_id=f"refresh.{reference}.{stamp}@{DOMAIN}",
                                  raw=b"", status="sent"))
    address, name, reference, stamp = PENDING
    lena = Member(email=address, name=name, status="pending")
    session.add(lena)
    session.flush()
    session.add(SubscriptionRequest(reference=reference, action="subscribe", address=address,
                                    member_id=lena.id, name=name, asked_by=address,
                                    created_at=NOW - timedelta(days=1),
                                    expires_at=NOW + timedelta(days=6)))
    session.add(OutboxMessage(key=f"seed:confirm:{reference}", kind="confirm_subscribe",
                              to_addr=address, message_id=f"confirm.{reference}.{stamp}@{DOMAIN}",
                              raw=b"", status="sent"))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("corpus-subscriptions")
    expected = [c for c in json.loads((SHARED_CORPUS / "expected.json").read_text(encoding="utf-8"))
                if c["category"] in GROUPS]
    maildir = tmp / "maildir"
    for role in ("list", "inbox"):
        (maildir / role / "new").mkdir(parents=True)
    for n, case in enumerate(expected):
        shutil.copy(SHARED_CORPUS / case["file"], maildir / case["folder"] / "new" /
                    f"{n:05d}.{case['file']}")
    app = App(config.load(write_config(tmp, maildir=maildir)), clock=Clock(NOW))
    with Session(app.engine) as s:
        members.import_csv(s, SHARED_CORPUS / "roster.csv")
        s.commit()
        seed(s)
        s.commit()
    asyncio.run(app.run_once())
    return {"expected": expected, "app": app}


def _message_id(case: dict[str, Any]) -> str:
    return parse_message((SHARED_CORPUS / case["file"]).read_bytes(), Limits(10**8)).message_id


def judge(s: Session, case: dict[str, Any]) -> str | None:
    """None when the bot did what the label says; else what it did instead."""
    mid = _message_id(case)
    row = s.exec(select(ProcessedMessage).where(ProcessedMessage.message_id == mid)).one()
    if row.category != case["category"]:
        return f"catégorie {row.category} ({row.reason})"
    cmd = case["command"] or {}
    action, address, new = cmd.get("action"), cmd.get("address"), cmd.get("new_address")
    caused = s.exec(select(OutboxMessage).where(OutboxMessage.cause_message_id == mid)).all()
    if case["category"] == "command" and action in ("subscribe", "unsubscribe"):
        ok = any(o.kind == f"confirm_{action}" and o.to_addr == address for o in caused)
        return None if ok else f"pas de confirmation {action} à {address} ({row.reason})"
    if case["category"] == "command" and action == "change_address":
        ok = any(o.kind == "confirm_change_address" and o.to_addr == new for o in caused) and any(
            r.old_address == address for r in s.exec(select(SubscriptionRequest)).all())
        return None if ok else f"pas de changement {address} -> {new} ({row.reason})"
    if action == "confirm":
        audit = s.exec(select(SubscriptionAudit).where(SubscriptionAudit.message_id == mid,
                                                       SubscriptionAudit.state == "confirmed")).all()
        ok = any(a.address == address for a in audit)
        return None if ok else f"pas de confirmation enregistrée ({row.reason})"
    if case["category"] == "refresh_reply":
        entry = s.exec(select(RefreshEntry).where(RefreshEntry.address == address)).one()
        wanted = ("kept", None) if action == "keep_address" else ("changing", new)
        got = (entry.state, entry.new_address)
        return None if got == wanted else f"entrée {got}, attendu {wanted}"
    if case["category"] == "bounce":
        event = s.exec(select(BounceEvent).where(BounceEvent.message_id == mid)).one()
        got = (event.address, event.action)
        wanted = (case["bounce_address"], case.get("dsn_action", "failed"))
        return None if got == wanted else f"non-remise {got}, attendu {wanted}"
    if case["category"] == "autoreply":
        entries = s.exec(select(RefreshEntry).where(RefreshEntry.answered_at != None)).all()  # noqa: E711
        sender = case["sender"]
        return None if all(e.address != sender for e in entries) and not caused else (
            "compté comme une réponse")
    return None


def test_score(run: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    good: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    with Session(run["app"].engine) as s:
        for case in run["expected"]:
            group = GROUPS[case["category"]]
            total[group] += 1
            miss = judge(s, case)
            if miss is None:
                good[group] += 1
            else:
                misses.append(f"{case['file']}: {miss}")
    with capsys.disabled():
        print("\ncorpus acceptance (subscriptions): cases understood and handled as labelled")
        for group in GROUPS.values():
            if total[group]:
                print(f"  {group:14s} {good[group]:2d}/{total[group]:2d}")
        print(f"  {'ALL':14s} {sum(good.values()):2d}/{sum(total.values()):2d}")
        for miss in misses:
            print(f"  miss: {miss}")
    assert misses == []


def test_bounced_refresh_entries_and_no_reply_to_automata(run: dict[str, Any]) -> None:
    with Session(run["app"].engine) as s:
        states = {e.address: e.state for e in s.exec(select(RefreshEntry)).all()}
        replies = {o.cause_message_id for o in s.exec(select(OutboxMessage)).all()}
    assert states["fabienne.roussel@hp-aura.org"] == "bounced"
    assert states["ml.petit@amo-petit.fr"] == "bounced"
    assert states["nathalie.perrin@np-conseil.fr"] == "pending"
    for case in run["expected"]:
        if case["must_not_reply"]:
            assert _message_id(case) not in replies, case["file"]
