"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when JINGWU_TEST_PG_URL is set),
a manual clock, and a bot wired with a recording sender instead of a platform."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Bot, create_bot
from bot.channels.console.settings import PLATFORM, DemoWorld, load_world
from bot.clock import ManualClock
from bot.demo import DemoSession
from config.rules import Rules, load_rules
from config.settings import RULES_DIR, Settings
from storage.db import create_engine
from storage.migrate import upgrade
from storage.models import Base, OutboxMessage

PG_URL = os.environ.get("JINGWU_TEST_PG_URL")
START = datetime.fromisoformat("2026-11-23T09:30:00+08:00")


def _pg_or_skip() -> str:
    if PG_URL:
        return PG_URL
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but JINGWU_TEST_PG_URL is not set: PostgreSQL tests must not be skipped")
    pytest.skip("set JINGWU_TEST_PG_URL to run the PostgreSQL tests")


# ---- database ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session; each test gets a copy."""
    import asyncio

    path = tmp_path_factory.mktemp("template") / "template.db"

    async def _make() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()  # the last connection to close checkpoints and removes the WAL file

    asyncio.run(_make())
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str | None]:
    """A private schema in the `test` database for this session, migrated once, dropped at the end."""
    if not PG_URL:
        yield None
        return
    import asyncio

    schema = f"jw_test_{uuid.uuid4().hex[:10]}"

    async def _setup() -> None:
        engine = create_engine(PG_URL)
        async with engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await engine.dispose()
        engine = pg_engine(schema)
        await upgrade(engine)
        await engine.dispose()

    async def _drop() -> None:
        engine = create_engine(PG_URL)
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await engine.dispose()

    asyncio.run(_setup())
    yield schema
    asyncio.run(_drop())


def pg_engine(schema: str) -> AsyncEngine:
    assert PG_URL
    return create_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        _pg_or_skip()
    return str(request.param)


@pytest.fixture
async def engine(
    db_kind: str, sqlite_template: Path, pg_schema: str | None, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    if db_kind == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        eng = create_engine(f"sqlite+aiosqlite:///{path}")
    else:
        assert pg_schema
        eng = pg_engine(pg_schema)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        async with eng.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield eng
    await eng.dispose()


# ---- the bot ----------------------------------------------------------------------------------------------


class RecordingSender:
    """Records what would have gone to a platform; `fail_next` makes the next sends raise."""

    def __init__(self, platform: str = PLATFORM) -> None:
        self.platform = platform
        self.sent: list[OutboxMessage] = []
        self.fail_next: list[Exception] = []

    async def send(self, message: OutboxMessage) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.sent.append(message)


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules(RULES_DIR)


@pytest.fixture(scope="session")
def world() -> DemoWorld:
    return load_world(Settings().demo_file)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
async def bot(
    engine: AsyncEngine, clock: ManualClock, sender: RecordingSender, rules: Rules, world: DemoWorld
) -> AsyncIterator[Bot]:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), auto_migrate=False)
    b = await create_bot(settings, clock=clock, senders={PLATFORM: sender}, rules=rules, engine=engine)
    yield b
    await b.close()


@pytest.fixture
async def session(bot: Bot, world: DemoWorld, clock: ManualClock) -> DemoSession:
    """A demo session on the test bot with the demo world registered; prints nothing."""
    s = DemoSession(bot, world, clock, write=lambda _line: None)
    await s.setup()
    return s


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Under CI=true, PostgreSQL tests that were skipped for want of a server fail the run."""
    if os.environ.get("CI") != "true":
        return
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "JINGWU_TEST_PG_URL" in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(f"CI: {len(skipped)} PostgreSQL tests were skipped", red=True)
        terminalreporter._session.exitstatus = 1  # type: ignore[attr-defined]
