"""The composition root: builds every long-lived part once, and the aiohttp application that runs them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.base import Channel, Sender
from bot.channels.registry import CHANNEL_FACTORIES
from bot.clock import Clock, SystemClock
from bot.context import Services
from bot.delivery import OutboxDispatcher
from bot.extraction.factory import LazyExtractor
from bot.inbox_batch import InboxBatcher
from bot.messages import InboundMessage
from bot.qa import load_qa
from bot.router import Router
from bot.worker import InboxWorker
from config.rules import Rules, load_rules
from config.settings import Settings
from handlers import build_router
from jobs.config import load_jobs_config
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass
class Bot:
    settings: Settings
    rules: Rules
    clock: Clock
    engine: AsyncEngine
    uow_factory: UnitOfWorkFactory
    services: Services
    router: Router
    worker: InboxWorker
    dispatcher: OutboxDispatcher
    senders: dict[str, Sender] = field(default_factory=dict)
    channels: list[Channel] = field(default_factory=list)
    batcher: InboxBatcher | None = None

    async def accept(self, msg: InboundMessage) -> bool:
        """What every channel calls before it acks: persist the message once (batched with whatever else is
        arriving), then wake the worker. Returns False for a redelivery of a message already stored."""
        assert self.batcher is not None
        return await self.batcher.accept(msg)

    async def close(self) -> None:
        for channel in self.channels:  # HTTP sessions of senders used outside the web app (CLI, jobs)
            close = getattr(channel, "close", None)
            if close is not None:
                await close()
        if self.batcher is not None:
            await self.batcher.close()
        await self.services.extractor.aclose()
        await self.engine.dispose()


async def create_bot(
    settings: Settings,
    *,
    clock: Clock | None = None,
    senders: Mapping[str, Sender] | None = None,
    rules: Rules | None = None,
    engine: AsyncEngine | None = None,
) -> Bot:
    """Load rules (a broken file raises RuleFileError before anything starts), open the database, wire up."""
    rules = rules or load_rules(settings.rules_dir)
    load_jobs_config(settings.rules_dir)  # a broken jobs.yaml, faq.yaml or qa.yaml stops start-up too
    load_qa(settings.rules_dir)
    clock = clock or SystemClock()
    engine = engine or create_engine(settings.database_url)
    if settings.auto_migrate:
        await upgrade(engine)
    uow_factory = UnitOfWorkFactory(session_factory(engine))
    services = Services(settings=settings, rules=rules, clock=clock, extractor=LazyExtractor(settings, rules, clock.tz))
    router = build_router()
    all_senders: dict[str, Sender] = dict(senders or {})
    bot = Bot(
        settings=settings,
        rules=rules,
        clock=clock,
        engine=engine,
        uow_factory=uow_factory,
        services=services,
        router=router,
        worker=InboxWorker(uow_factory, router, services),
        dispatcher=OutboxDispatcher(
            uow_factory,
            all_senders,
            clock,
            max_attempts=settings.outbox_max_attempts,
            backoff_seconds=settings.outbox_backoff_seconds,
        ),
        senders=all_senders,
    )
    bot.batcher = InboxBatcher(engine, clock, bot.worker.wakeup.set, max_batch=settings.ingest_batch_max)
    for factory in CHANNEL_FACTORIES:
        channel = factory(bot)
        if channel is not None:
            bot.channels.append(channel)
            all_senders.setdefault(channel.platform, channel.sender)  # an injected test sender wins
    return bot


BOT = web.AppKey("bot", Bot)


async def _healthz(request: web.Request) -> web.Response:
    bot = request.app[BOT]
    async with bot.uow_factory(read_only=True) as uow:
        pending = await uow.inbox.count("pending")
    return web.json_response({"status": "ok", "inbox_pending": pending})


def build_web_app(bot: Bot, *, run_workers: bool = True) -> web.Application:
    """The HTTP server: platform callbacks persist and ack; workers and the scheduler run beside it."""
    app = web.Application(client_max_size=bot.settings.max_body_bytes)
    app[BOT] = bot
    app.router.add_get("/healthz", _healthz)
    for channel in bot.channels:
        app.router.add_routes(channel.routes())
        app.cleanup_ctx.extend(channel.cleanup_contexts())
    if run_workers:
        app.cleanup_ctx.append(_background)
    return app


async def _background(app: web.Application) -> AsyncIterator[None]:
    from jobs.scheduler import build_scheduler

    bot = app[BOT]
    tasks = [
        asyncio.create_task(bot.worker.run(), name="inbox-worker"),
        asyncio.create_task(bot.dispatcher.run(bot.settings.worker_poll_seconds), name="outbox-dispatcher"),
    ]
    scheduler = build_scheduler(bot)
    scheduler.start()
    yield
    scheduler.shutdown(wait=False)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
