"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import mailbot.models  # noqa: F401  (registers every table)
from mailbot import db


def test_migrations_match_models(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    db.migrate(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    db.migrate(engine)
    db.migrate(engine)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is not None
