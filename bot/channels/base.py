"""The sender interface every channel implements, and the errors that tell the outbox what to do next."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Protocol

from aiohttp import web

from storage.models import OutboxMessage


class SendError(Exception):
    """A send that failed; `retryable` and `retry_after` (seconds) steer the outbox's backoff."""

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable, self.retry_after = retryable, retry_after


class Sender(Protocol):
    platform: str

    async def send(self, message: OutboxMessage) -> None: ...


class Channel(Protocol):
    """A configured platform: its HTTP routes, its sender, and any background work (e.g. a Stream client).

    Each platform package exposes `build_channel(bot) -> Channel | None` in `channel.py`, returning None when
    its settings are absent; `bot.channels.registry` lists the factories."""

    platform: str
    sender: Sender

    def routes(self) -> list[web.RouteDef]: ...

    def cleanup_contexts(self) -> list[Callable[[web.Application], AsyncIterator[None]]]: ...
