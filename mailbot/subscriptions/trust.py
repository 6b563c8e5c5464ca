"""What our own mail server said about the sender: Authentication-Results.

Only headers whose authserv-id is ours (`[auth] authserv_id`) are read; any
other Authentication-Results header may have been written by the sender.
Our server's header is the topmost one bearing our id; a second one bearing
our id was written by someone else (a forged header). The verdict is "fail"
(DMARC failed, or a forged header: the message must not act for that
member), "pass" (DMARC passed), or "none" (no verdict from our server).
"""

from __future__ import annotations

import re

from mailbot.incoming import Incoming

_RESULT = re.compile(r"\bdmarc\s*=\s*([a-z]+)", re.I)
_SERVER = re.compile(r"\s*([^\s;]+)")


def _server(value: str) -> str:
    match = _SERVER.match(value)
    return match.group(1).lower() if match else ""


def dmarc_verdict(msg: Incoming, authserv_id: str) -> str:
    """"pass", "fail" or "none" from our server's Authentication-Results."""
    if not authserv_id:
        return "none"
    ours = [value for value in msg.header_all("Authentication-Results")
            if _server(value) == authserv_id.lower()]
    if not ours:
        return "none"
    if len(ours) > 1:
        return "fail"
    results = [r.lower() for r in _RESULT.findall(ours[0])]
    if any(r in ("fail", "permerror") for r in results):
        return "fail"
    return "pass" if "pass" in results else "none"
