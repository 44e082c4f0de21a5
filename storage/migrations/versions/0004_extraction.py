"""intentionally empty step, kept so that the revision chain 0003 -> 0004 -> 0005 stays unbroken

This revision was reserved for tables of the extraction feature, which turned out to need none (the extractor keeps
no state in the database), and it never changed the schema. It cannot simply be removed: a database upgraded while
0004 was the head has "0004" recorded in alembic_version, and Alembic refuses to upgrade a database whose recorded
revision has no script ("Can't locate revision identified by '0004'"). Both directions therefore do nothing.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # no schema change, by design (see the docstring)


def downgrade() -> None:
    pass
