"""APScheduler owns time in `jingwu serve`: jobs with fixed ids, replace_existing, coalesced, with a misfire grace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs.config import JobsConfig, JobsSettings
from jobs.tick import digest_job, housekeeping_job, jobs_config, run_due, sweep_job

if TYPE_CHECKING:
    from bot.app import Bot

SWEEP, CATCH_UP, HOUSEKEEPING = "reminder-sweep", "catch-up", "housekeeping"
DAILY, WEEKLY, MONTHLY = "digest-daily", "digest-weekly", "digest-monthly"
JOB_IDS = (SWEEP, DAILY, WEEKLY, MONTHLY, CATCH_UP, HOUSEKEEPING)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def job_defaults(settings: JobsSettings) -> dict[str, Any]:
    # coalesce: runs missed while the loop was busy or the process asleep collapse into one; max_instances=1: a
    # slow sweep is never overlapped by the next; misfire grace: a run late by less than this still happens.
    return {"coalesce": True, "max_instances": 1, "misfire_grace_time": settings.misfire_grace_seconds}


def build_scheduler(
    bot: Bot, *, config: JobsConfig | None = None, settings: JobsSettings | None = None
) -> AsyncIOScheduler:
    settings = settings or JobsSettings()
    scheduler = AsyncIOScheduler(timezone=bot.clock.tz, job_defaults=job_defaults(settings))
    install_jobs(scheduler, bot, config or jobs_config(bot), settings)
    return scheduler


def install_jobs(scheduler: AsyncIOScheduler, bot: Bot, config: JobsConfig, settings: JobsSettings) -> None:
    """Add (or replace, by id) every job; calling it again never duplicates one."""
    tz, d = bot.clock.tz, config.digests
    scheduler.add_job(
        sweep_job,
        IntervalTrigger(seconds=settings.sweep_interval_seconds, timezone=tz),
        id=SWEEP,
        name="回访与督办提醒",
        args=[bot, settings],
        replace_existing=True,
    )
    crons = {
        DAILY: ("daily", "每日简报", CronTrigger(hour=d.daily.time.hour, minute=d.daily.time.minute, timezone=tz)),
        WEEKLY: (
            "weekly",
            "每周研判",
            CronTrigger(
                day_of_week=_WEEKDAYS[d.weekly.weekday - 1],
                hour=d.weekly.time.hour,
                minute=d.weekly.time.minute,
                timezone=tz,
            ),
        ),
        MONTHLY: (
            "monthly",
            "月度汇总",
            CronTrigger(day=d.monthly.day, hour=d.monthly.time.hour, minute=d.monthly.time.minute, timezone=tz),
        ),
    }
    for job_id, (kind, name, trigger) in crons.items():
        scheduler.add_job(digest_job, trigger, id=job_id, name=name, args=[bot, kind], replace_existing=True)
    scheduler.add_job(
        housekeeping_job,
        IntervalTrigger(seconds=settings.housekeeping_interval_seconds, timezone=tz),
        id=HOUSEKEEPING,
        name="清理过期的企业微信回复凭据认领",
        args=[bot, settings],
        replace_existing=True,
    )
    # at start-up: everything missed while the bot was down (reminders once each in due order, the latest digests)
    scheduler.add_job(
        run_due,
        DateTrigger(timezone=tz),
        id=CATCH_UP,
        name="补发停机期间到期的提醒与简报",
        args=[bot],
        kwargs={"config": config, "settings": settings},
        replace_existing=True,
    )
