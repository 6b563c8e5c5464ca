"""Scheduled jobs (APScheduler 3 on the daemon's loop); filled by the digest issue.

`run_due` runs every job that is due now, once (used by `run --once`);
`start`/`stop` attach the jobs to the running loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from mailbot.services import Services


async def run_due(services: Services) -> list[str]:
    """Run the jobs due now; return their names."""
    return []


async def start(services: Services, loop: asyncio.AbstractEventLoop) -> Any:
    return None


async def stop(handle: Any) -> None:
    return None
