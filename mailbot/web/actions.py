"""The COTECH's action log: every action taken on the web page, with who and when."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from mailbot.models.web import WebAction


def record(session: Session, now: datetime, actor: str, action: str, target: str,
           detail: str, result: str = "") -> WebAction:
    row = WebAction(at=now, actor=actor, action=action, target=target, detail=detail[:2000],
                    result=result[:2000])
    session.add(row)
    session.flush()
    return row


def recent(session: Session, target: str | None = None, limit: int = 50) -> list[WebAction]:
    stmt = select(WebAction).order_by(col(WebAction.at).desc(), col(WebAction.id).desc())
    if target is not None:
        stmt = stmt.where(WebAction.target == target)
    return list(session.exec(stmt.limit(limit)).all())
