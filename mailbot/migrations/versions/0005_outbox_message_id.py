"""index the outbox by our Message-ID (a reply finds the mail it answers)

Revision ID: 0005_outbox_message_id
Revises: 0004_jobs
Create Date: 2026-11-29
"""

from alembic import op

revision = "0005_outbox_message_id"
down_revision = "0004_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_id"), ["message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_id"))
