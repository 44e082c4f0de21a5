"""Engine and session factory: SQLite in WAL mode by default, PostgreSQL (asyncpg) in production.

SQLite has one write lock per database file. A writer that finds it taken waits in SQLite's busy handler, which
sleeps 1, 2, 5, … up to 100 ms between tries, so a writer that lets go and asks again at once (the inbox worker going
from one message to the next) keeps winning over one that has waited long (a callback's insert, which must commit
before the callback is acked): writers starve. So within one process every SQLite write transaction first queues on
a first-come, first-served asyncio lock (`WriteLock`), then begins IMMEDIATE, and hands the lock to the next writer
when it commits, rolls back or its connection closes. The busy timeout still covers other processes on the same
file; PostgreSQL is left alone. Transactions with the execution option `READ_ONLY` (`read_only(engine)`,
`uow_factory(read_only=True)`) begin DEFERRED and take neither lock: in WAL mode readers and the writer do not block
each other. The callbacks' inbox writer, which requests wait on before their ack, writes one autocommitting
statement in its turn (`sqlite_write_turn(first=True)`): it goes before the other waiting writers, though never
before the one writing now."""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession
from sqlalchemy.util import await_only

from storage.write_lock import WriteLock

BUSY_TIMEOUT_SECONDS = 30
READ_ONLY = "jingwu_read_only"  # execution option: nothing will be written in this transaction
_BEGIN_DEFERRED = "jingwu.begin_deferred"  # connection info, from the "begin" event to do_begin
_LOCKS: weakref.WeakKeyDictionary[Dialect, WriteLock] = weakref.WeakKeyDictionary()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def write_lock(engine: AsyncEngine) -> WriteLock | None:
    """The in-process queue of an SQLite engine's writers; None for PostgreSQL."""
    return _LOCKS.get(engine.sync_engine.dialect)


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """The same engine (same pool) for transactions that only read: on SQLite they begin DEFERRED, unqueued."""
    return engine.execution_options(**{READ_ONLY: True}) if write_lock(engine) is not None else engine


@asynccontextmanager
async def sqlite_write_turn(conn: AsyncConnection, *, first: bool = False) -> AsyncIterator[Any]:
    """This process's write lock around the aiosqlite connection behind `conn`, for a writer that bypasses
    SQLAlchemy's transactions (single statements, which commit by themselves). `first`: served before the other
    waiting writers; meant for one writer that requests wait on, which thus takes at most every other turn."""
    lock = write_lock(conn.engine)
    assert lock is not None, "an SQLite engine from storage.db.create_engine"
    pooled = await conn.get_raw_connection()
    owner = pooled.dbapi_connection
    await lock.acquire(owner, first=first)
    try:
        yield pooled.driver_connection
    finally:
        lock.release(owner)


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect  # one per engine (and its execution_options() copies)
    lock = _LOCKS[dialect] = WriteLock(timeout=BUSY_TIMEOUT_SECONDS)

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so BEGIN is emitted when SQLAlchemy asks for it (do_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if ":memory:" not in str(engine.url):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cur.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.info[_BEGIN_DEFERRED] = bool(conn.get_execution_options().get(READ_ONLY))

    # The dialect's transaction calls, wrapped so that the lock is taken before BEGIN and given back after COMMIT
    # or ROLLBACK (SQLAlchemy's commit and rollback events fire before them). They receive the pool's proxy of the
    # connection, except close and terminate, which receive the driver's connection: the lock's owner is the latter.
    commit, rollback, close, terminate = dialect.do_commit, dialect.do_rollback, dialect.do_close, dialect.do_terminate

    def do_begin(conn: Any) -> None:
        if conn.info.pop(_BEGIN_DEFERRED, False):
            _execute(conn, "BEGIN")
            return
        owner = _driver_connection(conn)
        try:  # do_begin runs in SQLAlchemy's greenlet inside the event loop's thread: it can wait for a coroutine
            await_only(lock.acquire(owner))
        except TimeoutError:
            raise dialect.loaded_dbapi.OperationalError(
                f"database is locked: other writers of this process held it for {BUSY_TIMEOUT_SECONDS} s"
            ) from None
        try:
            _execute(conn, "BEGIN IMMEDIATE")  # waits for other processes' writers (busy_timeout)
        except BaseException:
            lock.release(owner)
            raise

    def do_commit(conn: Any) -> None:
        try:
            commit(conn)
        finally:
            lock.release(_driver_connection(conn))

    def do_rollback(conn: Any) -> None:
        try:
            rollback(conn)
        finally:
            lock.release(_driver_connection(conn))

    def do_close(conn: Any) -> None:
        try:
            close(conn)
        finally:
            lock.release(conn)

    def do_terminate(conn: Any) -> None:
        try:
            terminate(conn)
        finally:
            lock.release(conn)

    for wrapper in (do_begin, do_commit, do_rollback, do_close, do_terminate):
        setattr(dialect, wrapper.__name__, wrapper)  # this engine's dialect instance only


def _driver_connection(conn: Any) -> Any:
    """The DBAPI connection behind the pool's proxy (or itself)."""
    return getattr(conn, "dbapi_connection", None) or conn


def _execute(conn: Any, sql: str) -> None:
    cur = conn.cursor()
    try:
        cur.execute(sql)
    finally:
        cur.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
