"""web page: sign-in links and the action log

Revision ID: 0008_web
Revises: 0007_post_period_index
Create Date: 2026-12-07
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_web"
down_revision = "0007_post_period_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    )
    op.create_index("ix_web_token_token_hash", "web_token", ["token_hash"], unique=True)
    op.create_index("ix_web_token_email", "web_token", ["email"])
    op.create_table(
        "web_action",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
    )
    op.create_index("ix_web_action_at", "web_action", ["at"])
    op.create_index("ix_web_action_actor", "web_action", ["actor"])
    op.create_index("ix_web_action_target", "web_action", ["target"])


def downgrade() -> None:
    op.drop_table("web_action")
    op.drop_table("web_token")
