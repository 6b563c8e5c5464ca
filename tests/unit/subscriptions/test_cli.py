"""The CLI of the subscriptions domain, erasure (RGPD), the period report and
the migration."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlmodel import Session, select

from mailbot import config
from mailbot import db as dbmod
from mailbot.app import App
from mailbot.cli import main
from mailbot.mail.mailer import Mailer
from mailbot.models import Member, MemberAlias, OutboxMessage, ProcessedMessage
from mailbot.models.subscriptions import (
    RefreshCampaign,
    SubscriptionAudit,
    SubscriptionRequest,
)
from mailbot.subscriptions import forget as forget_mod
from mailbot.subscriptions.report import period_report
from tests.support.clock import Clock
from tests.support.helpers import ROOT, maildir_config
from tests.support.subscriptions_kit import db, feed, mail, member, outbox, reply, rows

OLD, NEW = "yann.legoff@ecohabitat-bzh.org", "yann.legoff@reseau-hp-bretagne.bzh"


def run(capsys: pytest.CaptureFixture[str], cfg: Path, *args: str) -> tuple[int, str]:
    code = main(["--config", str(cfg), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err  # errors are on stderr


@pytest.fixture
def cfg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = maildir_config(tmp_path)
    assert run(capsys, path, "members", "import", str(ROOT / "samples" / "roster.csv"))[0] == 0
    return path


def test_refresh_start_status_apply(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, cfg, "refresh", "start")
    assert code == 0 and out.startswith("campagne ouverte\xa0: 18 message(s) mis en file")
    assert run(capsys, cfg, "refresh", "start")[0] == 2
    code, out = run(capsys, cfg, "refresh", "status", "--json")
    status = json.loads(out)
    assert len(status) == 18 and {s["state"] for s in status} == {"pending"}
    assert set(status[0]) == {"address", "state", "reference", "answered_at", "new_address"}
    code, out = run(capsys, cfg, "refresh", "apply")
    assert code == 2 and "encore ouverte" in out
    engine = dbmod.make_engine(config.load(cfg).bot.database)
    with Session(engine) as s:  # the deadline passes
        campaign = s.exec(select(RefreshCampaign)).one()
        campaign.closed_at = datetime.now(UTC) - timedelta(days=1)
        s.add(campaign)
        s.commit()
    code, out = run(capsys, cfg, "refresh", "apply", "--dry-run")
    assert code == 0 and out.startswith("0 abonné(s) sans réponse seraient retirés")


def test_sympa_review_and_members_history(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, cfg, "sympa", "review")
    assert code == 0 and "REVIEW qpv-hpf mis en file" in out
    code, out = run(capsys, cfg, "sympa", "review", "--last", "--json")
    status = json.loads(out)  # no REVIEW answer read: nothing compared, no all-clear
    assert status["read_at"] is None and status["differences"] is None
    assert status["asked_at"] is not None
    code, out = run(capsys, cfg, "sympa", "review", "--last")
    assert out.startswith("Aucune réponse REVIEW lue pour l'instant")
    assert "aucune différence" not in out and "réponse pas encore lue" in out
    code, out = run(capsys, cfg, "members", "history", OLD, "--json")
    assert code == 0 and json.loads(out) == []


def test_history_and_forget_after_a_change_of_address(app: App, clock: Clock) -> None:
    feed(app, mail(OLD, "nouvelle adresse", f"ma nouvelle adresse est {NEW}"))
    feed(app, reply(outbox(app, "confirm_change_address")[0], NEW, "oui"))
    with db(app) as s:
        from mailbot.subscriptions import audit

        trail = audit.history(s, [OLD])
        report = period_report(s, clock.now - timedelta(days=1), clock.now + timedelta(days=1))
    assert [(r["action"], r["state"], r["asked_by"], r["confirmed_by"]) for r in trail] == [
        ("change_address", "requested", OLD, None), ("change_address", "confirmed", OLD, NEW)]
    assert report.changes[-1] == {"at": clock.now.isoformat(), "action": "change_address",
                                  "address": OLD, "new_address": NEW, "asked_by": OLD,
                                  "confirmed_by": NEW, "state": "confirmed"}
    assert report.refresh is None and report.sympa_differences == []
    with db(app) as s:
        for row in s.exec(select(OutboxMessage)).all():  # the sender did its work
            row.status = "sent"
            s.add(row)
    with db(app) as s:
        done = forget_mod.forget(s, NEW, clock.now, mailer=Mailer(s, app.services))
    assert done.kept_for_accounting == []
    assert member(app, NEW) is None and member(app, OLD) is None
    assert rows(app, MemberAlias) == [] and rows(app, SubscriptionRequest) == []
    text = " ".join(f"{a.address} {a.new_address} {a.asked_by} {a.confirmed_by} {a.detail}"
                    for a in rows(app, SubscriptionAudit))
    assert OLD not in text and NEW not in text
    assert all(o.raw == b"" for o in rows(app, OutboxMessage) if o.to_addr == "[effacé]")
    queued = [o for o in rows(app, OutboxMessage) if o.status == "queued"]
    assert [o.subject for o in queued] == [f"QUIET DEL qpv-hpf {NEW}"]  # taken off Sympa
    assert not any(OLD.encode() in o.raw or NEW.encode() in o.raw
                   for o in rows(app, OutboxMessage) if o.status != "queued")
    assert not any(p.from_email in (OLD, NEW) for p in rows(app, ProcessedMessage))
    assert rows(app, SubscriptionAudit)[-1].action == "forget"


def test_forget_keeps_what_accounting_needs(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forget_mod, "referenced_elsewhere", lambda s, m: ["proof"])
    with db(app) as s:
        forget_mod.forget(s, "mathieu.lefort@gmail.com", datetime.now(UTC))
    kept = member(app, "mathieu.lefort@gmail.com")
    assert kept is not None and kept.name == "Mathieu Lefort" and kept.organisation
    assert kept.status == "left" and kept.territory == ""


def test_forget_cli(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, cfg, "members", "forget", "fatou.diallo@hotmail.fr", "--yes")
    assert code == 0 and out.startswith("fatou.diallo@hotmail.fr effacé")
    assert run(capsys, cfg, "members", "forget", "nobody@x.fr", "--yes")[0] == 2
    code, out = run(capsys, cfg, "members", "list", "--json")
    assert "fatou" not in out


def test_migration_down_and_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    engine = dbmod.make_engine(url)
    dbmod.migrate(engine)
    cfg = dbmod.alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002_proofs")
    with engine.connect() as conn:
        from sqlalchemy import inspect

        assert "subscription_request" not in inspect(conn).get_table_names()
    dbmod.migrate(engine)
    with Session(engine) as s:
        assert s.exec(select(Member)).all() == []
