"""APScheduler owns time in `jingwu serve`: jobs with fixed ids, coalesced, with a misfire grace time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from jobs.tick import run_due

if TYPE_CHECKING:
    from bot.app import Bot

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


def build_scheduler(bot: Bot) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=bot.clock.tz, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(
        run_due,
        "interval",
        seconds=30,
        id="reminder-sweep",
        replace_existing=True,
        args=[bot],
        name="回访与督办提醒",
    )
    return scheduler
