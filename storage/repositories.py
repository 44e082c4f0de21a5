"""Repositories: the only place that writes SQL; handlers use them through the unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AreaAssignment,
    Dispute,
    Group,
    InboxMessage,
    OutboxMessage,
    Person,
    PersonIdentity,
    Reminder,
    TimelineEvent,
)


class _Repo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _pg(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"


class AreaRepository(_Repo):
    async def get(self, area: str) -> AreaAssignment | None:
        return (await self.session.scalars(select(AreaAssignment).where(AreaAssignment.area == area))).first()

    async def all(self) -> list[AreaAssignment]:
        return list((await self.session.scalars(select(AreaAssignment).order_by(AreaAssignment.area))).all())

    async def add(self, row: AreaAssignment) -> None:
        self.session.add(row)
        await self.session.flush()


class DisputeRepository(_Repo):
    async def add(self, dispute: Dispute) -> Dispute:
        self.session.add(dispute)
        await self.session.flush()
        return dispute

    async def get(self, dispute_id: int) -> Dispute | None:
        return await self.session.get(Dispute, dispute_id)

    async def by_number(self, number: int) -> Dispute | None:
        """`#0007`, `7` and `JF-20261123-0007` all name record 7: the number is the record's id."""
        return await self.session.get(Dispute, number)

    async def find(
        self,
        *,
        status: Sequence[str] | None = None,
        assignee_id: int | None = None,
        reporter_id: int | None = None,
        chat: tuple[str, str] | None = None,
        reported_since: datetime | None = None,
        limit: int = 100,
    ) -> list[Dispute]:
        q = select(Dispute).order_by(Dispute.id.desc()).limit(limit)
        if status:
            q = q.where(Dispute.status.in_(status))
        if assignee_id is not None:
            q = q.where(Dispute.assignee_id == assignee_id)
        if reporter_id is not None:
            q = q.where(Dispute.reporter_id == reporter_id)
        if chat is not None:
            q = q.where(Dispute.origin_platform == chat[0], Dispute.origin_chat_id == chat[1])
        if reported_since is not None:
            q = q.where(Dispute.reported_at >= reported_since)
        return list((await self.session.scalars(q)).all())

    async def add_event(self, event: TimelineEvent) -> None:
        self.session.add(event)

    async def timeline(self, dispute_id: int) -> list[TimelineEvent]:
        q = select(TimelineEvent).where(TimelineEvent.dispute_id == dispute_id).order_by(TimelineEvent.id)
        return list((await self.session.scalars(q)).all())


class PersonRepository(_Repo):
    async def by_identity(self, platform: str, platform_user_id: str) -> Person | None:
        q = (
            select(Person)
            .join(PersonIdentity)
            .where(PersonIdentity.platform == platform, PersonIdentity.platform_user_id == platform_user_id)
        )
        return (await self.session.scalars(q)).first()

    async def by_key(self, key: str) -> Person | None:
        return (await self.session.scalars(select(Person).where(Person.key == key))).first()

    async def add(self, person: Person) -> Person:
        self.session.add(person)
        await self.session.flush()
        return person

    async def all(self) -> list[Person]:
        return list((await self.session.scalars(select(Person).order_by(Person.id))).all())

    @staticmethod
    def identity(person: Person, platform: str) -> str | None:
        return next((i.platform_user_id for i in person.identities if i.platform == platform), None)


class GroupRepository(_Repo):
    async def get(self, platform: str, chat_id: str) -> Group | None:
        q = select(Group).where(Group.platform == platform, Group.chat_id == chat_id)
        return (await self.session.scalars(q)).first()

    async def add(self, group: Group) -> Group:
        self.session.add(group)
        await self.session.flush()
        return group


class InboxRepository(_Repo):
    async def insert_if_new(self, values: dict[str, Any]) -> int | None:
        """Insert one inbound message; None if (platform, message_id) was already stored."""
        ins = pg_insert(InboxMessage) if self._pg else sqlite_insert(InboxMessage)
        stmt = (
            ins.values(**values)
            .on_conflict_do_nothing(index_elements=["platform", "message_id"])
            .returning(InboxMessage.id)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def claim_next(self, max_attempts: int) -> InboxMessage | None:
        """The oldest pending message, locked for this transaction (SKIP LOCKED on PostgreSQL)."""
        q = (
            select(InboxMessage)
            .where(InboxMessage.status == "pending", InboxMessage.attempts < max_attempts)
            .order_by(InboxMessage.id)
            .limit(1)
        )
        if self._pg:
            q = q.with_for_update(skip_locked=True)
        return (await self.session.scalars(q)).first()

    async def get(self, inbox_id: int) -> InboxMessage | None:
        return await self.session.get(InboxMessage, inbox_id)

    async def count(self, status: str | None = None) -> int:
        q = select(func.count()).select_from(InboxMessage)
        if status:
            q = q.where(InboxMessage.status == status)
        return int((await self.session.execute(q)).scalar_one())


class OutboxRepository(_Repo):
    async def add(self, message: OutboxMessage) -> OutboxMessage:
        self.session.add(message)
        await self.session.flush()
        return message

    async def lease_due(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        """Take due pending messages and push their next attempt past the lease, so that no other
        worker sends them while this one does; a crash makes them due again when the lease ends."""
        q = (
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if self._pg:
            q = q.with_for_update(skip_locked=True)
        rows = list((await self.session.scalars(q)).all())
        for row in rows:
            row.next_attempt_at = lease_until
            row.attempts += 1
        await self.session.flush()
        return rows

    async def get(self, outbox_id: int) -> OutboxMessage | None:
        return await self.session.get(OutboxMessage, outbox_id)

    async def find(self, status: str | None = None, limit: int = 1000) -> list[OutboxMessage]:
        q = select(OutboxMessage).order_by(OutboxMessage.id).limit(limit)
        if status:
            q = q.where(OutboxMessage.status == status)
        return list((await self.session.scalars(q)).all())


class ReminderRepository(_Repo):
    async def add(self, reminder: Reminder) -> None:
        self.session.add(reminder)

    async def claim_due(self, now: datetime, limit: int) -> list[Reminder]:
        """Due pending reminders in due order, locked for this transaction (SKIP LOCKED on PostgreSQL;
        on SQLite the transaction began IMMEDIATE, so this process is the only writer)."""
        q = (
            select(Reminder)
            .where(Reminder.status == "pending", Reminder.due_at <= now)
            .order_by(Reminder.due_at, Reminder.id)
            .limit(limit)
        )
        if self._pg:
            q = q.with_for_update(skip_locked=True)
        return list((await self.session.scalars(q)).all())

    async def for_dispute(self, dispute_id: int) -> list[Reminder]:
        q = select(Reminder).where(Reminder.dispute_id == dispute_id).order_by(Reminder.due_at, Reminder.id)
        return list((await self.session.scalars(q)).all())

    async def reschedule(self, dispute_id: int, kind: str, due_at: datetime | None) -> None:
        """Move a pending 督办 reminder to a new deadline (after the officer re-grades the record)."""
        if due_at is None:
            return
        await self.session.execute(
            update(Reminder)
            .where(Reminder.dispute_id == dispute_id, Reminder.status == "pending", Reminder.kind == kind)
            .values(due_at=due_at)
        )

    async def cancel_pending(self, dispute_id: int, kinds: Sequence[str]) -> None:
        await self.session.execute(
            update(Reminder)
            .where(Reminder.dispute_id == dispute_id, Reminder.status == "pending", Reminder.kind.in_(kinds))
            .values(status="cancelled")
        )
