"""Tables owned by the qa feature: consultation tickets handed to an officer, and their repository."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import Base, Person


class Consultation(Base):
    """A resident's question the FAQ could not answer: open until an officer's 答复 is posted back."""

    __tablename__ = "consultations"
    __table_args__ = (Index("ix_consultations_status_id", "status", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))  # the group, or the asker's user id in a 1:1 chat
    chat_kind: Mapped[str] = mapped_column(String(8))  # group | direct
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    asker_user_id: Mapped[str] = mapped_column(String(128))  # platform user id, to @-mention the answer
    asker_name: Mapped[str | None] = mapped_column(String(64))
    area: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # open | answered
    answer: Mapped[str | None] = mapped_column(Text)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))  # the officer it was handed to
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("inbox.id"))
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]

    officer: Mapped[Person | None] = relationship(foreign_keys=[officer_id], lazy="selectin")
    answered_by: Mapped[Person | None] = relationship(foreign_keys=[answered_by_id], lazy="selectin")

    @property
    def code(self) -> str:
        return f"Q{self.id}"


class ConsultationRepository:
    """Consultation tickets, in the caller's unit of work (`ConsultationRepository(uow.session)`)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, consultation: Consultation) -> Consultation:
        self.session.add(consultation)
        await self.session.flush()
        return consultation

    async def get(self, consultation_id: int) -> Consultation | None:
        return await self.session.get(Consultation, consultation_id)

    async def find(self, *, status: str | None = None, limit: int = 100) -> list[Consultation]:
        q = select(Consultation).order_by(Consultation.id.desc()).limit(limit)
        if status:
            q = q.where(Consultation.status == status)
        return list((await self.session.scalars(q)).all())
