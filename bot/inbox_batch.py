"""Group commit for every channel's callbacks (`Bot.accept`): messages that arrive while a commit runs are stored
together in the next one.

Each request still waits until its own message is committed before it acks (persist-before-ack). A batch (one
message when the bot is quiet) is one INSERT ... ON CONFLICT DO NOTHING of the rows `bot.ingest` would write, so
a burst costs one commit instead of one per message; then the worker is woken, as `Bot.accept` does. On
PostgreSQL a few batches commit side by side (the server groups their WAL flushes). SQLite has one writer: the batch
queues for the process's write lock ahead of the worker, outbox and jobs (`storage/db.py`) and is only taken once its
transaction has begun, so everything that arrived while it queued goes into that one commit."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.clock import Clock
from bot.ingest import inbox_values
from bot.messages import InboundMessage
from storage.db import sqlite_write_turn
from storage.models import InboxMessage

log = logging.getLogger(__name__)

_INBOX = cast(Table, InboxMessage.__table__)


class InboxBatcher:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        wake: Callable[[], None],
        *,
        max_batch: int,
        writers: int | None = None,
    ) -> None:
        self.engine, self.clock, self.wake = engine, clock, wake
        self.max_batch = max_batch
        self._pg = pg = engine.dialect.name == "postgresql"
        self.writers = writers or (4 if pg else 1)
        # SQLite: the row values as SQLAlchemy would bind them (UTC datetimes as text, JSON as a string)
        dialect = engine.dialect
        self._binds = [(c, _INBOX.c[c].type.dialect_impl(dialect).bind_processor(dialect)) for c in _COLUMNS]
        self._waiting: list[tuple[InboundMessage, asyncio.Future[bool]]] = []
        self._busy = 0
        self._tasks: set[asyncio.Task[None]] = set()
        # Writers keep their connections: a checkout from the pool would ping the server before every batch.
        self._idle: list[AsyncConnection] = []

    async def accept(self, msg: InboundMessage) -> bool:
        """Store `msg` (with whatever else is waiting) and return once it is committed; False for a redelivery."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((msg, future))
        if self._busy < self.writers:
            self._busy += 1
            task = asyncio.create_task(self._write(), name="inbox-writer")
            self._tasks.add(task)  # a strong reference until it is done
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _write(self) -> None:
        try:
            while self._waiting:
                await self._store()
        finally:
            self._busy -= 1

    async def _store(self) -> None:
        batch: list[tuple[InboundMessage, asyncio.Future[bool]]] = []
        taken = False

        def take() -> list[InboundMessage]:
            """The batch, taken once: on SQLite only when the transaction has begun (after this writer's turn at
            the write lock), so that whatever arrived while it queued goes into this commit, not the next. Once
            taken, even if empty (another writer took everything), it never grows: a later arrival belongs to a
            later statement, and answering it from this one would ack a message that was never stored."""
            nonlocal taken
            if not taken:
                taken = True
                batch[:], self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
            return [msg for msg, _future in batch]

        try:
            stored = await self._insert(take)
        except Exception as exc:  # every request of the batch answers 503 and WeCom retries
            take()
            for _msg, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        log.debug("inbox: stored %s of %s callbacks in one commit", len(stored), len(batch))
        for msg, future in batch:
            _resolve(future, stored.pop(msg.message_id, False))  # the first copy wins, later ones are repeats
        self.wake()

    async def _insert(self, take: Callable[[], list[InboundMessage]]) -> dict[str, bool]:
        while True:
            kept = bool(self._idle)
            conn = self._idle.pop() if kept else await self.engine.connect()
            try:
                inserted = await self._execute(conn, lambda: self._values(take()))
                break
            except Exception:
                await conn.close()  # a broken connection is not reused
                if not kept:  # a fresh connection failed too: the database is down
                    raise
                log.info("inbox: a kept connection failed; retrying on a new one")
        self._idle.append(conn)
        return {m: True for m in inserted}

    def _values(self, messages: list[InboundMessage]) -> list[dict[str, Any]]:
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for msg in messages:
            rows.setdefault((msg.platform, msg.message_id), inbox_values(msg, self.clock))
        return list(rows.values())

    async def _execute(self, conn: AsyncConnection, values: Callable[[], list[dict[str, Any]]]) -> set[str]:
        if self._pg:
            return await _insert_pg(conn, values())
        async with sqlite_write_turn(conn, first=True) as driver:  # after the writer now, before the waiting ones
            rows = values()
            if not rows:
                return set()
            params = [row[name] if bind is None else bind(row[name]) for row in rows for name, bind in self._binds]
            # one statement, so it commits by itself: the lock is held for one trip to the driver's thread
            return {str(r[0]) for r in await driver.execute_fetchall(_sqlite_insert(len(rows)), params)}

    async def close(self) -> None:
        """Let the writers in flight finish (their callers are waiting to ack), then close the kept connections."""
        await asyncio.gather(*self._tasks, return_exceptions=True)
        while self._idle:
            await self._idle.pop().close()


# PostgreSQL: the whole batch as one statement over arrays, straight through asyncpg. SQLAlchemy's executemany
# spent more CPU per row than the rest of the callback together; the test suite holds both paths to one row.
_PG_COLUMNS = (
    ("platform", "varchar"),
    ("message_id", "varchar"),
    ("chat_id", "varchar"),
    ("chat_kind", "varchar"),
    ("sender_id", "varchar"),
    ("sender_name", "varchar"),
    ("kind", "varchar"),
    ("text", "text"),
    ("payload", "jsonb"),
    ("sent_at", "timestamptz"),
    ("received_at", "timestamptz"),
    ("status", "varchar"),
    ("attempts", "int"),
)
_COLUMNS = tuple(c for c, _t in _PG_COLUMNS)
_PG_INSERT = (
    f"INSERT INTO {_INBOX.name} ({', '.join(_COLUMNS)}) "
    f"SELECT * FROM unnest({', '.join(f'${i}::{t}[]' for i, (_c, t) in enumerate(_PG_COLUMNS, 1))}) "
    "ON CONFLICT (platform, message_id) DO NOTHING RETURNING message_id"
)


async def _insert_pg(conn: AsyncConnection, rows: list[dict[str, Any]]) -> set[str]:
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw is not None
    columns = [[_pg_value(name, row[name]) for row in rows] for name, _type in _PG_COLUMNS]
    # one statement, so it commits by itself: no BEGIN and COMMIT round trips
    return {str(r[0]) for r in await raw.fetch(_PG_INSERT, *columns)}


@functools.cache
def _sqlite_insert(rows: int) -> str:
    """SQLite: the batch as one multi-row INSERT (far below its 32,766 parameters at `ingest_batch_max` rows)."""
    values = ", ".join([f"({', '.join('?' * len(_COLUMNS))})"] * rows)
    return (
        f"INSERT INTO {_INBOX.name} ({', '.join(_COLUMNS)}) VALUES {values} "
        "ON CONFLICT (platform, message_id) DO NOTHING RETURNING message_id"
    )


def _pg_value(name: str, value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if name == "payload" else value


def _resolve(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():  # the request may have been cancelled (client gone); its row is stored all the same
        future.set_result(value)
