"""The sender interface every channel implements, and the errors that tell the outbox what to do next."""

from __future__ import annotations

from typing import Protocol

from storage.models import OutboxMessage


class SendError(Exception):
    """A send that failed; `retryable` and `retry_after` (seconds) steer the outbox's backoff."""

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable, self.retry_after = retryable, retry_after


class Sender(Protocol):
    platform: str

    async def send(self, message: OutboxMessage) -> None: ...
