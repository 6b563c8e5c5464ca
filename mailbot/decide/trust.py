"""May this message act for the member its From names? Authentication-Results, read strictly.

Only the header our own server wrote counts (its authserv-id is `[auth]
authserv_id`); RFC 8601 §5 says a receiving server strips foreign ones, so any
other authserv-id is ignored. Our server writes exactly one: two or more with
our id, or one we cannot parse, means someone forged one ("forged"). Then:

    dmarc=fail                              -> untrusted
    no dmarc pass, spf=fail and no dkim pass -> untrusted (the domain has no DMARC policy)
    anything else (pass, none, no header)   -> trusted

With no authserv_id configured, or no header of ours (a message dropped into the
folder by hand, a test), the message is trusted but `verified` is False.
Pure: headers in, `Trust` out.
"""

from __future__ import annotations

from dataclasses import dataclass

import authres

from mailbot.mime.incoming import Incoming


@dataclass(frozen=True)
class Trust:
    """The verdict on one message."""

    trusted: bool
    verified: bool  # our server's header was there and read
    reason: str  # French, for the COTECH ("dmarc=fail", "en-tête falsifié" ...)
    dmarc: str | None = None
    forged: bool = False


def _parse(value: str) -> authres.AuthenticationResultsHeader | None:
    try:
        return authres.AuthenticationResultsHeader.parse(
            "Authentication-Results: " + " ".join(value.split()))
    except Exception:  # noqa: BLE001 - authres raises its own errors and others on junk
        return None


def _authserv_id(value: str) -> str:
    """The authserv-id of a raw header value, even one authres cannot parse."""
    return value.strip().split(";", 1)[0].split()[0].lower() if value.strip() else ""


def assess(msg: Incoming, authserv_id: str) -> Trust:
    """Read the Authentication-Results of our server and judge the From."""
    ours_id = authserv_id.strip().lower()
    if not ours_id:
        return Trust(True, False, "authentification non configurée")
    ours = [v for v in msg.header_all("Authentication-Results") if _authserv_id(v) == ours_id]
    if not ours:
        return Trust(True, False, "pas d'en-tête Authentication-Results de notre serveur")
    if len(ours) > 1:
        return Trust(False, True, f"en-tête Authentication-Results falsifié ({len(ours)} en-têtes "
                     f"au nom de {ours_id})", forged=True)
    parsed = _parse(ours[0])
    if parsed is None:
        return Trust(False, True, "en-tête Authentication-Results illisible (falsifié ?)",
                     forged=True)
    results: dict[str, str] = {}
    for result in parsed.results:
        results.setdefault(str(result.method).lower(), str(result.result).lower())
    dmarc, spf, dkim = results.get("dmarc"), results.get("spf"), results.get("dkim")
    if dmarc == "fail":
        return Trust(False, True, "dmarc=fail : l'adresse d'expédition est peut-être usurpée",
                     dmarc=dmarc)
    if dmarc != "pass" and spf in ("fail", "softfail") and dkim != "pass":
        return Trust(False, True, f"spf={spf}, sans signature DKIM valide ni DMARC",
                     dmarc=dmarc)
    return Trust(True, True, f"dmarc={dmarc or 'absent'}", dmarc=dmarc)
