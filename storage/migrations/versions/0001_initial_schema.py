"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 08:03:01.398258
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("platform", "chat_id", name=op.f("uq_groups_platform")),
    )
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=160), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("chat_kind", sa.String(length=8), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("sender_name", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("platform", "message_id", name=op.f("uq_inbox_platform")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_status_id", ["status", "id"], unique=False)

    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("key", name=op.f("uq_persons_key")),
    )
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("risk", sa.String(length=8), nullable=False),
        sa.Column("complexity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=128), nullable=True),
        sa.Column("town", sa.String(length=64), nullable=True),
        sa.Column("area", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("head_count", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("accept_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolve_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("reasons", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("missing", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("origin_platform", sa.String(length=16), nullable=False),
        sa.Column("origin_chat_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["persons.id"], name=op.f("fk_disputes_assignee_id_persons")),
        sa.ForeignKeyConstraint(["merged_into_id"], ["disputes.id"], name=op.f("fk_disputes_merged_into_id_disputes")),
        sa.ForeignKeyConstraint(["reporter_id"], ["persons.id"], name=op.f("fk_disputes_reporter_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
        sa.UniqueConstraint("code", name=op.f("uq_disputes_code")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disputes_area"), ["area"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_risk"), ["risk"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_status"), ["status"], unique=False)

    op.create_table(
        "person_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_user_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_identities_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_identities")),
        sa.UniqueConstraint("platform", "platform_user_id", name=op.f("uq_person_identities_platform")),
    )
    with op.batch_alter_table("person_identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_identities_person_id"), ["person_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=True),
        sa.Column("user_id", sa.String(length=128), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=True),
        sa.Column("inbox_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(length=48), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["dispute_id"], ["disputes.id"], name=op.f("fk_outbox_dispute_id_disputes")),
        sa.ForeignKeyConstraint(["inbox_id"], ["inbox.id"], name=op.f("fk_outbox_inbox_id_inbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_dispute_id"), ["dispute_id"], unique=False)
        batch_op.create_index("ix_outbox_status_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["disputes.id"], name=op.f("fk_parties_dispute_id_disputes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
    )
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parties_dispute_id"), ["dispute_id"], unique=False)

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["disputes.id"], name=op.f("fk_reminders_dispute_id_disputes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_dispute_id"), ["dispute_id"], unique=False)
        batch_op.create_index("ix_reminders_status_due", ["status", "due_at"], unique=False)

    op.create_table(
        "source_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes.id"],
            name=op.f("fk_source_messages_dispute_id_disputes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_messages")),
    )
    with op.batch_alter_table("source_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_messages_dispute_id"), ["dispute_id"], unique=False)

    op.create_table(
        "timeline_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=64), nullable=False),
        sa.Column("source_platform", sa.String(length=16), nullable=True),
        sa.Column("source_message_id", sa.String(length=128), nullable=True),
        sa.Column("detail", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["persons.id"], name=op.f("fk_timeline_events_actor_id_persons")),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes.id"],
            name=op.f("fk_timeline_events_dispute_id_disputes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_events")),
    )
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timeline_events_dispute_id"), ["dispute_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timeline_events_dispute_id"))

    op.drop_table("timeline_events")
    with op.batch_alter_table("source_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_messages_dispute_id"))

    op.drop_table("source_messages")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_status_due")
        batch_op.drop_index(batch_op.f("ix_reminders_dispute_id"))

    op.drop_table("reminders")
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parties_dispute_id"))

    op.drop_table("parties")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_due")
        batch_op.drop_index(batch_op.f("ix_outbox_dispute_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("person_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_identities_person_id"))

    op.drop_table("person_identities")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disputes_status"))
        batch_op.drop_index(batch_op.f("ix_disputes_risk"))
        batch_op.drop_index(batch_op.f("ix_disputes_category"))
        batch_op.drop_index(batch_op.f("ix_disputes_assignee_id"))
        batch_op.drop_index(batch_op.f("ix_disputes_area"))

    op.drop_table("disputes")
    op.drop_table("persons")
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_status_id")

    op.drop_table("inbox")
    op.drop_table("groups")
