"""The real AsyncIOScheduler with our jobs: fixed ids, replace_existing, coalescing of missed runs, the misfire
grace time, and the catch-up run at start. The tests wait for the scheduler's own events; they never sleep."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from bot.app import Bot
from bot.clock import SHANGHAI
from bot.demo import DemoSession
from jobs.config import JobsSettings
from jobs.scheduler import (
    CATCH_UP,
    DAILY,
    HOUSEKEEPING,
    JOB_IDS,
    MONTHLY,
    SWEEP,
    WEEKLY,
    build_scheduler,
    install_jobs,
)
from jobs.tick import digest_job, housekeeping_job, jobs_config, run_due, sweep_job
from storage.models import OutboxMessage, Reminder
from tests.integration.test_jobs_sweep import T0, add_dispute


class Events:
    """Collects job events; `wait_for` returns once the given (job id, event code) pairs have all been seen."""

    def __init__(self, scheduler: AsyncIOScheduler) -> None:
        self.seen: list[tuple[str, int]] = []
        self._changed = asyncio.Event()
        scheduler.add_listener(self._on_event, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)

    def _on_event(self, event: JobEvent) -> None:
        self.seen.append((event.job_id, event.code))
        self._changed.set()

    async def wait_for(self, *wanted: tuple[str, int]) -> None:
        async def _until() -> None:
            while not all(w in self.seen for w in wanted):
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(_until(), timeout=20)


async def due_revisit(bot: Bot) -> None:
    async with bot.uow_factory() as uow:
        d = await add_dispute(uow, 1)
        await uow.reminders.add(
            Reminder(kind="revisit", dispute_id=d.id, seq=1, due_at=T0, status="pending", created_at=T0)
        )
        await uow.commit()


async def reminder_outbox(bot: Bot) -> list[OutboxMessage]:
    async with bot.uow_factory() as uow:
        q = select(OutboxMessage).where(OutboxMessage.template == "revisit_reminder")
        return list((await uow.session.scalars(q)).all())


async def test_jobs_have_fixed_ids_triggers_and_defaults(bot: Bot) -> None:
    scheduler = build_scheduler(bot, settings=JobsSettings(misfire_grace_seconds=120))
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == set(JOB_IDS)
        assert {j.id: j.func for j in jobs.values()} == {
            SWEEP: sweep_job,
            DAILY: digest_job,
            WEEKLY: digest_job,
            MONTHLY: digest_job,
            CATCH_UP: run_due,
            HOUSEKEEPING: housekeeping_job,
        }
        assert {(j.coalesce, j.max_instances, j.misfire_grace_time) for j in jobs.values()} == {(True, 1, 120)}
        assert jobs[SWEEP].trigger.interval == timedelta(seconds=30)
        assert jobs[HOUSEKEEPING].trigger.interval == timedelta(hours=1)
        base = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)  # a Monday
        fires = {i: jobs[i].trigger.get_next_fire_time(None, base) for i in (DAILY, WEEKLY, MONTHLY)}
        assert fires == {
            DAILY: datetime(2026, 11, 24, 8, 30, tzinfo=SHANGHAI),
            WEEKLY: datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI),
            MONTHLY: datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI),
        }
        assert [jobs[i].args[1] for i in (DAILY, WEEKLY, MONTHLY)] == ["daily", "weekly", "monthly"]
    finally:
        scheduler.shutdown(wait=False)


async def test_installing_again_replaces_by_id(bot: Bot) -> None:
    scheduler = build_scheduler(bot)
    scheduler.start(paused=True)
    try:
        install_jobs(scheduler, bot, jobs_config(bot), JobsSettings(sweep_interval_seconds=5))
        install_jobs(scheduler, bot, jobs_config(bot), JobsSettings(sweep_interval_seconds=5))
        jobs = scheduler.get_jobs()
        assert sorted(j.id for j in jobs) == sorted(JOB_IDS)
        assert scheduler.get_job(SWEEP).trigger.interval == timedelta(seconds=5)
    finally:
        scheduler.shutdown(wait=False)


async def test_missed_runs_coalesce_into_one_and_runs_past_the_grace_are_skipped(
    bot: Bot, session: DemoSession
) -> None:
    await due_revisit(bot)
    scheduler = build_scheduler(bot)
    scheduler.start(paused=True)
    events = Events(scheduler)
    try:
        scheduler.remove_job(CATCH_UP)
        now = datetime.now(SHANGHAI)
        # the daily digest's own time is moved half a day away, so that the wall clock never has a run of it due
        # within the grace (at 08:30-08:35 the real 08:30 run came after the late one, coalesced and ran)
        away = now + timedelta(hours=12)
        scheduler.reschedule_job(DAILY, trigger=CronTrigger(hour=away.hour, minute=away.minute, timezone=SHANGHAI))
        # the sweep (every 30 s) missed four runs within the grace time; the daily digest is 10 minutes late
        scheduler.modify_job(SWEEP, next_run_time=now - timedelta(seconds=95))
        scheduler.modify_job(DAILY, next_run_time=now - timedelta(minutes=10))
        scheduler.resume()
        await events.wait_for((SWEEP, EVENT_JOB_EXECUTED), (DAILY, EVENT_JOB_MISSED))
    finally:
        scheduler.shutdown(wait=False)
    assert events.seen.count((SWEEP, EVENT_JOB_EXECUTED)) == 1
    assert (DAILY, EVENT_JOB_EXECUTED) not in events.seen
    assert len(await reminder_outbox(bot)) == 1


async def test_catch_up_runs_all_due_work_at_start(bot: Bot, session: DemoSession) -> None:
    await due_revisit(bot)
    session.clock.set(T0 + timedelta(days=1, hours=-1))  # 08:30 the next day: the daily digest is due too
    scheduler = build_scheduler(bot)
    events = Events(scheduler)
    scheduler.start()
    try:
        await events.wait_for((CATCH_UP, EVENT_JOB_EXECUTED))
        assert scheduler.get_job(CATCH_UP) is None  # a one-off
    finally:
        scheduler.shutdown(wait=False)
    assert len(await reminder_outbox(bot)) == 1
    async with bot.uow_factory() as uow:
        templates = list((await uow.session.scalars(select(OutboxMessage.template).order_by(OutboxMessage.id))).all())
    assert templates == ["revisit_reminder", "digest_daily"]
