"""The queue of SQLite's writers within one process (see `storage/db.py`): an asyncio lock that is handed over,
first come, first served.

Release gives the lock straight to the oldest waiter, so a writer that lets go and asks again at once (the inbox
worker going from one message to the next) queues behind everyone already waiting instead of overtaking them.
Waiters that pass `first=True` (the callbacks' inbox writer: requests wait on it before they are acked) are served
before the other waiters, never before the holder; a holder never hands the lock to itself, so one such writer
takes at most every other turn and the rest still go round in order."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

_Waiter = tuple[asyncio.Future[None], object, "asyncio.Task[Any] | None"]


class WriteLockReentered(RuntimeError):
    """A task that holds the lock asked for it again through another connection: it would wait for itself."""


class WriteLock:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout  # a waiter gives up after this many seconds (TimeoutError)
        self._owner: object | None = None
        self._task: asyncio.Task[Any] | None = None
        self._first: deque[_Waiter] = deque()
        self._waiters: deque[_Waiter] = deque()

    @property
    def owner(self) -> object | None:
        """The connection that holds the lock, if any."""
        return self._owner

    @property
    def waiting(self) -> int:
        return sum(not future.done() for queue in (self._first, self._waiters) for future, _owner, _task in queue)

    async def acquire(self, owner: object, *, first: bool = False) -> None:
        """Wait for the lock on behalf of `owner` (a connection); TimeoutError after `timeout` seconds."""
        task = asyncio.current_task()
        if self._owner is None:  # then nobody waits either: release hands the lock on or empties the queues
            self._owner, self._task = owner, task
            return
        if self._owner is owner:
            raise WriteLockReentered("this connection already holds the SQLite write lock")
        if task is not None and task is self._task:
            raise WriteLockReentered(
                "a task that holds the SQLite write lock began a second write transaction on another connection "
                "(a unit of work opened inside another one that has written): it would wait for itself forever"
            )
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry: _Waiter = (future, owner, task)
        queue = self._first if first else self._waiters
        queue.append(entry)
        try:
            async with asyncio.timeout(self.timeout):
                await future
        except BaseException:  # cancelled or timed out
            if future.done() and not future.cancelled():
                self.release(owner)  # it was handed over just now: pass it on
            elif entry in queue:
                queue.remove(entry)
            raise

    def release(self, owner: object) -> bool:
        """Hand the lock to the next waiter if `owner` holds it; False (and nothing happens) otherwise."""
        if self._owner is not owner:
            return False
        self._owner = self._task = None
        for queue in (self._first, self._waiters):
            while queue:
                future, nxt, task = queue.popleft()
                if not future.done():
                    self._owner, self._task = nxt, task
                    future.set_result(None)
                    return True
        return True
