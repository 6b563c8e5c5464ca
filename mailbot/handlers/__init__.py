"""Handlers: one small class per category, in an explicit registry.

A handler gets a `Job` (the message, its context and verdict, the open
database session, the services) and updates state and queues replies through
the job, inside the transaction that records the message as processed. It
does no network I/O: replies go to the outbox, sent after the commit.
"""

from __future__ import annotations

from typing import Protocol

from mailbot.job import Job
from mailbot.vocab import Category

__all__ = ["Handler", "Job", "REGISTRY", "registry"]


class Handler(Protocol):
    name: str
    description: str

    def handle(self, job: Job) -> None: ...


from mailbot.handlers import (  # noqa: E402  (the modules take Job from mailbot.job)
    autoreply, bounce, command, list_post, malformed, other, proof, refresh, sympa,
)

#: One handler per category, in the order the categories are described.
REGISTRY: tuple[Handler, ...] = (
    list_post.HANDLER, proof.HANDLER, command.HANDLER, refresh.HANDLER, bounce.HANDLER,
    autoreply.HANDLER, sympa.HANDLER, other.HANDLER, malformed.HANDLER,
)


def _check(handlers: tuple[Handler, ...]) -> None:
    names = [h.name for h in handlers]
    if sorted(names) != sorted(Category):
        raise RuntimeError(f"handlers {sorted(names)} do not match the categories "
                           f"{sorted(Category)}: one handler per category")


_check(REGISTRY)


def registry() -> dict[str, Handler]:
    """Category -> handler."""
    return {h.name: h for h in REGISTRY}
