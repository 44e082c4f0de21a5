"""Unit of work: one transaction, the repositories that share it, commit or roll back as one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import (
    AreaRepository,
    DisputeRepository,
    GroupRepository,
    InboxRepository,
    OutboxRepository,
    PersonRepository,
    ReminderRepository,
)


class UnitOfWork:
    disputes: DisputeRepository
    people: PersonRepository
    groups: GroupRepository
    inbox: InboxRepository
    outbox: OutboxRepository
    reminders: ReminderRepository
    areas: AreaRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        s = self.session
        self.disputes, self.people, self.groups = (
            DisputeRepository(s),
            PersonRepository(s),
            GroupRepository(s),
        )
        self.inbox, self.outbox, self.reminders = (
            InboxRepository(s),
            OutboxRepository(s),
            ReminderRepository(s),
        )
        self.areas = AreaRepository(s)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() ends any open transaction without committing it; unlike rollback() it leaves loaded
        # objects readable (detached, not expired), which is what callers that only read want
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Writes inside are undone on error while the outer transaction (the inbox claim) stays."""
        async with self.session.begin_nested():
            yield


class UnitOfWorkFactory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)
