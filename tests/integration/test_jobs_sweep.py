"""The reminder sweep on real databases: after downtime every missed reminder goes out once, in due order;
concurrent sweeps never double; quiet hours; a broken row is set aside without holding back the rest."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import inspect, select

import jobs.reminders
from bot.app import Bot
from bot.clock import SHANGHAI
from bot.demo import DemoSession
from jobs.config import JobsSettings
from jobs.reminders import sweep_reminders
from jobs.tick import jobs_config, run_due
from storage.models import Base, Dispute, OutboxMessage, Reminder
from storage.uow import UnitOfWork

M = TypeVar("M", bound=Base)

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)


async def rows(bot: Bot, model: type[M]) -> list[M]:
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(model).order_by(*inspect(model).primary_key))).all())


async def add_dispute(uow: UnitOfWork, number: int, **kw: Any) -> Dispute:
    """A hand-built record (no conversation), assigned to officer-wang in 幸福村 unless told otherwise."""
    officer = await uow.people.by_key(kw.pop("assignee", "officer-wang"))
    values: dict[str, Any] = {
        "category": "neighbor",
        "risk": "low",
        "complexity": "general",
        "status": "resolved",
        "level": 1,
        "summary": f"第{number}件测试纠纷",
        "area": "幸福村",
        "reported_at": T0,
        "assignee_id": officer.id if officer else None,
        "origin_platform": "console",
        "origin_chat_id": "village-xingfu",
        "updated_at": T0,
        "reasons": [],
        "missing": [],
    }
    values.update(kw)
    dispute = Dispute(**values)
    dispute.parties, dispute.sources = [], []
    await uow.disputes.add(dispute)
    dispute.code = f"JF-20261123-{dispute.id:04d}"
    return dispute


def reminder(dispute: Dispute, kind: str, due_at: datetime, seq: int = 1) -> Reminder:
    return Reminder(kind=kind, dispute_id=dispute.id, seq=seq, due_at=due_at, status="pending", created_at=T0)


async def test_after_downtime_every_missed_reminder_goes_out_once_in_due_order(bot: Bot, session: DemoSession) -> None:
    day1 = T0.replace(hour=0, minute=0) + timedelta(days=1)
    async with bot.uow_factory() as uow:
        d1 = await add_dispute(uow, 1, risk="high")
        d2 = await add_dispute(uow, 2, status="dispatched", accept_by=day1 + timedelta(hours=10))
        d3 = await add_dispute(uow, 3, status="accepted", resolve_by=day1 + timedelta(days=1, hours=12))
        d4 = await add_dispute(uow, 4)
        for r in (
            reminder(d1, "revisit", day1 + timedelta(hours=9), seq=1),
            reminder(d2, "accept_overdue", day1 + timedelta(hours=10)),
            reminder(d1, "revisit", day1 + timedelta(days=2, hours=9), seq=2),
            reminder(d3, "resolve_overdue", day1 + timedelta(days=1, hours=12)),
            reminder(d4, "revisit", day1 + timedelta(hours=8)),
            reminder(d4, "revisit", day1 + timedelta(days=90), seq=2),  # not yet due
        ):
            await uow.reminders.add(r)
        await uow.commit()
    session.clock.set(day1 + timedelta(days=40, hours=10))  # the bot was down for 40 days
    small = JobsSettings(sweep_batch=2)
    assert (await run_due(bot, settings=small)).reminders == 5
    assert (await run_due(bot, settings=small)).reminders == 0
    out = [(o.template, o.dispute_id) for o in await rows(bot, OutboxMessage) if not o.template.startswith("digest")]
    assert out == [
        ("revisit_reminder", d4.id),
        ("revisit_reminder", d1.id),
        ("accept_overdue", d2.id),
        ("escalated_notice", d3.id),
        ("revisit_reminder", d1.id),
    ]
    assert [r.status for r in await rows(bot, Reminder)] == ["done"] * 5 + ["pending"]


async def test_concurrent_sweeps_send_each_reminder_once(bot: Bot, session: DemoSession) -> None:
    async with bot.uow_factory() as uow:
        for n in range(30):
            d = await add_dispute(uow, n, risk=("high", "medium", "low")[n % 3])
            await uow.reminders.add(reminder(d, "revisit", T0 - timedelta(minutes=n), seq=1))
            await uow.reminders.add(reminder(d, "revisit", T0 - timedelta(minutes=n + 30), seq=2))
        await uow.commit()
    config, settings = jobs_config(bot), JobsSettings(sweep_batch=5)
    counts = await asyncio.gather(
        *(sweep_reminders(bot.uow_factory, bot.services, config, settings=settings) for _ in range(4))
    )
    assert sum(counts) == 60
    out = await rows(bot, OutboxMessage)
    assert len(out) == 60
    per_dispute: dict[int | None, list[str]] = {}
    for o in out:
        per_dispute.setdefault(o.dispute_id, []).append(o.text.splitlines()[0][-7:])
    assert all(sorted(texts) == ["（第1/2次）", "（第2/2次）"] for texts in per_dispute.values())
    assert {r.status for r in await rows(bot, Reminder)} == {"done"}


async def test_quiet_hours_send_only_red_and_the_rest_at_seven(bot: Bot, session: DemoSession) -> None:
    night = T0.replace(hour=23, minute=0)
    async with bot.uow_factory() as uow:
        red = await add_dispute(uow, 1, risk="high", status="dispatched", accept_by=night)
        yellow = await add_dispute(uow, 2, risk="medium", status="dispatched", accept_by=night)
        blue = await add_dispute(uow, 3, risk="low")
        await uow.reminders.add(reminder(red, "accept_overdue", night))
        await uow.reminders.add(reminder(yellow, "accept_overdue", night))
        await uow.reminders.add(reminder(blue, "revisit", night + timedelta(hours=2)))
        await uow.commit()
    for hh, mm in ((23, 0), (1, 0), (6, 59)):
        session.clock.set(night.replace(hour=hh, minute=mm) + timedelta(days=0 if hh == 23 else 1))
        await run_due(bot)
    night_out = [(o.template, o.dispute_id) for o in await rows(bot, OutboxMessage)]
    # red: the first alert at 23:00 and a re-alert every 15 minutes through the night (red is never held back)
    assert set(night_out) == {("accept_overdue", red.id)} and len(night_out) == 3
    session.clock.set(night.replace(hour=7) + timedelta(days=1))
    await run_due(bot)
    morning = [(o.template, o.dispute_id, o.created_at) for o in (await rows(bot, OutboxMessage))[3:]]
    seven = night.replace(hour=7) + timedelta(days=1)
    assert morning == [  # in due order: yellow's 23:00 alert, blue's 01:00 revisit, red's 07:00 re-alert
        ("accept_overdue", yellow.id, seven),
        ("revisit_reminder", blue.id, seven),
        ("accept_overdue", red.id, seven),
    ]


async def test_a_broken_reminder_is_set_aside_and_the_rest_go_out(
    bot: Bot, session: DemoSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with bot.uow_factory() as uow:
        good = await add_dispute(uow, 1)
        bad = await add_dispute(uow, 2)
        await uow.reminders.add(reminder(bad, "revisit", T0 - timedelta(hours=2)))
        await uow.reminders.add(reminder(good, "revisit", T0 - timedelta(hours=1)))
        await uow.commit()
    original = jobs.reminders.HANDLERS["revisit"]

    async def fragile(sweep: Any, r: Reminder, d: Dispute) -> None:
        await original(sweep, r, d)
        if d.id == bad.id:
            raise RuntimeError("template bug")

    monkeypatch.setitem(jobs.reminders.HANDLERS, "revisit", fragile)
    assert (await run_due(bot)).reminders == 2
    assert (await run_due(bot)).reminders == 0
    assert [(o.template, o.dispute_id) for o in await rows(bot, OutboxMessage)] == [("revisit_reminder", good.id)]
    failed, done = await rows(bot, Reminder)
    assert (failed.status, failed.outcome) == ("failed", {"error": "RuntimeError: template bug"})
    assert done.status == "done"
    statuses = {d.id: d.status for d in await rows(bot, Dispute)}
    assert statuses == {bad.id: "resolved", good.id: "revisiting"}  # the failed row's writes were rolled back
