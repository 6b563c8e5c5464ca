"""Handlers: one small class per category, in an explicit registry.

A handler gets a `Job` (the message, its context and verdict, the open
database session, the services) and updates state and queues replies through
the job, inside the transaction that records the message as processed. It
does no network I/O: replies go to the outbox, sent after the commit.
"""

from __future__ import annotations

from typing import Protocol

from mailbot.job import Job

__all__ = ["Handler", "Job", "registry"]


class Handler(Protocol):
    name: str
    description: str

    def handle(self, job: Job) -> None: ...


def registry() -> dict[str, Handler]:
    """Category -> handler; a duplicate category is a programming error."""
    from mailbot.handlers import (  # local import: handlers import this module
        autoreply, bounce, command, list_post, malformed, other, proof, refresh, sympa,
    )

    table: dict[str, Handler] = {}
    for module in (list_post, proof, command, refresh, bounce, autoreply, sympa, other,
                   malformed):
        handler: Handler = module.HANDLER
        if handler.name in table:
            raise RuntimeError(f"duplicate handler for {handler.name}")
        table[handler.name] = handler
    return table
