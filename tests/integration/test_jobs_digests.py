"""Digests to each station's police group: what the daily, weekly and monthly ones say on known data, and that
each goes out exactly once per station and period (a missed one caught up once, never at night)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Bot, create_bot
from bot.clock import SHANGHAI, ManualClock
from bot.demo import DemoSession
from bot.people import bind_group
from config.rules import Rules
from jobs.digests import send_due_digests
from jobs.tick import jobs_config, run_due
from storage.models import OutboxMessage, Reminder
from storage.models_jobs import RevisitOutcome, SentDigest
from tests.conftest import RecordingSender
from tests.integration.test_jobs_sweep import add_dispute

MON = datetime(2026, 11, 23, tzinfo=SHANGHAI)  # the police group is bound at 09:30 on this Monday (START)


def at(days: float, hours: float = 0, minutes: float = 0) -> datetime:
    return MON + timedelta(days=days, hours=hours, minutes=minutes)


async def digests(bot: Bot) -> list[OutboxMessage]:
    async with bot.uow_factory() as uow:
        q = select(OutboxMessage).where(OutboxMessage.template.like("digest_%")).order_by(OutboxMessage.id)
        return list((await uow.session.scalars(q)).all())


async def tick(bot: Bot, session: DemoSession, when: datetime) -> int:
    session.clock.set(when)
    return (await run_due(bot)).digests


async def test_daily_digest_on_known_records(bot: Bot, session: DemoSession) -> None:
    async with bot.uow_factory() as uow:
        # new since yesterday 08:30: red unaccepted and overdue, yellow accepted, blue withdrawn (not counted)
        red = await add_dispute(
            uow, 1, risk="high", status="dispatched", reported_at=at(0, 10), accept_by=at(0, 10, 15)
        )
        await add_dispute(uow, 2, risk="medium", status="accepted", area="阳光社区", reported_at=at(0, 15))
        await add_dispute(uow, 3, status="withdrawn", reported_at=at(0, 16))
        # older: blue past its resolve_by, blue closed, and one reported after 08:30 today (tomorrow's news)
        late = await add_dispute(
            uow, 4, status="accepted", reported_at=at(-10), resolve_by=at(0, 9), assignee="officer-zhao"
        )
        await add_dispute(uow, 5, status="closed", reported_at=at(-3))
        await add_dispute(uow, 6, status="registered", reported_at=at(1, 8, 31), assignee="nobody")
        revisit = await add_dispute(uow, 7, status="resolved", reported_at=at(-20))
        for due in (at(1, 9), at(1, 23, 59), at(2, 9)):  # today (11-24) twice, tomorrow once
            uow.session.add(
                Reminder(kind="revisit", dispute_id=revisit.id, seq=1, due_at=due, status="pending", created_at=MON)
            )
        await uow.commit()
    assert await tick(bot, session, at(1, 8, 29)) == 0
    assert await tick(bot, session, at(1, 8, 30)) == 1
    (digest,) = await digests(bot)
    assert digest.chat_id == "police-chengguan" and digest.payload["masked"] is False
    assert digest.created_at == at(1, 8, 30)
    assert digest.text.splitlines() == [
        "【每日简报】城关派出所｜11月24日（周二）",
        "新增纠纷 2 件（红 1・黄 1・蓝 0），统计 11-23 08:30 至 11-24 08:30",
        "在办纠纷 4 件（红 1・黄 1・蓝 2）",
        "超期 2 件：",
        f"· {red.code}｜红｜超时未接单（时限 11-23 10:15）｜王建国",
        f"· {late.code}｜蓝｜超期未办结（时限 11-23 09:00）｜赵志刚",
        "今日回访 2 件：",
        f"· {revisit.code} 第1次（11-24 09:00）｜王建国",
        f"· {revisit.code} 第1次（11-24 23:59）｜王建国",
    ]


async def test_weekly_digest_figures_against_last_week(bot: Bot, session: DemoSession) -> None:
    async with bot.uow_factory() as uow:
        w48 = [  # (category, area, risk, status) reported in week 48
            ("neighbor", "幸福村", "low", "closed"),
            ("neighbor", "阳光社区", "low", "revisiting"),
            ("family", "幸福村", "high", "accepted"),
            ("land", "幸福村", "medium", "resolved"),
            ("debt", "幸福村", "low", "merged"),  # a duplicate: not counted anywhere
        ]
        for n, (category, area, risk, status) in enumerate(w48):
            await add_dispute(uow, n, category=category, area=area, risk=risk, status=status, reported_at=at(n + 1, 10))
        resolved = await add_dispute(uow, 10, status="closed", reported_at=at(-6), resolve_by=at(2), resolved_at=at(1))
        await add_dispute(uow, 11, status="closed", reported_at=at(-6), resolve_by=at(2), resolved_at=at(3))
        await add_dispute(uow, 12, status="closed", reported_at=at(-12), resolve_by=at(-1), resolved_at=at(-2))
        await add_dispute(uow, 13, status="accepted", reported_at=at(-5))
        for result, when in (("满意", at(2)), ("基本满意", at(3)), ("不满意", at(4)), ("满意", at(-3))):
            uow.session.add(
                RevisitOutcome(dispute_id=resolved.id, result=result, recurred=False, recorded_at=when, seq=1)
            )
        await uow.commit()
    assert await tick(bot, session, at(7, 8, 59)) == 1  # the daily one only
    assert await tick(bot, session, at(7, 9)) == 1
    weekly = (await digests(bot))[-1]
    assert weekly.template == "digest_weekly"
    assert weekly.text.splitlines() == [
        "【每周研判】城关派出所｜第48周（11-23 至 11-29）",
        "登记纠纷 4 件，较上周 +1",
        "按类别：邻里纠纷 2、土地山林 1、婚姻家庭 1",
        "按区域：幸福村 3、阳光社区 1",
        "按风险：红 1・黄 1・蓝 2",
        "化解率 75.0%（3/4），上周 66.7%，+8.3 个百分点",
        "按期办结率 50.0%（1/2），上周 100.0%，-50.0 个百分点",
        "回访满意率 66.7%（2/3），上周 100.0%，-33.3 个百分点",
        "当前超期未办 0 件",
    ]


async def test_monthly_digest_on_the_first(bot: Bot, session: DemoSession) -> None:
    async with bot.uow_factory() as uow:
        await add_dispute(uow, 1, status="closed", reported_at=at(-30))  # 10-24
        await add_dispute(uow, 2, status="closed", reported_at=at(0, 10))
        await add_dispute(uow, 3, status="accepted", reported_at=at(7, 10))
        await uow.commit()
    assert await tick(bot, session, datetime(2026, 12, 1, 9, 29, tzinfo=SHANGHAI)) == 2  # daily and weekly
    assert await tick(bot, session, datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI)) == 1
    monthly = (await digests(bot))[-1]
    assert monthly.template == "digest_monthly"
    assert monthly.text.splitlines()[:2] == ["【月度汇总】城关派出所｜2026年11月", "登记纠纷 2 件，较上月 +1"]
    assert "化解率 50.0%（1/2），上月 100.0%，-50.0 个百分点" in monthly.text


async def test_each_digest_once_and_a_missed_one_caught_up_once(bot: Bot, session: DemoSession) -> None:
    assert await tick(bot, session, at(0, 10)) == 0  # 08:30 and 09:00 today fell due before the group was bound
    assert await tick(bot, session, at(1, 8, 30)) == 1
    assert await tick(bot, session, at(1, 8, 31)) == 0
    assert await tick(bot, session, at(4, 23, 30)) == 0  # back after three days, but in the quiet hours
    assert await tick(bot, session, at(5, 7)) == 1  # 07:00: the latest one missed (11-27), once
    assert await tick(bot, session, at(5, 7, 1)) == 0
    assert await tick(bot, session, at(5, 8, 30)) == 1  # and today's at its time
    async with bot.uow_factory() as uow:
        sent = list((await uow.session.scalars(select(SentDigest).order_by(SentDigest.id))).all())
    assert [(s.kind, s.period) for s in sent] == [
        ("daily", "2026-11-24"),
        ("daily", "2026-11-27"),
        ("daily", "2026-11-28"),
    ]
    assert [s.outbox_id for s in sent] == [d.id for d in await digests(bot)]


async def test_concurrent_digest_runs_queue_one(bot: Bot, session: DemoSession) -> None:
    session.clock.set(at(7, 9))
    config = jobs_config(bot)
    counts = await asyncio.gather(*(send_due_digests(bot.uow_factory, bot.services, config) for _ in range(4)))
    assert sum(counts) == 2
    assert sorted(d.template for d in await digests(bot)) == ["digest_daily", "digest_weekly"]


async def test_every_station_gets_its_own(
    bot: Bot, session: DemoSession, engine: AsyncEngine, rules: Rules, sender: RecordingSender
) -> None:
    routing = rules.routing.model_copy(
        update={
            "areas": {
                **rules.routing.areas,
                "阳光社区": rules.routing.areas["阳光社区"].model_copy(update={"station": "东城派出所"}),
            },
            "stations": {
                **rules.routing.stations,
                "东城派出所": rules.routing.stations["城关派出所"].model_copy(
                    update={"police_group": "console:police-dongcheng"}
                ),
            },
        }
    )
    two = await create_bot(
        bot.settings,
        clock=session.clock,
        senders={"console": sender},
        rules=rules.model_copy(update={"routing": routing}),
        engine=engine,
    )
    async with two.uow_factory() as uow:
        bound_at = ManualClock(at(0, 9, 30))
        await bind_group(
            uow, bound_at, platform="console", chat_id="police-dongcheng", name="东城所", area=None, kind="police"
        )
        await add_dispute(uow, 1, reported_at=at(0, 10))
        await add_dispute(uow, 2, reported_at=at(0, 11), area="阳光社区")
        await add_dispute(uow, 3, reported_at=at(0, 12), area="阳光社区")
        await uow.commit()
    session.clock.set(at(1, 8, 30))
    assert (await run_due(two)).digests == 2
    heads = {d.chat_id: d.text.splitlines()[:2] for d in await digests(two)}
    window = "统计 11-23 08:30 至 11-24 08:30"
    assert heads == {
        "police-chengguan": [
            "【每日简报】城关派出所｜11月24日（周二）",
            f"新增纠纷 1 件（红 0・黄 0・蓝 1），{window}",
        ],
        "police-dongcheng": [
            "【每日简报】东城派出所｜11月24日（周二）",
            f"新增纠纷 2 件（红 0・黄 0・蓝 2），{window}",
        ],
    }
    await two.close()
