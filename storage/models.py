"""SQLAlchemy 2.0 models: disputes and their parties, timeline, people, groups, inbox, outbox, reminders."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from storage.types import UTCDateTime, json_type

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: json_type(),
        list[Any]: json_type(),
    }


class Person(Base):
    __tablename__ = "persons"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    id_number: Mapped[str | None] = mapped_column(String(18))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    identities: Mapped[list[PersonIdentity]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )


class PersonIdentity(Base):
    """One platform account of a person: (platform, platform user id)."""

    __tablename__ = "person_identities"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    person: Mapped[Person] = relationship(back_populates="identities")


class Group(Base):
    """A chat group bound to an area; kind 'resident' groups only ever see masked data."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(128))
    area: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # resident | police
    created_at: Mapped[datetime]


class AreaAssignment(Base):
    """Routing kept in the database (set with `jingwu admin area set`); it overrides routing.yaml."""

    __tablename__ = "area_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(64), unique=True)
    town: Mapped[str | None] = mapped_column(String(64))
    station: Mapped[str] = mapped_column(String(64))
    officer_key: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class Dispute(Base):
    __tablename__ = "disputes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    risk: Mapped[str] = mapped_column(String(8), index=True)
    complexity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    level: Mapped[int] = mapped_column(default=1)  # 1 村/社区, 2 派出所, 3 县局 (三级调解)
    summary: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(128))
    town: Mapped[str | None] = mapped_column(String(64))
    area: Mapped[str | None] = mapped_column(String(64), index=True)
    occurred_at: Mapped[datetime | None]
    reported_at: Mapped[datetime]
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(64))
    head_count: Mapped[int | None]
    amount: Mapped[int | None]
    accept_by: Mapped[datetime | None]
    resolve_by: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    missing: Mapped[list[Any]] = mapped_column(default=list)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id"))
    awaiting_field: Mapped[str | None] = mapped_column(String(32))  # the question the bot asked the reporter
    origin_platform: Mapped[str] = mapped_column(String(16))
    origin_chat_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]

    parties: Mapped[list[Party]] = relationship(
        back_populates="dispute", cascade="all, delete-orphan", lazy="selectin", order_by="Party.id"
    )
    sources: Mapped[list[SourceMessage]] = relationship(
        back_populates="dispute", cascade="all, delete-orphan", lazy="selectin", order_by="SourceMessage.id"
    )
    assignee: Mapped[Person | None] = relationship(foreign_keys=[assignee_id], lazy="selectin")
    reporter: Mapped[Person | None] = relationship(foreign_keys=[reporter_id], lazy="selectin")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - two officers racing to accept


class Party(Base):
    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(32))
    id_number: Mapped[str | None] = mapped_column(String(18))
    dispute: Mapped[Dispute] = relationship(back_populates="parties")


class SourceMessage(Base):
    """A message a record was built from: platform, chat, message id and the original text."""

    __tablename__ = "source_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime]
    dispute: Mapped[Dispute] = relationship(back_populates="sources")


class TimelineEvent(Base):
    """Append-only history of a dispute: who, when, from which message, what changed."""

    __tablename__ = "timeline_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    actor_label: Mapped[str] = mapped_column(String(64))
    source_platform: Mapped[str | None] = mapped_column(String(16))
    source_message_id: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class InboxMessage(Base):
    """Every accepted inbound message, persisted before the platform is acked."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "message_id"),
        Index("ix_inbox_status_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(160))
    chat_id: Mapped[str] = mapped_column(String(128))
    chat_kind: Mapped[str] = mapped_column(String(8))  # group | direct
    sender_id: Mapped[str] = mapped_column(String(128))
    sender_name: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # text | action | event
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sent_at: Mapped[datetime]
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A rendered outbound message waiting for (or done with) its channel's sender."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str | None] = mapped_column(String(128))
    user_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # text | markdown | card
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dispute_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id"), index=True)
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("inbox.id"))
    template: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Reminder(Base):
    """Work that falls due at a time (回访, 督办); claimed atomically by the sweep."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # revisit | accept_overdue | resolve_overdue
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(default=1)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | cancelled
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    outcome: Mapped[dict[str, Any]] = mapped_column(default=dict)


@event.listens_for(Session, "before_flush")
def _timeline_is_append_only(session: Session, _ctx: object, _instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, TimelineEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("timeline events are append-only")


# Feature modules declare their own tables on the same Base; importing them here puts every table in
# Base.metadata for Alembic and for the schema check in the tests.
import storage.models_dingtalk  # noqa: E402
import storage.models_jobs  # noqa: E402
import storage.models_qa  # noqa: E402
import storage.models_wecom  # noqa: E402, F401
