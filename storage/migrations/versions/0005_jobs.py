"""jobs tables: digests sent once per station, kind and period; recorded revisit outcomes

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sent_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_sent_digests_outbox_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_digests")),
        sa.UniqueConstraint("station", "kind", "period", name=op.f("uq_sent_digests_station")),
    )
    op.create_table(
        "revisit_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("recurred", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["persons.id"], name=op.f("fk_revisit_outcomes_actor_id_persons")),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["disputes.id"], name=op.f("fk_revisit_outcomes_dispute_id_disputes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reminder_id"],
            ["reminders.id"],
            name=op.f("fk_revisit_outcomes_reminder_id_reminders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisit_outcomes")),
    )
    with op.batch_alter_table("revisit_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revisit_outcomes_dispute_id"), ["dispute_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_revisit_outcomes_recorded_at"), ["recorded_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("revisit_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revisit_outcomes_recorded_at"))
        batch_op.drop_index(batch_op.f("ix_revisit_outcomes_dispute_id"))
    op.drop_table("revisit_outcomes")
    op.drop_table("sent_digests")
