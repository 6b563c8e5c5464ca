"""index the posts by period, tag and thread (the digest counts threads from it alone)

Revision ID: 0007_post_period_index
Revises: 0006_outbox_claim
Create Date: 2026-11-29
"""

from alembic import op

revision = "0007_post_period_index"
down_revision = "0006_outbox_claim"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index("ix_post_period", ["posted_at", "tag", "thread_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_period")
