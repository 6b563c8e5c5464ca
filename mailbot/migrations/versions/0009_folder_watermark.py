"""folder marks: how far each watched folder has been read (a pass lists what is new)

Revision ID: 0009_folder_watermark
Revises: 0008_web
Create Date: 2026-12-07
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009_folder_watermark"
down_revision = "0008_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "folder_mark",
        sa.Column("folder", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("uid_next", sa.Integer(), nullable=False),
        sa.Column("reconciled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("folder"),
    )


def downgrade() -> None:
    op.drop_table("folder_mark")
