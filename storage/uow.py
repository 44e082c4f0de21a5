"""Unit of work: one transaction, the repositories that share it, commit or roll back as one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import read_only as read_only_engine
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

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, read_only: bool = False, bind: AsyncEngine | None = None
    ) -> None:
        self._sessions, self.read_only, self._bind = sessions, read_only, bind

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions() if self._bind is None else self._sessions(bind=self._bind)
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
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit; open it without read_only=True to write")
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
        bind = sessions.kw.get("bind")
        ro = read_only_engine(bind) if isinstance(bind, AsyncEngine) else None
        self._read_only_bind = ro if ro is not bind else None  # only SQLite has a read-only way in

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """`read_only=True`: the unit of work only reads and never commits. On SQLite its transactions begin
        DEFERRED and do not queue behind writers (storage/db.py); elsewhere it is an ordinary unit of work."""
        if read_only:
            return UnitOfWork(self.sessions, read_only=True, bind=self._read_only_bind)
        return UnitOfWork(self.sessions)
