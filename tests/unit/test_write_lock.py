"""The in-process queue of SQLite writers: handed over in arrival order, `first` waiters ahead, nobody lost."""

from __future__ import annotations

import asyncio

import pytest

from storage.write_lock import WriteLock, WriteLockReentered


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def _queue(lock: WriteLock, owner: str, got: list[str], *, first: bool = False) -> asyncio.Task[None]:
    async def take() -> None:
        await lock.acquire(owner, first=first)
        got.append(owner)

    task = asyncio.create_task(take())
    await _settle()
    return task


async def test_release_hands_the_lock_to_waiters_in_arrival_order() -> None:
    lock, got = WriteLock(timeout=5), []
    await lock.acquire("a")
    tasks = [await _queue(lock, name, got) for name in ("b", "c", "d")]
    assert lock.waiting == 3 and got == []
    for holder in ("a", "b", "c", "d"):
        assert lock.owner == holder
        assert lock.release(holder) is True
        await _settle()
    assert got == ["b", "c", "d"] and lock.owner is None and lock.waiting == 0
    await asyncio.gather(*tasks)


async def test_a_writer_that_asks_again_at_once_queues_behind_the_waiting_ones() -> None:
    lock, got = WriteLock(timeout=5), []
    await lock.acquire("worker")
    callback = await _queue(lock, "callback", got)
    lock.release("worker")  # handed over before the worker can ask again
    again = await _queue(lock, "worker", got)
    assert got == ["callback"] and lock.owner == "callback"
    lock.release("callback")
    await _settle()
    assert got == ["callback", "worker"]
    lock.release("worker")
    await asyncio.gather(callback, again)


async def test_first_waiters_go_before_the_others_but_never_before_the_holder() -> None:
    lock, got = WriteLock(timeout=5), []
    await lock.acquire("worker")
    tasks = [await _queue(lock, "outbox", got), await _queue(lock, "inbox", got, first=True)]
    assert lock.owner == "worker"  # no overtaking of the holder
    lock.release("worker")
    await _settle()
    assert got == ["inbox"]
    tasks.append(await _queue(lock, "worker", got))
    tasks.append(await _queue(lock, "inbox-2", got, first=True))
    for holder in ("inbox", "inbox-2", "outbox", "worker"):
        lock.release(holder)
        await _settle()
    assert got == ["inbox", "inbox-2", "outbox", "worker"] and lock.owner is None
    await asyncio.gather(*tasks)


async def test_a_cancelled_waiter_leaves_the_queue_and_the_lock_goes_on() -> None:
    lock, got = WriteLock(timeout=5), []
    await lock.acquire("a")
    gone = await _queue(lock, "b", got)
    stays = await _queue(lock, "c", got)
    gone.cancel()
    await _settle()
    assert lock.waiting == 1
    lock.release("a")
    await _settle()
    assert got == ["c"] and lock.owner == "c"
    lock.release("c")
    await stays
    assert gone.cancelled()


async def test_a_waiter_cancelled_just_after_the_handover_passes_the_lock_on() -> None:
    lock, got = WriteLock(timeout=5), []
    await lock.acquire("a")
    handed = await _queue(lock, "b", got)
    after = await _queue(lock, "c", got)
    lock.release("a")  # "b" owns it now, but has not run yet
    handed.cancel()
    await _settle()
    assert handed.cancelled() and got == ["c"] and lock.owner == "c"
    lock.release("c")
    await after


async def test_a_waiter_gives_up_after_the_timeout_and_leaves_no_trace() -> None:
    lock = WriteLock(timeout=0.01)
    await lock.acquire("a")
    with pytest.raises(TimeoutError):
        await asyncio.create_task(lock.acquire("b"))  # another task: one holding the lock could not wait
    assert lock.waiting == 0 and lock.owner == "a"
    lock.release("a")
    await lock.acquire("b")  # free again: taken at once
    assert lock.owner == "b"


async def test_the_holding_task_asking_again_fails_instead_of_waiting_forever() -> None:
    lock = WriteLock(timeout=5)
    await lock.acquire("outer")
    with pytest.raises(WriteLockReentered):
        await lock.acquire("inner")  # same task, another connection
    with pytest.raises(WriteLockReentered):
        await lock.acquire("outer")
    assert lock.release("inner") is False and lock.owner == "outer"
    assert lock.release("outer") is True and lock.release("outer") is False
