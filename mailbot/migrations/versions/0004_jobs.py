"""jobs tables (filled by the jobs issue; empty until then)

Revision ID: 0004_jobs
Revises: 0003_subscriptions
Create Date: 2026-11-29
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401

revision = "0004_jobs"
down_revision = "0003_subscriptions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
