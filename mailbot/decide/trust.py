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

`authenticated` is the stricter reading for strangers: we answer an
unknown sender only when our server shows the From authenticated (dmarc=pass, or
no DMARC policy with an aligned SPF or DKIM pass).
Pure: headers in, `Trust` (or a reason) out.
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


def authenticated(msg: Incoming, authserv_id: str) -> str | None:
    """None when our server's Authentication-Results show the From domain authenticated:
    dmarc=pass, or no DMARC policy (dmarc=none or absent) with an SPF or DKIM pass
    aligned on the From domain (relaxed: same domain or a subdomain). Otherwise the
    reason, in French. Stricter than `assess`: it decides whether a stranger is answered."""
    ours_id = authserv_id.strip().lower()
    ours = [v for v in msg.header_all("Authentication-Results") if _authserv_id(v) == ours_id]
    if not ours_id or not ours:
        return "expéditeur non authentifié par notre serveur (pas d'Authentication-Results)"
    parsed = _parse(ours[0]) if len(ours) == 1 else None
    if parsed is None:
        return "en-tête Authentication-Results falsifié ou illisible"
    domain = (msg.from_email or "").rpartition("@")[2]
    results: dict[str, str] = {}
    aligned = False
    for result in parsed.results:
        method, verdict = str(result.method).lower(), str(result.result).lower()
        results.setdefault(method, verdict)
        if verdict == "pass" and method in ("spf", "dkim"):
            aligned = aligned or any(_aligned(_domain_of(str(p.value)), domain)
                                     for p in result.properties
                                     if (p.type, p.name) in (("smtp", "mailfrom"), ("header", "d")))
    dmarc = results.get("dmarc")
    if dmarc == "pass" or (dmarc in (None, "none") and aligned):
        return None
    if dmarc in (None, "none"):
        return "ni DMARC ni SPF/DKIM alignés sur le domaine de l'expéditeur"
    return f"DMARC non validé (dmarc={dmarc})"


def _domain_of(value: str) -> str:
    return value.rpartition("@")[2].strip().strip(">").lower()


def _aligned(a: str, b: str) -> bool:
    return bool(a and b) and (a == b or a.endswith("." + b) or b.endswith("." + a))
