"""Tables owned by the jobs feature (imported by storage.models so that Alembic and the tests see them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class SentDigest(Base):
    """One digest per (station, kind, period): inserted in the transaction that queues it, so it goes out once."""

    __tablename__ = "sent_digests"
    __table_args__ = (UniqueConstraint("station", "kind", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    station: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # daily | weekly | monthly
    period: Mapped[str] = mapped_column(String(32))  # 2026-11-24 | 2026-11-16 (week start) | 2026-10
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))


class RevisitOutcome(Base):
    """Every recorded 回访 result (the facts behind 回访满意率); the revisit reminder keeps a copy in `outcome`."""

    __tablename__ = "revisit_outcomes"
    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminders.id", ondelete="SET NULL"))
    seq: Mapped[int | None]
    result: Mapped[str | None] = mapped_column(String(8))  # 满意 | 基本满意 | 不满意; None when only 反复 was given
    recurred: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
