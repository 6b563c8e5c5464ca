"""PostgreSQL: two daemons watching different lists share one database without interfering.

Runs only when MAILBOT_TEST_DATABASE_URL points at a PostgreSQL server (the second
pass of `.ci/run`); the rest of the integration suite runs on PostgreSQL through
tests/helpers.write_config in that pass.

Two real daemon processes, two Dovecot accounts on one server (each with its own
list folder and inbox, created in the same second, so their folders have the
same UIDVALIDITY), one SMTP sink, one database: each daemon processes its own
messages once, tags its own list, answers its own questions once, and neither
sends the other's replies twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.faults.harness import Daemon, open_db
from tests.support.mailgen import list_post, question
from tests.support.helpers import TEST_DATABASE_URL, fresh_database, wait_until, write_config
from tests.support.servers import Dovecot, SmtpCapture, dovecot_available

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"),
                       reason="MAILBOT_TEST_DATABASE_URL does not point at PostgreSQL"),
]
ACCOUNTS = {"bot": ("secret", "qpv-hpf"), "bot2": ("secret2", "autre-liste")}
POSTS, QUESTIONS = 30, 6


@pytest.fixture
def two_accounts() -> Iterator[Dovecot]:
    if not dovecot_available():
        pytest.skip("Dovecot is not installed")
    server = Dovecot({user: password for user, (password, _) in ACCOUNTS.items()})
    server.start()
    yield server
    server.close()


def test_two_daemons_share_one_postgresql_database(
        tmp_path: Path, two_accounts: Dovecot, smtp_capture: SmtpCapture) -> None:
    """GIVEN two daemons, two accounts, one PostgreSQL database WHEN both backfill at once
    THEN each message is processed once by its own daemon, tagged in its own account, and
    each question answered exactly once."""
    url = fresh_database()
    daemons = []
    for user, (_, folder) in ACCOUNTS.items():
        two_accounts.create_folder(user, folder)
        two_accounts.multiappend(user, folder, [list_post(f"{user}-p{n}", n)
                                                for n in range(POSTS)])
        two_accounts.multiappend(user, "INBOX", [question(f"{user}-q{n}", n)
                                                 for n in range(QUESTIONS)])
        home = tmp_path / user
        home.mkdir()
        cfg = write_config(home, dovecot=two_accounts, smtp=smtp_capture, database=url,
                           imap_user=user, list_folder=folder)
        daemons.append(Daemon(cfg, home / "daemon.log"))
    engine = open_db(daemons[0].config_path)

    def count(sql: str) -> int:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)

    total = len(ACCOUNTS) * (POSTS + QUESTIONS)
    try:
        for daemon in daemons:
            daemon.start()
        wait_until(lambda: count("SELECT count(*) FROM processed_message") >= total
                   and count("SELECT count(*) FROM outbox WHERE status = 'sent'")
                   >= len(ACCOUNTS) * QUESTIONS
                   and count("SELECT count(*) FROM processed_message WHERE NOT effects_done")
                   == 0, timeout=90, interval=0.2, what="both backfills")
        smtp_capture.wait_for(len(ACCOUNTS) * QUESTIONS)
    finally:
        for daemon in daemons:
            daemon.stop()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT source_key, mailbox, message_id, status, tag, uid "
                                 "FROM processed_message")).all()
    assert len(rows) == total, [d.log()[-2000:] for d in daemons]
    assert {r.status for r in rows} == {"done", "held"}, Counter(r.status for r in rows)
    assert len({r.message_id for r in rows}) == total
    for user, (_, folder) in ACCOUNTS.items():
        mine = [r for r in rows if r.message_id.startswith(f"{user}-")]
        assert len(mine) == POSTS + QUESTIONS, f"{user}: {len(mine)} rows"
        flags = two_accounts.keywords(user, folder)
        tagged = {r.uid: r.tag for r in mine if r.mailbox == folder and r.tag}
        assert tagged and all(tag in flags[uid] for uid, tag in tagged.items()), user
    delivered = Counter(m.message["Message-ID"].strip() for m in smtp_capture.messages)
    assert len(delivered) == len(ACCOUNTS) * QUESTIONS and set(delivered.values()) == {1}
    engine.dispose()
