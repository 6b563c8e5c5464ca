"""The roster: find a member by any of their addresses, import the CSV, aliases.

CSV columns: email,name,group,organisation,territory. Re-importing updates
rows in place (keyed by email) and never duplicates a member.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from mailbot.decide.facts import MemberView
from mailbot.models import Member, MemberAlias, utcnow

GROUPS = ("GO", "GT", "HABITANTS", "COTECH")
COLUMNS = ("email", "name", "group", "organisation", "territory")


def normalise(address: str) -> str:
    return address.strip().strip("<>").lower()


def find(session: Session, address: str | None) -> Member | None:
    """The member owning this address, directly or through an alias."""
    if not address:
        return None
    email = normalise(address)
    member = session.exec(select(Member).where(Member.email == email)).first()
    if member is not None:
        return member
    alias = session.exec(select(MemberAlias).where(MemberAlias.email == email)).first()
    return session.get(Member, alias.member_id) if alias else None


def directory(session: Session) -> dict[str, MemberView]:
    """Every address of the roster (members and aliases) to its member: a snapshot."""
    people = {m.id: m for m in session.exec(select(Member)).all()}
    found: dict[str, MemberView] = {}
    for member in people.values():
        seen = view(member)
        if seen is not None:
            found[member.email] = seen
    for alias in session.exec(select(MemberAlias)).all():
        seen = view(people.get(alias.member_id))
        if seen is not None:
            found.setdefault(alias.email, seen)
    return found


def view(member: Member | None) -> MemberView | None:
    if member is None or member.id is None:
        return None
    return MemberView(member.id, member.email, member.name, member.group, member.status)


@dataclass
class ImportReport:
    """What an import did, line by line."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def import_csv(session: Session, path: Path) -> ImportReport:
    """Create or update members from a roster CSV; bad lines are reported, not fatal."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("email", "group") if c not in (reader.fieldnames or [])]
    report = ImportReport()
    if missing:
        report.errors.append(f"{path}: colonnes manquantes : {', '.join(missing)}")
        return report
    for line_no, row in enumerate(reader, start=2):
        problem = _import_row(session, row, report)
        if problem:
            report.errors.append(f"{path}:{line_no}: {problem}")
    return report


def _import_row(session: Session, row: dict[str, str | None], report: ImportReport) -> str | None:
    email = normalise(row.get("email") or "")
    group = (row.get("group") or "").strip().upper()
    if "@" not in email or " " in email:
        return f"adresse invalide {email!r}"
    if group not in GROUPS:
        return f"groupe inconnu {group!r} (attendu : {', '.join(GROUPS)})"
    values = {c: (row.get(c) or "").strip() for c in COLUMNS}
    values.update(email=email, group=group)
    member = session.exec(select(Member).where(Member.email == email)).first()
    if member is None:
        session.add(Member(email=email, name=values["name"], group=group,
                           organisation=values["organisation"], territory=values["territory"]))
        report.created += 1
        return None
    changed = [k for k, v in values.items() if getattr(member, k) != v]
    if not changed:
        report.unchanged += 1
        return None
    for key in changed:
        setattr(member, key, values[key])
    member.updated_at = utcnow()
    session.add(member)
    report.updated += 1
    return None


def add_alias(session: Session, member_address: str, alias: str) -> Member:
    """Attach another address to a member; errors are ValueError with a clear text."""
    member = find(session, member_address)
    if member is None or member.id is None:
        raise ValueError(f"aucun membre pour l'adresse {member_address}")
    email = normalise(alias)
    if "@" not in email:
        raise ValueError(f"adresse invalide {alias!r}")
    owner = find(session, email)
    if owner is not None and owner.id != member.id:
        raise ValueError(f"{email} appartient déjà à {owner.email}")
    if owner is None:
        session.add(MemberAlias(member_id=member.id, email=email))
    return member


def aliases(session: Session, member: Member) -> list[str]:
    rows = session.exec(select(MemberAlias).where(MemberAlias.member_id == member.id)).all()
    return sorted(a.email for a in rows)
