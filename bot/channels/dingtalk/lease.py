"""Who may hold the Stream connection: a database row taken by compare-and-set and renewed by its holder."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

from sqlalchemy import CursorResult, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.clock import Clock
from storage.models_dingtalk import DingTalkStreamLease as Lease
from storage.uow import UnitOfWorkFactory


def default_holder() -> str:
    """host:pid:random, so that two bots on one host, or a restarted one, never share an identity."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(4)}"


class StreamLease:
    """One named lease. Every statement is a single atomic UPDATE or INSERT whose WHERE is the comparison:
    on PostgreSQL a racing UPDATE re-reads the row it waited for, on SQLite BEGIN IMMEDIATE serialises writers,
    so two processes never both see rowcount 1."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, name: str, ttl_seconds: float, holder: str | None = None
    ) -> None:
        self.uow_factory, self.clock, self.name = uow_factory, clock, name
        self.ttl = timedelta(seconds=ttl_seconds)
        self.holder = holder or default_holder()

    async def try_acquire(self) -> bool:
        """Take the lease if it is free, expired, or already ours; returns whether we hold it now."""
        now = self.clock.now()
        async with self.uow_factory() as uow:
            taken = await uow.session.execute(
                update(Lease)
                .where(Lease.name == self.name, or_(Lease.holder == self.holder, Lease.expires_at <= now))
                .values(holder=self.holder, expires_at=now + self.ttl, acquired_at=now, renewed_at=now)
            )
            if _count(taken) == 1:
                await uow.commit()
                return True
            dialect = uow.session.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            created = await uow.session.execute(
                insert(Lease)
                .values(name=self.name, holder=self.holder, expires_at=now + self.ttl, acquired_at=now, renewed_at=now)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            await uow.commit()
            return _count(created) == 1

    async def renew(self) -> bool:
        """Push our expiry forward; False means another process took the lease and we must stop at once."""
        now = self.clock.now()
        async with self.uow_factory() as uow:
            result = await uow.session.execute(
                update(Lease)
                .where(Lease.name == self.name, Lease.holder == self.holder)
                .values(expires_at=now + self.ttl, renewed_at=now)
            )
            await uow.commit()
            return _count(result) == 1

    async def release(self) -> None:
        """Expire our lease now so that a standby takes over without waiting for the TTL."""
        now = self.clock.now()
        async with self.uow_factory() as uow:
            await uow.session.execute(
                update(Lease).where(Lease.name == self.name, Lease.holder == self.holder).values(expires_at=now)
            )
            await uow.commit()

    async def current_holder(self) -> str | None:
        async with self.uow_factory() as uow:
            row = await uow.session.get(Lease, self.name)
            return row.holder if row is not None and row.expires_at > self.clock.now() else None


def _count(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0
