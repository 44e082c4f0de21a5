"""Writers of one process take turns (storage/db.py): a callback that arrives while the worker handles a message
is committed, and acked, before the worker takes its next message; readers wait for nobody. On SQLite and
PostgreSQL alike (PostgreSQL has no process-wide write lock: there the callback does not wait at all)."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import Bot
from bot.context import HandlerContext
from bot.messages import InboundMessage
from storage.db import write_lock
from storage.write_lock import WriteLockReentered
from tests.conftest import START


def _msg(message_id: str) -> InboundMessage:
    return InboundMessage(
        platform="console", message_id=message_id, chat_id="c", sender_id="u", text="你好", sent_at=START
    )


async def test_a_callback_is_acked_before_the_busy_worker_takes_its_next_message(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await bot.accept(_msg("early-1")) and await bot.accept(_msg("early-2"))
    order: list[str] = []
    inside, resume = asyncio.Event(), asyncio.Event()
    dispatch = bot.worker.router.dispatch

    async def held_dispatch(ctx: HandlerContext) -> str:
        order.append(f"handle {ctx.msg.message_id}")
        if ctx.msg.message_id == "early-1":  # the worker sits in its transaction (SQLite: holding the write lock)
            inside.set()
            await resume.wait()
        return await dispatch(ctx)

    monkeypatch.setattr(bot.worker.router, "dispatch", held_dispatch)
    lock = write_lock(bot.engine)
    queued = asyncio.Event()
    if lock is not None:
        acquire = lock.acquire

        async def acquire_and_tell(owner: object, *, first: bool = False) -> None:
            if lock.owner is not None:
                queued.set()  # it is about to queue: the waiter is in line before this task runs again
            await acquire(owner, first=first)

        monkeypatch.setattr(lock, "acquire", acquire_and_tell)
    worker = asyncio.create_task(bot.worker.drain())
    await inside.wait()

    async def callback() -> None:
        assert await bot.accept(_msg("late"))
        order.append("ack late")

    ack = asyncio.create_task(callback())
    if lock is None:
        await ack  # PostgreSQL: stored while the worker's transaction is still open
    else:
        await queued.wait()  # SQLite: the callback's insert queues behind the worker's transaction
        assert lock.waiting == 1 and not ack.done()
    resume.set()
    assert await worker == 3
    await ack
    # Without the queue the worker, letting go of SQLite's lock and asking again at once, took early-2 while the
    # callback's insert slept in SQLite's busy handler: a steady worker starved the callbacks.
    assert order == ["handle early-1", "ack late", "handle early-2", "handle late"]
    assert lock is None or (lock.owner is None and lock.waiting == 0)


async def test_a_read_only_unit_of_work_reads_beside_an_open_write_and_cannot_commit(bot: Bot) -> None:
    assert await bot.accept(_msg("m-1"))
    async with bot.uow_factory() as writer:
        row = await writer.inbox.claim_next(5)  # a write transaction is open (SQLite: the lock is held)
        assert row is not None
        row.status = "done"
        await writer.session.flush()
        async with bot.uow_factory(read_only=True) as reader:  # same task: a writer here would wait for itself
            assert await reader.inbox.count("pending") == 1  # the committed state, not the writer's flush
            with pytest.raises(RuntimeError, match="read-only"):
                await reader.commit()
        await writer.commit()
    async with bot.uow_factory(read_only=True) as reader:
        assert await reader.inbox.count("pending") == 0


async def test_a_write_inside_a_write_of_the_same_task_fails_at_once_instead_of_hanging(bot: Bot) -> None:
    lock = write_lock(bot.engine)
    if lock is None:
        pytest.skip("PostgreSQL locks rows; there is no process-wide write lock to wait for")
    assert await bot.accept(_msg("m-1"))
    async with bot.uow_factory() as outer:
        row = await outer.inbox.claim_next(5)
        assert row is not None
        with pytest.raises(WriteLockReentered):
            async with bot.uow_factory() as inner:
                await inner.inbox.count()
        row.status = "done"
        await outer.commit()  # the outer transaction is unharmed
    assert lock.owner is None
    async with bot.uow_factory(read_only=True) as reader:
        assert await reader.inbox.count("done") == 1
