"""proofs tables (filled by the proofs issue; empty until then)

Revision ID: 0002_proofs
Revises: 0001_core
Create Date: 2026-11-29
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401

revision = "0002_proofs"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
