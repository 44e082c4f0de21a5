"""wecom tables: single-use reply handles claimed by outbox rows

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wecom_reply_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_wecom_reply_claims_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wecom_reply_claims")),
        sa.UniqueConstraint("handle_hash", name=op.f("uq_wecom_reply_claims_handle_hash")),
    )
    with op.batch_alter_table("wecom_reply_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wecom_reply_claims_outbox_id"), ["outbox_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("wecom_reply_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wecom_reply_claims_outbox_id"))
    op.drop_table("wecom_reply_claims")
