"""The shared words of mailbot, as types: what a message is (`Category`), what became
of it (`Status`), which folder it came from (`Role`).

They are `StrEnum`s: each member equals its string, so the database columns, the
rule files (`rules/*.toml` name categories) and the JSON output keep their plain
codes, while mypy catches a misspelt word. The handler registry is checked against
`Category` when `mailbot.handlers` is imported.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """What a message is; one handler each (mailbot/handlers/)."""

    LIST_POST = "list_post"
    PROOF = "proof"
    COMMAND = "command"
    REFRESH_REPLY = "refresh_reply"
    BOUNCE = "bounce"
    AUTOREPLY = "autoreply"
    SYMPA = "sympa"
    OTHER = "other"
    MALFORMED = "malformed"


class Status(StrEnum):
    """What became of a processed message."""

    DONE = "done"
    HELD = "held"  # kept for a person: listed in the digest
    QUARANTINED = "quarantined"  # moved to the quarantine folder: listed in the digest
    DUPLICATE = "duplicate"  # a Message-ID seen before: nothing done again
    REPLAYED = "replayed"  # held, then processed again from the web page (pipeline/replay.py)
    DISMISSED = "dismissed"  # held, then set aside by a person on the web page


class Role(StrEnum):
    """The watched folder a message came from."""

    LIST = "list"  # distributed by the list: tagged, never answered
    INBOX = "inbox"  # written to the bot
