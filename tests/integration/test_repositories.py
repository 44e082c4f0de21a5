"""Repositories on real databases: SQLite (always) and PostgreSQL (JINGWU_TEST_PG_URL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm.exc import StaleDataError

from bot.clock import SHANGHAI
from storage.db import session_factory
from storage.migrate import current_revision
from storage.models import Dispute, OutboxMessage, Party, Reminder, TimelineEvent
from storage.uow import UnitOfWork, UnitOfWorkFactory

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(session_factory(engine))


def _inbox(message_id: str, **kw: object) -> dict[str, object]:
    return {
        "platform": "wecom",
        "message_id": message_id,
        "chat_id": "c1",
        "chat_kind": "group",
        "sender_id": "u1",
        "sender_name": None,
        "kind": "text",
        "text": "hi",
        "payload": {"mentions": []},
        "sent_at": NOW,
        "received_at": NOW,
        "status": "pending",
        "attempts": 0,
        **kw,
    }


async def _dispute(uow: UnitOfWork, **kw: object) -> Dispute:
    values: dict[str, object] = {
        "category": "neighbor",
        "risk": "low",
        "complexity": "general",
        "status": "registered",
        "summary": "楼上漏水",
        "reported_at": NOW,
        "origin_platform": "console",
        "origin_chat_id": "c1",
        "updated_at": NOW,
        "reasons": ["风险:漏水"],
        "missing": [],
    }
    values.update(kw)
    d = Dispute(**values)
    d.parties = [Party(name="张某", phone="13800138000")]
    d.sources = []
    return await uow.disputes.add(d)


async def test_migrations_at_head(engine: AsyncEngine) -> None:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    assert await current_revision(engine) == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_schema_matches_models(engine: AsyncEngine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.models import Base

    def _diff(conn: object) -> list[object]:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})  # type: ignore[arg-type]
        return list(compare_metadata(ctx, Base.metadata))

    async with engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_sqlite_runs_in_wal_mode(engine: AsyncEngine, db_kind: str) -> None:
    if db_kind != "sqlite":
        pytest.skip("SQLite only")
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1


async def test_inbox_insert_is_idempotent(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        first = await uow.inbox.insert_if_new(_inbox("m1"))
        again = await uow.inbox.insert_if_new(_inbox("m1", text="changed"))
        other_platform = await uow.inbox.insert_if_new(_inbox("m1", platform="dingtalk"))
        await uow.commit()
    assert first is not None and again is None and other_platform is not None
    async with uow_factory() as uow:
        assert await uow.inbox.count() == 2
        row = await uow.inbox.get(first)
        assert row is not None and row.text == "hi"


async def test_concurrent_duplicate_inserts_store_one(uow_factory: UnitOfWorkFactory) -> None:
    async def insert() -> int | None:
        async with uow_factory() as uow:
            rid = await uow.inbox.insert_if_new(_inbox("dup"))
            await uow.commit()
            return rid

    results = await asyncio.gather(*(insert() for _ in range(5)))
    assert sum(r is not None for r in results) == 1
    async with uow_factory() as uow:
        assert await uow.inbox.count() == 1


async def test_inbox_claims_oldest_pending_first(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        for i in range(3):
            await uow.inbox.insert_if_new(_inbox(f"m{i}"))
        await uow.inbox.insert_if_new(_inbox("given-up", attempts=5))
        await uow.commit()
    async with uow_factory() as uow:
        row = await uow.inbox.claim_next(max_attempts=5)
        assert row is not None and row.message_id == "m0"
        row.status = "done"
        await uow.commit()
    async with uow_factory() as uow:
        row = await uow.inbox.claim_next(max_attempts=5)
        assert row is not None and row.message_id == "m1"


async def test_datetimes_round_trip_as_aware_utc(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        d = await _dispute(uow, occurred_at=NOW - timedelta(hours=13))
        await uow.commit()
        number = d.id
    async with uow_factory() as uow:
        got = await uow.disputes.by_number(number)
        assert got is not None and got.reported_at == NOW and got.reported_at.tzinfo is not None
        assert got.occurred_at == datetime(2026, 11, 22, 12, 30, tzinfo=UTC)
        assert got.parties[0].phone == "13800138000" and got.reasons == ["风险:漏水"]


async def test_naive_datetime_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    with pytest.raises(Exception, match="naive"):
        async with uow_factory() as uow:
            await _dispute(uow, reported_at=datetime(2026, 11, 23, 9, 30))


async def test_timeline_is_append_only(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        d = await _dispute(uow)
        await uow.disputes.add_event(
            TimelineEvent(dispute_id=d.id, at=NOW, action="register", actor_label="网格员", detail={})
        )
        await uow.commit()
    async with uow_factory() as uow:
        (event,) = await uow.disputes.timeline(d.id)
        event.action = "rewritten"
        with pytest.raises(RuntimeError, match="append-only"):
            await uow.session.flush()
    async with uow_factory() as uow:
        (event,) = await uow.disputes.timeline(d.id)
        await uow.session.delete(event)
        with pytest.raises(RuntimeError, match="append-only"):
            await uow.session.flush()


async def test_stale_writer_loses(uow_factory: UnitOfWorkFactory, db_kind: str) -> None:
    """Optimistic version check: of two writers that read the same version, the second to commit fails.
    (On SQLite every transaction begins IMMEDIATE, so writers are serialised before they can read stale data.)"""
    async with uow_factory() as uow:
        d = await _dispute(uow)
        await uow.commit()
    if db_kind == "sqlite":
        async with uow_factory() as uow:
            got = await uow.disputes.get(d.id)
            assert got is not None
            got.status = "accepted"
            await uow.commit()
            assert got.version == 2
        return
    async with uow_factory() as stale, uow_factory() as winner:
        ds, dw = await stale.disputes.get(d.id), await winner.disputes.get(d.id)
        assert ds is not None and dw is not None and ds.version == dw.version == 1
        dw.status = "accepted"
        await winner.commit()
        ds.status = "withdrawn"
        with pytest.raises(StaleDataError):
            await stale.commit()


async def test_outbox_lease_hides_rows_from_other_workers(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        for i in range(3):
            await uow.outbox.add(
                OutboxMessage(
                    platform="wecom",
                    chat_id="c",
                    kind="text",
                    text=f"m{i}",
                    template="t",
                    payload={},
                    status="pending",
                    attempts=0,
                    next_attempt_at=NOW,
                    created_at=NOW,
                )
            )
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.outbox.lease_due(NOW, NOW + timedelta(minutes=2), limit=2)
        await uow.commit()
    async with uow_factory() as uow:
        second = await uow.outbox.lease_due(NOW, NOW + timedelta(minutes=2), limit=10)
        await uow.commit()
    assert [r.text for r in first] == ["m0", "m1"] and [r.text for r in second] == ["m2"]
    assert all(r.attempts == 1 for r in first + second)
    async with uow_factory() as uow:  # after the lease the same rows are due again
        again = await uow.outbox.lease_due(NOW + timedelta(minutes=3), NOW + timedelta(minutes=5), limit=10)
        assert len(again) == 3


async def test_reminders_claimed_in_due_order(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        d = await _dispute(uow)
        for hours in (5, 1, 3, 30):
            await uow.reminders.add(
                Reminder(
                    kind="revisit",
                    dispute_id=d.id,
                    seq=hours,
                    due_at=NOW + timedelta(hours=hours),
                    status="pending",
                    created_at=NOW,
                )
            )
        await uow.commit()
    async with uow_factory() as uow:
        due = await uow.reminders.claim_due(NOW + timedelta(hours=6), limit=10)
        assert [r.seq for r in due] == [1, 3, 5]
        await uow.reminders.cancel_pending(d.id, ["revisit"])
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.reminders.claim_due(NOW + timedelta(days=5), limit=10) == []


async def test_postgres_claims_skip_locked_rows(uow_factory: UnitOfWorkFactory, db_kind: str) -> None:
    if db_kind != "postgres":
        pytest.skip("FOR UPDATE SKIP LOCKED is the PostgreSQL claim")
    async with uow_factory() as uow:
        d = await _dispute(uow)
        for seq in (1, 2):
            await uow.reminders.add(
                Reminder(kind="revisit", dispute_id=d.id, seq=seq, due_at=NOW, status="pending", created_at=NOW)
            )
        await uow.commit()
    async with uow_factory() as first, uow_factory() as second:
        a = await first.reminders.claim_due(NOW, limit=1)
        b = await second.reminders.claim_due(NOW, limit=10)
        assert [r.seq for r in a] == [1] and [r.seq for r in b] == [2]
        await first.session.execute(text("SELECT 1"))
