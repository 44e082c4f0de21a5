"""closed loop: routing in the database, the reporter question being awaited

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "area_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("town", sa.String(length=64), nullable=True),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("officer_key", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_assignments")),
        sa.UniqueConstraint("area", name=op.f("uq_area_assignments_area")),
    )
    with op.batch_alter_table("disputes") as batch_op:
        batch_op.add_column(sa.Column("awaiting_field", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("disputes") as batch_op:
        batch_op.drop_column("awaiting_field")
    op.drop_table("area_assignments")
