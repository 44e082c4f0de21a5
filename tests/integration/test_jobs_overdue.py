"""督办 on real databases: overdue acceptance alerts the leader (red again every N minutes until accepted),
overdue resolution escalates one level (三级调解); quiet hours hold back all but red."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import inspect, select

from bot.app import Bot
from bot.clock import SHANGHAI
from bot.demo import SCRIPT, DemoSession
from jobs.tick import run_due
from storage.models import Base, Dispute, OutboxMessage, Reminder, TimelineEvent

M = TypeVar("M", bound=Base)

RED_REPORT = SCRIPT[0]  # 09:30 red land dispute in 幸福村: accept_by 09:45
BLUE_REPORT = "网格员: @警务助手 阳光社区3栋楼上漏水，楼下王女士和楼上陈某吵起来了，王女士电话13800138123"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


async def rows(bot: Bot, model: type[M]) -> list[M]:
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(model).order_by(*inspect(model).primary_key))).all())


async def outbox(bot: Bot, *templates: str) -> list[OutboxMessage]:
    return [o for o in await rows(bot, OutboxMessage) if o.template in templates]


async def tick_at(bot: Bot, session: DemoSession, when: str) -> None:
    session.clock.set(at(when))
    await run_due(bot)


async def test_unaccepted_red_alerts_the_leader_then_again_every_15_minutes_until_accepted(
    bot: Bot, session: DemoSession
) -> None:
    await session.handle(RED_REPORT)
    await tick_at(bot, session, "2026-11-23T09:44")
    assert await outbox(bot, "accept_overdue") == []
    for when in ("2026-11-23T09:45", "2026-11-23T09:50", "2026-11-23T10:00", "2026-11-23T10:15"):
        await tick_at(bot, session, when)
    alerts = await outbox(bot, "accept_overdue")
    assert [(a.created_at, a.chat_id) for a in alerts] == [
        (at("2026-11-23T09:45"), "police-chengguan"),
        (at("2026-11-23T10:00"), "police-chengguan"),
        (at("2026-11-23T10:15"), "police-chengguan"),
    ]
    first, second, _ = alerts
    assert first.payload["mentions"] == ["leader-li", "officer-wang"]
    assert first.text.splitlines()[:3] == [
        "【督办】JF-20261123-0001｜红色｜超时未接单",
        "接单时限 11-23 09:45，已超时 不到 1 分钟。",
        "责任民警：@王建国｜请 @李振华 督促接单。",
    ]
    assert second.text.startswith("【督办·第2次提醒】JF-20261123-0001") and "已超时 15 分钟" in second.text
    assert [b["label"] for b in first.payload["buttons"]] == ["接单"]

    session.clock.set(at("2026-11-23T10:20"))
    await session.handle("民警: 接单 #1")
    for when in ("2026-11-23T10:30", "2026-11-23T11:00", "2026-11-24T10:00"):
        await tick_at(bot, session, when)
    assert len(await outbox(bot, "accept_overdue")) == 3  # nothing after someone accepted
    overdue = [r for r in await rows(bot, Reminder) if r.kind == "accept_overdue"]
    assert [r.status for r in overdue] == ["done", "done", "done", "cancelled"]


async def test_realert_after_downtime_is_one_alert_then_back_on_the_beat(bot: Bot, session: DemoSession) -> None:
    await session.handle(RED_REPORT)
    await tick_at(bot, session, "2026-11-23T09:45")
    await tick_at(bot, session, "2026-11-23T12:07")  # down from 09:46 to 12:07: nine beats missed
    await tick_at(bot, session, "2026-11-23T12:14")
    await tick_at(bot, session, "2026-11-23T12:15")
    alerts = await outbox(bot, "accept_overdue")
    assert [a.created_at for a in alerts] == [at("2026-11-23T09:45"), at("2026-11-23T12:07"), at("2026-11-23T12:15")]


async def test_blue_overdue_is_alerted_once_and_waits_for_morning(bot: Bot, session: DemoSession) -> None:
    session.clock.set(at("2026-11-23T22:30"))
    await session.handle(BLUE_REPORT)  # blue: accept within 24 h, due 11-24 22:30, in the quiet hours
    (dispute,) = await rows(bot, Dispute)
    assert dispute.risk == "low" and dispute.accept_by == at("2026-11-24T22:30")
    for when in ("2026-11-24T22:30", "2026-11-25T03:00", "2026-11-25T06:59"):
        await tick_at(bot, session, when)
    assert await outbox(bot, "accept_overdue") == []
    for when in ("2026-11-25T07:00", "2026-11-25T07:15", "2026-11-25T12:00"):
        await tick_at(bot, session, when)
    (alert,) = await outbox(bot, "accept_overdue")
    assert alert.created_at == at("2026-11-25T07:00")  # no re-alerts for blue
    assert alert.text.startswith("【督办】JF-20261123-0001｜蓝色｜超时未接单")


async def test_resolve_overdue_escalates_one_level_and_alerts_the_leader(bot: Bot, session: DemoSession) -> None:
    await session.handle(RED_REPORT)
    await session.handle("民警: 接单 #1")
    (dispute,) = await rows(bot, Dispute)
    resolve_by = dispute.resolve_by
    assert resolve_by is not None
    await tick_at(bot, session, (resolve_by - timedelta(minutes=1)).astimezone(SHANGHAI).isoformat()[:16])
    assert (await rows(bot, Dispute))[0].level == 1
    session.clock.set(resolve_by)
    await run_due(bot)
    (dispute,) = await rows(bot, Dispute)
    assert dispute.level == 2 and dispute.status == "accepted"
    escalate = [e for e in await rows(bot, TimelineEvent) if e.action == "escalate"]
    assert [(e.actor_label, e.detail["from_level"], e.detail["to_level"]) for e in escalate] == [("系统", 1, 2)]
    assert escalate[0].detail["reason"] == "超期未办结，办结时限 12-14 09:30"
    (notice,) = await outbox(bot, "escalated_notice")
    assert notice.chat_id == "police-chengguan" and notice.payload["mentions"] == ["leader-li"]
    assert "已上提至派出所" in notice.text and "@李振华" in notice.text
    session.clock.advance(timedelta(days=30))
    await run_due(bot)
    assert (await rows(bot, Dispute))[0].level == 2  # one escalation per deadline


async def test_resolve_overdue_at_county_level_only_alerts(bot: Bot, session: DemoSession) -> None:
    await session.handle(RED_REPORT)
    await session.handle("民警: 接单 #1")
    await session.handle("民警: 上提 #1")
    await session.handle("民警: 上提 #1")
    (dispute,) = await rows(bot, Dispute)
    assert dispute.level == 3 and dispute.resolve_by is not None
    session.clock.set(dispute.resolve_by)
    await run_due(bot)
    assert (await rows(bot, Dispute))[0].level == 3
    (alert,) = await outbox(bot, "resolve_overdue")
    assert alert.payload["mentions"] == ["leader-li"]
    assert alert.text.splitlines()[0] == "【督办】JF-20261123-0001｜红色｜超期未办结"
    assert "已在县局调解中心层级" in alert.text


async def test_resolved_in_time_is_never_escalated(bot: Bot, session: DemoSession) -> None:
    await session.handle(RED_REPORT)
    await session.handle("民警: 接单 #1")
    await session.handle("民警: 反馈 #1 已化解 双方签订调解协议")
    session.clock.advance(timedelta(days=60))
    await run_due(bot)
    (dispute,) = await rows(bot, Dispute)
    assert dispute.level == 1
    assert await outbox(bot, "escalated_notice", "resolve_overdue", "accept_overdue") == []
