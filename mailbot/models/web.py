"""Tables of the web page: sign-in links (stored hashed) and the log of what was done there.

`WebToken` holds one single-use sign-in link: the SHA-256 of its secret (the
secret itself lives only in the mail), the address it was sent to, when it
expires and when it was used. `WebAction` is the COTECH's action log: who did
what to which message or thread, and when (migration 0011).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from mailbot.models.core import utcnow


class WebToken(SQLModel, table=True):
    """A sign-in link mailed to an allowed address: single use, short-lived."""

    __tablename__ = "web_token"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True)  # sha256 hex of the secret
    email: str = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(default_factory=utcnow)
    used_at: datetime | None = None
    client: str = ""  # the address of the client that asked (for the record)


class WebAction(SQLModel, table=True):
    """One action taken on the web page: who, when, what, on what, with what result."""

    __tablename__ = "web_action"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(index=True)  # the signed-in address
    action: str  # attach | replay | dismiss | retag | export | signin | signout
    target: str = Field(default="", index=True)  # processed_message id, thread id, member
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    result: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
