"""Two bot processes, each with a real AsyncIOScheduler sweeping one PostgreSQL schema; one is SIGKILLed in the
middle of a sweep. Every reminder still produces exactly one outbox row (FOR UPDATE SKIP LOCKED, one transaction
per batch: the killed batch is rolled back by the server and taken by the survivor)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.clock import SHANGHAI
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Dispute, OutboxMessage, Reminder
from storage.uow import UnitOfWorkFactory
from tests.conftest import PG_URL, _pg_or_skip, pg_engine

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
DISPUTES = 200  # two revisit reminders each: 400 reminders

WORKER = '''
"""One bot process: the real scheduler sweeping until no reminder is due (or until it is killed)."""
import asyncio, logging, sys
from datetime import datetime

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

from bot.app import create_bot
from bot.clock import ManualClock
from config.settings import Settings
from jobs.scheduler import build_scheduler
from jobs.store import JobsStore
from storage.db import create_engine


async def main(url: str, schema: str, now: datetime) -> None:
    engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    bot = await create_bot(Settings(database_url=url, auto_migrate=False), clock=ManualClock(now), engine=engine)
    scheduler = build_scheduler(bot)  # batch size, interval and the per-item delay come from JINGWU_JOBS_*
    ran = asyncio.Event()
    scheduler.add_listener(lambda _event: ran.set(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    while True:
        await ran.wait()
        ran.clear()
        async with bot.uow_factory() as uow:
            if await JobsStore(uow).pending_due(now) == 0:  # counts rows another process holds, too
                break
    scheduler.shutdown(wait=False)
    running = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    await asyncio.gather(*running, return_exceptions=True)  # a job still finishing an empty sweep
    await bot.close()
    print("idle", flush=True)


logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="%(name)s %(message)s")
logging.getLogger("jobs.reminders").setLevel(logging.DEBUG)  # "claimed N due reminders" per batch
asyncio.run(main(sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])))
'''


async def _create(schema: str) -> None:
    assert PG_URL
    admin = create_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    engine = pg_engine(schema)
    await upgrade(engine)
    uows = UnitOfWorkFactory(session_factory(engine))
    async with uows() as uow:
        for n in range(DISPUTES):
            d = Dispute(
                category="neighbor",
                risk="low",
                complexity="general",
                status="resolved",
                summary=f"第{n}件",
                area="幸福村",
                reported_at=NOW - timedelta(days=30),
                origin_platform="console",
                origin_chat_id="village-xingfu",
                updated_at=NOW,
                reasons=[],
                missing=[],
            )
            d.parties, d.sources = [], []
            uow.session.add(d)
        await uow.session.flush()
        ids = (await uow.session.scalars(select(Dispute.id))).all()
        for i, dispute_id in enumerate(ids):
            for seq in (1, 2):
                uow.session.add(
                    Reminder(
                        kind="revisit",
                        dispute_id=dispute_id,
                        seq=seq,
                        due_at=NOW - timedelta(days=3 - seq, minutes=i),
                        status="pending",
                        created_at=NOW - timedelta(days=30),
                    )
                )
        await uow.commit()
    await engine.dispose()


async def _results(schema: str) -> tuple[dict[int | None, list[str]], Counter[str]]:
    engine = pg_engine(schema)
    async with engine.connect() as conn:
        out = (await conn.execute(select(OutboxMessage.dispute_id, OutboxMessage.text))).all()
        statuses = Counter(
            dict((await conn.execute(select(Reminder.status, func.count()).group_by(Reminder.status))).all())
        )
    await engine.dispose()
    per_dispute: dict[int | None, list[str]] = {}
    for dispute_id, body in out:
        per_dispute.setdefault(dispute_id, []).append(body.splitlines()[0][-7:])
    return per_dispute, statuses


async def _drop(schema: str) -> None:
    assert PG_URL
    admin = create_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await admin.dispose()


@pytest.mark.postgres
def test_two_processes_one_killed_mid_sweep_send_each_reminder_once(tmp_path: Path) -> None:
    url = _pg_or_skip()
    schema = f"jw_jobs_{uuid.uuid4().hex[:10]}"
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGWU_")}
    env.update(
        PYTHONPATH=str(ROOT),
        JINGWU_JOBS_SWEEP_BATCH="20",
        JINGWU_JOBS_SWEEP_INTERVAL_SECONDS="0.05",
        JINGWU_JOBS_ITEM_DELAY_SECONDS="0.01",  # each batch holds its claim for ~0.2 s: a wide window to kill in
    )
    asyncio.run(_create(schema))
    procs: list[subprocess.Popen[str]] = []
    try:
        for name in ("a", "b"):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-u", str(script), url, schema, NOW.isoformat()],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=(tmp_path / f"{name}.err").open("w"),
                    text=True,
                )
            )
        victim, survivor = procs
        assert victim.stdout is not None
        claims = 0
        for line in victim.stdout:  # blocks on the pipe; no sleeping
            claims += "claimed 20 due reminders" in line
            if claims == 3:
                break
        assert claims == 3, (tmp_path / "a.err").read_text()
        victim.send_signal(signal.SIGKILL)  # in the middle of its third batch
        assert victim.wait(timeout=30) == -signal.SIGKILL
        out, _ = survivor.communicate(timeout=180)
        assert survivor.returncode == 0, (tmp_path / "b.err").read_text()
        assert out.count("claimed") >= 3 and out.rstrip().endswith("idle"), out
        per_dispute, statuses = asyncio.run(_results(schema))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        asyncio.run(_drop(schema))
    assert statuses == Counter({"done": 2 * DISPUTES})
    assert len(per_dispute) == DISPUTES
    assert all(sorted(texts) == ["（第1/2次）", "（第2/2次）"] for texts in per_dispute.values())
