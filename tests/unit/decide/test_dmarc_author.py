"""Under Sympa's DMARC rewriting, the author is found in X-Original-From or Reply-To."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import Session, select

from mailbot.models import Post
from tests.support.helpers import deliver, maildir_app

REWRITTEN = """From: "Pascale Martin via qpv-hpf" <qpv-hpf@framalistes.org>
Reply-To: Pascale Martin <pascale.martin@anct.gouv.fr>
X-Original-From: Pascale Martin <pascale.martin@anct.gouv.fr>
To: qpv-hpf@framalistes.org
Subject: [qpv-hpf] Calendrier
Message-ID: <dmarc-1@anct.gouv.fr>
List-Id: <qpv-hpf.framalistes.org>
Precedence: list
Date: Wed, 24 Nov 2021 10:03:12 +0100

Bonjour à toutes et à tous.
"""


def test_rewritten_from_is_tagged_by_the_real_author(tmp_path: Path) -> None:
    app = maildir_app(tmp_path)
    deliver(tmp_path / "maildir", "list", "1.d", REWRITTEN.replace("\n", "\r\n").encode())
    asyncio.run(app.run_once())
    with Session(app.engine) as s:
        post = s.exec(select(Post)).one()
    assert post.author_email == "pascale.martin@anct.gouv.fr"
    assert (post.tag, post.tag_reason) == ("GT", "roster")
