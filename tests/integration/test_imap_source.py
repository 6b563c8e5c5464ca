"""The IMAP source against a real Dovecot: what the list worker fetches by header fields."""

from __future__ import annotations

import pytest

from mailbot.settings import ImapSettings, Secret
from mailbot.sources.imap import ImapSource
from tests.support.helpers import LIST_FOLDER, sample
from tests.support.servers import Dovecot

pytestmark = pytest.mark.integration


def source(dovecot: Dovecot) -> ImapSource:
    settings = ImapSettings(host=dovecot.host, port=dovecot.port, tls="none", username="bot",
                            password=Secret("secret"), list_folder=LIST_FOLDER)
    return ImapSource(settings, LIST_FOLDER, "list")


def test_fetch_by_header_fields_brings_those_fields_for_each_uid(dovecot: Dovecot) -> None:
    """GIVEN posts with holes in their UIDs WHEN listed without sizes and fetched by a few
    header fields THEN each UID gets its own block holding only those fields, and the size
    of one is read on demand."""
    names = ("list-go-question-formulaire", "list-gt-compte-rendu-gt", "list-habitants-iso8859")
    uids = [dovecot.append("bot", LIST_FOLDER, sample("list", n)) for n in names]
    client = dovecot.client("bot")
    client.select_folder(LIST_FOLDER)
    client.delete_messages([uids[1]])
    client.expunge()
    client.logout()
    src = source(dovecot)
    src.open()
    try:
        pending = src.pending()
        assert [e.uid for e in pending] == [uids[0], uids[2]] and {e.size for e in pending} == {0}
        blocks = dict((e.uid, data) for e, data in src.fetch(pending, ("From", "Subject")))
        assert src.size(pending[1]) == len(sample("list", names[2]).replace(b"\r\n", b"\n")
                                           .replace(b"\n", b"\r\n"))
    finally:
        src.close()
    assert set(blocks) == {uids[0], uids[2]}
    for uid, name in ((uids[0], names[0]), (uids[2], names[2])):
        fields = {line.split(b":")[0].lower() for line in blocks[uid].splitlines()
                  if line and line[:1] not in (b" ", b"\t")}
        assert fields == {b"from", b"subject"}
        subject = next(line for line in blocks[uid].splitlines() if line.startswith(b"Subject:"))
        assert subject in sample("list", name)  # this UID's own post


def test_a_pass_from_the_mark_lists_only_later_uids_and_sizes_on_demand(dovecot: Dovecot) -> None:
    """GIVEN three posts WHEN listed from a mark THEN only UIDs at or past it come (none when
    the mark is past the last UID, although `UID n:*` then answers the last one), and
    `sized` gives each its size and leaves out a message expunged meanwhile."""
    raws = [sample("list", n) for n in ("list-go-question-formulaire", "list-gt-compte-rendu-gt",
                                        "list-habitants-iso8859")]
    uids = dovecot.multiappend("bot", LIST_FOLDER, raws)
    src = source(dovecot)
    src.open()
    try:
        assert [e.uid for e in src.pending()] == uids
        assert [e.uid for e in src.pending(uids[1])] == uids[1:]
        assert src.pending(uids[2] + 1) == []
        listed = src.pending(uids[0])
        client = dovecot.client("bot")
        client.select_folder(LIST_FOLDER)
        client.delete_messages([uids[0]])
        client.expunge()
        client.logout()
        src.pending()  # the session learns of the expunge (NOOP)
        sized = src.sized(listed)
    finally:
        src.close()
    assert [e.uid for e in sized] == uids[1:]
    assert all(e.size > 1000 for e in sized) and sized[0].size != sized[1].size
