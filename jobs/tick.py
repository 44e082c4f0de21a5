"""All due work as of one moment: reminders swept into the outbox, due digests queued, the outbox drained, spent
rows pruned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from jobs.config import DigestKind, JobsConfig, JobsSettings, load_jobs_config
from jobs.digests import send_due_digests
from jobs.housekeeping import prune_reply_claims
from jobs.reminders import sweep_reminders

if TYPE_CHECKING:
    from bot.app import Bot


@dataclass(frozen=True)
class TickResult:
    reminders: int
    sent: int
    digests: int = 0


def jobs_config(bot: Bot) -> JobsConfig:
    return load_jobs_config(bot.settings.rules_dir)


async def run_due(
    bot: Bot, now: datetime | None = None, *, config: JobsConfig | None = None, settings: JobsSettings | None = None
) -> TickResult:
    """What `jingwu jobs tick --now` and the catch-up job run: every reminder due, every digest owed, then
    the outbox drained, then housekeeping. Reminders go first, so that after downtime they leave in due order."""
    config = config or jobs_config(bot)
    now = now or bot.clock.now()
    reminders = await sweep_reminders(bot.uow_factory, bot.services, config, now=now, settings=settings)
    digests = await send_due_digests(bot.uow_factory, bot.services, config, now=now)
    sent = await bot.dispatcher.drain()
    await housekeeping_job(bot, settings, now=now)
    return TickResult(reminders=reminders, sent=sent, digests=digests)


async def sweep_job(bot: Bot, settings: JobsSettings | None = None) -> int:
    """The scheduler's frequent job: sweep the reminders and wake the outbox dispatcher."""
    handled = await sweep_reminders(bot.uow_factory, bot.services, jobs_config(bot), settings=settings)
    if handled:
        bot.dispatcher.wakeup.set()
    return handled


async def digest_job(bot: Bot, kind: DigestKind) -> int:
    """The scheduler's cron job for one digest kind."""
    queued = await send_due_digests(bot.uow_factory, bot.services, jobs_config(bot), kinds=[kind])
    if queued:
        bot.dispatcher.wakeup.set()
    return queued


async def housekeeping_job(bot: Bot, settings: JobsSettings | None = None, *, now: datetime | None = None) -> int:
    """The scheduler's hourly job (and the end of every run_due): delete WeCom reply-handle claims past their
    retention. Returns how many rows went."""
    settings = settings or JobsSettings()
    now = now or bot.clock.now()
    return await prune_reply_claims(bot.uow_factory, now, settings.reply_claim_retention)
