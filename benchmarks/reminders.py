"""Benchmark: one reminder sweep over 1,000,000 pending reminders, with nothing due and with 1,000 due.

    .venv/bin/python benchmarks/reminders.py --sqlite --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test

SQLite runs in a temporary file; PostgreSQL in a dedicated schema that is dropped afterwards. Rows are bulk-loaded
(COPY on PostgreSQL, executemany on SQLite) after the real migrations; the sweep is the production code path."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import Bot, create_bot
from bot.clock import SHANGHAI, ManualClock
from bot.people import bind_group
from config.settings import Settings
from jobs.config import JobsSettings
from jobs.reminders import sweep_reminders
from jobs.tick import jobs_config
from storage.db import create_engine
from storage.migrate import upgrade

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)
CHUNK = 100_000
DISPUTE_COLS = [
    *("id", "category", "risk", "complexity", "status", "level", "summary", "area", "reported_at"),
    *("origin_platform", "origin_chat_id", "reasons", "missing", "version", "updated_at"),
]
REMINDER_COLS = ["kind", "dispute_id", "seq", "due_at", "status", "created_at", "outcome"]


def disputes(n: int) -> Iterator[tuple[Any, ...]]:
    at = NOW - timedelta(days=10)
    for i in range(1, n + 1):
        yield (
            i,
            "neighbor",
            "low",
            "general",
            "resolved",
            1,
            f"第{i}件",
            "幸福村",
            at,
            "console",
            "c",
            "[]",
            "[]",
            1,
            at,
        )


def reminders(total: int, due: int, n_disputes: int) -> Iterator[tuple[Any, ...]]:
    """`due` rows due in the 1,000 minutes before NOW, the rest spread over the next year; one row each for the
    first `due` disputes (so that each due one is a real revisit), the rest round-robin."""
    created = NOW - timedelta(days=10)
    for i in range(total):
        if i < due:
            yield ("revisit", i + 1, 1, NOW - timedelta(minutes=i + 1), "pending", created, "{}")
        else:
            dispute = due + 1 + (i % (n_disputes - due))
            yield ("revisit", dispute, 2, NOW + timedelta(minutes=1 + i % 525_600), "pending", created, "{}")


def chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _sqlite_value(v: Any) -> Any:
    if isinstance(v, datetime):  # the text form SQLAlchemy stores: naive UTC
        return v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return v


async def load_sqlite(engine: AsyncEngine, total: int, due: int, n_disputes: int) -> None:
    """executemany in one explicit transaction (the engine puts pysqlite in autocommit mode)."""
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.execute("PRAGMA cache_size = -262144")  # 256 MB while loading: the indexes fit in memory
        await raw.execute("BEGIN")
        for table, cols, rows in (
            ("disputes", DISPUTE_COLS, disputes(n_disputes)),
            ("reminders", REMINDER_COLS, reminders(total, due, n_disputes)),
        ):
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            for batch in chunks(rows):
                await raw.executemany(sql, [tuple(_sqlite_value(v) for v in row) for row in batch])
        await raw.execute("COMMIT")


async def load_pg(engine: AsyncEngine, schema: str, total: int, due: int, n_disputes: int) -> None:
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        for table, cols, rows in (
            ("disputes", DISPUTE_COLS, disputes(n_disputes)),
            ("reminders", REMINDER_COLS, reminders(total, due, n_disputes)),
        ):
            for batch in chunks(rows):
                await raw.copy_records_to_table(table, records=batch, columns=cols, schema_name=schema)
        await raw.execute(f"SELECT setval('\"{schema}\".disputes_id_seq', {n_disputes})")
        await raw.execute("ANALYZE")  # what autovacuum would have done by the time a table holds a million rows


async def timed(fn: Callable[[], Awaitable[int]]) -> tuple[float, int]:
    start = time.perf_counter()
    n = await fn()
    return (time.perf_counter() - start) * 1000, n


async def measure(bot: Bot, label: str, due: int, repeat: int) -> dict[str, str]:
    config, settings = jobs_config(bot), JobsSettings()

    def sweep(at: datetime) -> Callable[[], Awaitable[int]]:
        return lambda: sweep_reminders(bot.uow_factory, bot.services, config, now=at, settings=settings)

    async def empty(at: datetime) -> str:
        runs = [await timed(sweep(at)) for _ in range(repeat)]
        assert all(n == 0 for _, n in runs)
        ms = sorted(t for t, _ in runs)
        return f"median {statistics.median(ms):.1f} ms, p95 {ms[int(len(ms) * 0.95) - 1]:.1f} ms"

    results = {"empty sweep (nothing due yet)": await empty(NOW - timedelta(minutes=due + 1))}
    results["empty sweep in the quiet hours"] = await empty(NOW.replace(hour=23) - timedelta(days=1))
    ms, n = await timed(sweep(NOW))
    assert n == due, (n, due)
    results[f"sweep with {due:,} due ({due:,} outbox rows)"] = f"{ms:.0f} ms ({ms / due:.2f} ms per reminder)"
    results[f"empty sweep after the {due:,} went out"] = await empty(NOW)
    print(f"\n{label}")
    for k, v in results.items():
        print(f"  {k:<46} {v}")
    return results


async def prepare(engine: AsyncEngine, clock: ManualClock) -> Bot:
    bot = await create_bot(Settings(database_url=str(engine.url), auto_migrate=False), clock=clock, engine=engine)
    async with bot.uow_factory() as uow:
        await bind_group(
            uow, clock, platform="console", chat_id="police-chengguan", name="城关所", area=None, kind="police"
        )
        await uow.commit()
    return bot


async def run_sqlite(total: int, due: int, n_disputes: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="jingwu-bench-") as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await upgrade(engine)
        start = time.perf_counter()
        await load_sqlite(engine, total, due, n_disputes)
        print(f"SQLite: loaded {total:,} reminders on {n_disputes:,} records in {time.perf_counter() - start:.1f} s")
        bot = await prepare(engine, ManualClock(NOW))
        try:
            await measure(bot, f"SQLite (WAL), {total:,} pending reminders", due, repeat)
        finally:
            await bot.close()


async def run_pg(url: str, total: int, due: int, n_disputes: int, repeat: int) -> None:
    schema = f"jw_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
        await upgrade(engine)
        start = time.perf_counter()
        await load_pg(engine, schema, total, due, n_disputes)
        took = time.perf_counter() - start
        print(f"PostgreSQL: loaded {total:,} reminders on {n_disputes:,} records in {took:.1f} s")
        bot = await prepare(engine, ManualClock(NOW))
        try:
            await measure(bot, f"PostgreSQL, {total:,} pending reminders", due, repeat)
        finally:
            await bot.close()
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sqlite", action="store_true", help="run on a temporary SQLite file")
    p.add_argument("--pg", metavar="URL", help="run on PostgreSQL (postgresql+asyncpg://...), in a throwaway schema")
    p.add_argument("--rows", type=int, default=1_000_000, help="pending reminders (default 1,000,000)")
    p.add_argument("--due", type=int, default=1_000, help="of which due now (default 1,000)")
    p.add_argument("--disputes", type=int, default=100_000, help="records they belong to (default 100,000)")
    p.add_argument("--repeat", type=int, default=20, help="runs of each empty sweep (default 20)")
    args = p.parse_args()
    if not (args.sqlite or args.pg):
        p.error("choose --sqlite and/or --pg URL")
    if args.sqlite:
        asyncio.run(run_sqlite(args.rows, args.due, args.disputes, args.repeat))
    if args.pg:
        asyncio.run(run_pg(args.pg, args.rows, args.due, args.disputes, args.repeat))


if __name__ == "__main__":
    main()
