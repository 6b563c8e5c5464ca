"""The session cookie and the CSRF token.

One cookie, `mailbot_session`, signed with itsdangerous (HMAC-SHA1 over a
timestamped JSON payload): `{"e": address or null, "c": csrf token}`. It is
HttpOnly, SameSite=Lax, Secure when `[web] base_url` is https, and valid
SESSION_HOURS from its signing (sign-in signs a new one with a new CSRF
token: no fixation). A visitor without a valid cookie gets an anonymous one,
so the sign-in forms carry a CSRF token too. Every POST compares the form's
`csrf` field with the cookie's token in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "mailbot_session"
SESSION_HOURS = 12


@dataclass(frozen=True)
class Visitor:
    """Who is asking: the signed-in address (None: anonymous) and the CSRF token."""

    email: str | None
    csrf: str
    fresh: bool = False  # the cookie must be (re)set on the response


class Sessions:
    """Reads and writes the signed session cookie."""

    def __init__(self, key: str, secure: bool) -> None:
        self.serializer = URLSafeTimedSerializer(key, salt="mailbot-web-session")
        self.secure = secure

    def read(self, request: Request) -> Visitor:
        raw = request.cookies.get(COOKIE, "")
        if raw:
            try:
                data = self.serializer.loads(raw, max_age=SESSION_HOURS * 3600)
            except BadSignature:  # forged, altered or expired (SignatureExpired is one)
                data = None
            if isinstance(data, dict) and isinstance(data.get("c"), str):
                email = data.get("e")
                return Visitor(email if isinstance(email, str) else None, data["c"])
        return Visitor(None, secrets.token_urlsafe(24), fresh=True)

    def signed_in(self, email: str) -> Visitor:
        return Visitor(email, secrets.token_urlsafe(24), fresh=True)

    def anonymous(self) -> Visitor:
        return Visitor(None, secrets.token_urlsafe(24), fresh=True)

    def write(self, response: Response, visitor: Visitor) -> None:
        value = self.serializer.dumps({"e": visitor.email, "c": visitor.csrf})
        response.set_cookie(COOKIE, value, max_age=SESSION_HOURS * 3600, path="/",
                            httponly=True, secure=self.secure, samesite="lax")


def csrf_ok(visitor: Visitor, submitted: object) -> bool:
    """The form's token matches the session's (and the session existed before this request)."""
    return (not visitor.fresh and isinstance(submitted, str)
            and hmac.compare_digest(submitted.encode(), visitor.csrf.encode()))
