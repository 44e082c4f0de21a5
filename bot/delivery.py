"""Draining the outbox: each due message goes to its channel's sender, with backoff and dead letters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import timedelta

from bot.channels.base import Sender, SendError
from bot.clock import Clock
from bot.privacy import scrub
from storage.models import OutboxMessage
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=120)


class OutboxDispatcher:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        senders: Mapping[str, Sender],
        clock: Clock,
        *,
        max_attempts: int = 8,
        backoff_seconds: float = 5.0,
    ) -> None:
        self.uow_factory, self.senders, self.clock = uow_factory, senders, clock
        self.max_attempts, self.backoff = max_attempts, backoff_seconds
        self.wakeup = asyncio.Event()

    async def drain(self, batch: int = 50) -> int:
        """Send everything due now; returns how many were sent."""
        sent = 0
        while True:
            now = self.clock.now()
            async with self.uow_factory() as uow:
                rows = await uow.outbox.lease_due(now, now + LEASE, batch)
                await uow.commit()
            if not rows:
                return sent
            for row in rows:
                sent += await self._send_one(row)

    async def _send_one(self, leased: OutboxMessage) -> int:
        """Send one leased row outside any transaction (a network call must never hold the database, least of
        all SQLite's single write lock), then record the outcome in a short transaction of its own."""
        sender = self.senders.get(leased.platform)
        error: tuple[str, bool, float | None] | None = None
        try:
            if sender is None:
                raise SendError(f"no sender configured for platform {leased.platform!r}", retryable=True)
            await sender.send(leased)
        except SendError as exc:
            error = (str(exc), exc.retryable, exc.retry_after)
        except Exception as exc:  # a bug in a sender must not lose the message
            log.exception("sender %s crashed on outbox %s", leased.platform, leased.id)
            error = (f"{type(exc).__name__}: {exc}", True, None)
        async with self.uow_factory() as uow:
            row = await uow.outbox.get(leased.id)
            if row is None:
                return 0
            row.payload = leased.payload  # senders keep progress there (parts already delivered, card ids)
            if error is not None:
                self._fail(row, *error)
            else:
                row.status, row.sent_at, row.last_error = "sent", self.clock.now(), None
            await uow.commit()
        return 0 if error else 1

    def _fail(self, row: OutboxMessage, error: str, retryable: bool, retry_after: float | None) -> None:
        row.last_error = scrub(error)[:500]
        if not retryable or row.attempts >= self.max_attempts:
            row.status = "dead"
            log.warning("outbox %s is a dead letter after %s attempts: %s", row.id, row.attempts, row.last_error)
            return
        delay = retry_after if retry_after is not None else self.backoff * 2 ** (row.attempts - 1)
        row.next_attempt_at = self.clock.now() + timedelta(seconds=min(delay, 3600))
        log.info("outbox %s retry %s in %.0fs: %s", row.id, row.attempts, delay, row.last_error)

    async def resend(self, outbox_id: int) -> bool:
        """Put a dead letter back in the queue (CLI `jingwu outbox resend`)."""
        async with self.uow_factory() as uow:
            row = await uow.outbox.get(outbox_id)
            if row is None or row.status != "dead":
                return False
            row.status, row.attempts, row.next_attempt_at = "pending", 0, self.clock.now()
            await uow.commit()
            return True

    async def run(self, poll_seconds: float) -> None:
        while True:
            try:
                await self.drain()
            except Exception:
                log.exception("outbox dispatcher loop error")
            self.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), timeout=poll_seconds)
