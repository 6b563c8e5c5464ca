"""A recorded message's bytes, read again from its mail folder (we keep no copy).

`envelope_of` rebuilds the `Envelope` a `processed_message` row was recorded
under; `fetch` reads the message from its folder (a held message stays where
it arrived), or, for a quarantined one in a Maildir, from the quarantine
folder. The bytes are returned only if their Message-ID is the row's: a UID
reused or a file replaced never shows (or re-processes) another message.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from mailbot.errors import MailbotError
from mailbot.mime.headers import scan_message_id
from mailbot.models import ProcessedMessage
from mailbot.sources import Envelope, MailSource
from mailbot.vocab import Status

log = logging.getLogger(__name__)
SourceFactory = Callable[[str], MailSource | None]


def envelope_of(row: ProcessedMessage, source: MailSource) -> Envelope | None:
    """The envelope whose key is the row's, or None when the row is not from `source`."""
    key = row.source_key
    if key.startswith("maildir:"):
        name = key.rpartition("/")[2]
        env = Envelope(row.role, row.mailbox, 0, 0, name, 0)
    else:
        account = str(getattr(source, "account", ""))
        env = Envelope(row.role, row.mailbox, row.uidvalidity, row.uid, "", 0, account)
        if env.key != key:
            env = Envelope(row.role, row.mailbox, row.uidvalidity, row.uid, "", 0)
    return env if env.key == key else None


def _read(source: MailSource, env: Envelope, message_id: str) -> bytes | None:
    source.open()
    try:
        if env.name:
            source.pending()  # a Maildir lists its files first
        data = source.fetch_one(env)
    except (MailbotError, OSError) as err:
        log.info("web: %s not readable: %s", env.key, err)
        return None
    finally:
        source.close()
    found = scan_message_id(data) or "sha256:" + hashlib.sha256(data).hexdigest()
    if found != message_id:
        log.warning("web: %s now holds another message (%r)", env.key, found)
        return None
    return data


def fetch(row: ProcessedMessage, sources: SourceFactory) -> tuple[Envelope, bytes] | None:
    """The message of the row and its envelope, or None when it cannot be read."""
    source = sources(row.role)
    if source is None:
        return None
    env = envelope_of(row, source)
    if env is None:
        return None
    data = _read(source, env, row.message_id)
    if data is None and row.status == Status.QUARANTINED and env.name:
        moved = sources("quarantine:" + row.role)
        if moved is not None:
            data = _read(moved, Envelope(row.role, getattr(moved, "mailbox", ""), 0, 0,
                                         env.name, 0), row.message_id)
    return None if data is None else (env, data)
