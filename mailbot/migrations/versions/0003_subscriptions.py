"""subscriptions tables (filled by the subscriptions issue; empty until then)

Revision ID: 0003_subscriptions
Revises: 0002_proofs
Create Date: 2026-11-29
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401

revision = "0003_subscriptions"
down_revision = "0002_proofs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
