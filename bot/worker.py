"""The inbox worker: takes stored messages in order, routes them, and commits the handler's writes,
its outbox rows and the inbox row's `done` mark as one transaction."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot import templates
from bot.context import HandlerContext, Services
from bot.domain.errors import DomainError
from bot.messages import InboundMessage
from bot.outbox import Notifier
from bot.privacy import scrub
from bot.router import Router
from storage.models import InboxMessage
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


class InboxWorker:
    def __init__(self, uow_factory: UnitOfWorkFactory, router: Router, services: Services) -> None:
        self.uow_factory, self.router, self.services = uow_factory, router, services
        self.wakeup = asyncio.Event()

    async def process_next(self) -> bool:
        """Process one pending message; False when there is none."""
        max_attempts = self.services.settings.inbox_max_attempts
        async with self.uow_factory() as uow:
            row = await uow.inbox.claim_next(max_attempts)
            if row is None:
                return False
            inbox_id = row.id  # read now: a rollback below expires `row`
            ctx = await self._context(uow, row)
            route = "?"
            try:
                async with uow.savepoint():
                    route = await self.router.dispatch(ctx)
            except DomainError as exc:
                route, refusal = f"refused:{type(exc).__name__}", exc.reply
                await ctx.reply("refusal", lambda p: refusal)
            except Exception as exc:
                await uow.rollback()
                await self._record_failure(inbox_id, exc, max_attempts)
                return True
            row.status, row.processed_at = "done", self.services.clock.now()
            row.attempts += 1
            await uow.commit()
            log.info("inbox %s %s:%s -> %s", row.id, row.platform, row.message_id, route)
            return True

    async def _context(self, uow: UnitOfWork, row: InboxMessage) -> HandlerContext:
        msg = InboundMessage.from_row(row)
        person = await uow.people.by_identity(msg.platform, msg.sender_id)
        group = await uow.groups.get(msg.platform, msg.chat_id) if msg.chat_kind == "group" else None
        return HandlerContext(
            msg=msg,
            inbox_id=row.id,
            uow=uow,
            services=self.services,
            person=person,
            group=group,
            notifier=Notifier(uow, self.services.clock, row.id),
        )

    async def _record_failure(self, inbox_id: int, exc: Exception, max_attempts: int) -> None:
        """Count the failed attempt in its own transaction; the last one tells the sender, never silently."""
        log.exception("inbox %s failed: %s", inbox_id, scrub(type(exc).__name__))
        async with self.uow_factory() as uow:
            row = await uow.inbox.get(inbox_id)
            assert row is not None
            row.attempts += 1
            row.last_error = scrub(f"{type(exc).__name__}: {exc}")[:500]
            if row.attempts >= max_attempts:
                row.status = "failed"
                ctx = await self._context(uow, row)
                await ctx.reply("internal_error", lambda p: templates.INTERNAL_ERROR)
            await uow.commit()

    async def drain(self) -> int:
        """Process until the inbox has nothing pending; returns how many were processed."""
        n = 0
        while await self.process_next():
            n += 1
        return n

    async def run(self) -> None:
        """Long-running loop for `jingwu serve`: woken by ingest, polling as a safety net."""
        poll = self.services.settings.worker_poll_seconds
        while True:
            try:
                await self.drain()
            except Exception:
                log.exception("inbox worker loop error")
            self.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), timeout=poll)
