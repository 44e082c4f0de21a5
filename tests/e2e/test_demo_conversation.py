"""The demo conversation end to end on a real database: records, timeline, outbox and reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.app import Bot
from bot.clock import SHANGHAI
from bot.demo import SCRIPT, DemoSession
from storage.models import Dispute, InboxMessage, OutboxMessage, Reminder, TimelineEvent


async def _all(bot: Bot, model: type) -> list:  # type: ignore[type-arg]
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(model).order_by(model.id))).all())


async def test_scripted_demo_end_to_end(bot: Bot, session: DemoSession) -> None:
    await session.run(SCRIPT)

    (dispute,) = await _all(bot, Dispute)
    assert dispute.code == "JF-20261123-0001"
    assert (dispute.category, dispute.risk, dispute.complexity, dispute.level) == ("land", "high", "complex", 1)
    assert dispute.location == "幸福村3组" and dispute.area == "幸福村" and dispute.town == "城关镇"
    assert [(p.name, p.phone) for p in dispute.parties] == [("张某", "13800138000"), ("李某", "13800138111")]
    assert dispute.occurred_at == datetime(2026, 11, 22, 20, 0, tzinfo=SHANGHAI)
    assert dispute.accept_by == datetime(2026, 11, 23, 9, 45, tzinfo=SHANGHAI)
    assert dispute.assignee is not None and dispute.assignee.key == "officer-wang"
    assert dispute.status == "revisiting" and dispute.outcome and "调解协议" in dispute.outcome
    assert [s.message_id for s in dispute.sources] == ["console-1"]

    events = await _all(bot, TimelineEvent)
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("register", None, "registered"),
        ("dispatch", "registered", "dispatched"),
        ("accept", "dispatched", "accepted"),
        ("resolve", "accepted", "resolved"),
        ("start_revisit", "resolved", "revisiting"),
        ("revisit", None, None),
    ]
    assert [e.source_message_id for e in events] == [
        "console-1",
        "console-1",
        "console-2",
        "console-3",
        None,
        "console-4",
    ]
    assert [e.actor_label for e in events] == [
        "网格员张晓梅",
        "网格员张晓梅",
        "民警王建国",
        "民警王建国",
        "系统",
        "民警王建国",
    ]

    out = await _all(bot, OutboxMessage)
    assert [(o.template, o.chat_id) for o in out] == [
        ("registered", "village-xingfu"),
        ("dispatch", "police-chengguan"),
        ("accepted", "police-chengguan"),
        ("resolved", "police-chengguan"),
        ("revisit_reminder", "police-chengguan"),
        ("digest_daily", "police-chengguan"),  # the 11-24 08:30 digest, caught up at the 09:30 tick
        ("revisit_recorded", "police-chengguan"),
        ("detail", "police-chengguan"),
    ]
    assert all(o.status == "sent" for o in out)
    registered, dispatch = out[0], out[1]
    # the resident group sees masked data only; the police group sees it in full and the officer is mentioned
    assert registered.payload["masked"] is True
    assert "138****8000" in registered.text and "13800138000" not in registered.text
    assert "JF-20261123-0001" in registered.text and "红色" in registered.text
    assert dispatch.payload["masked"] is False and dispatch.payload["mentions"] == ["officer-wang"]
    assert "@王建国" in dispatch.text and "13800138000" in dispatch.text
    assert [b["label"] for b in dispatch.payload["buttons"]] == ["接单", "反馈"]
    assert out[4].created_at == datetime(2026, 11, 24, 9, 30, tzinfo=SHANGHAI)

    everything = await _all(bot, Reminder)
    assert [(r.kind, r.status) for r in everything[:2]] == [
        ("accept_overdue", "cancelled"),
        ("resolve_overdue", "cancelled"),
    ]
    reminders = [r for r in everything if r.kind == "revisit"]
    assert [(r.seq, r.status) for r in reminders] == [(1, "done"), (2, "pending"), (3, "pending"), (4, "pending")]
    assert [r.due_at.astimezone(SHANGHAI) for r in reminders] == [
        datetime(2026, 11, 23 + n, 9, 0, tzinfo=SHANGHAI) if n < 8 else datetime(2026, 12, 23, 9, 0, tzinfo=SHANGHAI)
        for n in (1, 3, 7, 30)
    ]
    assert reminders[0].outcome["result"] == "满意" and reminders[0].outcome["recurred"] is False

    inbox = await _all(bot, InboxMessage)
    assert [i.status for i in inbox] == ["done"] * 5


async def test_interactive_lines_and_clock(bot: Bot, session: DemoSession) -> None:
    lines: list[str] = []
    session.write = lines.append
    await session.run(
        [
            "网格员: 阳光社区5栋楼上漏水，楼下王女士和楼上陈某吵起来了",
            "/time 2026-11-23T15:00",
            "陌生人: 你好",
            "胡说八道",
            "/time 明天",
        ]
    )
    assert "⏰ 时间来到 2026-11-23 15:00" in lines
    assert any("没有角色「陌生人」" in line for line in lines)
    assert any("请按「角色: 内容」输入" in line for line in lines)
    assert any("时间格式" in line for line in lines)
    (dispute,) = await _all(bot, Dispute)
    assert dispute.category == "neighbor" and dispute.risk == "low"
    assert {p.name for p in dispute.parties} == {"王女士", "陈某"} and dispute.missing == ["phones"]


async def test_revisits_survive_downtime_and_go_out_once_in_order(bot: Bot, session: DemoSession) -> None:
    await session.run(SCRIPT[:3])
    session.clock.advance(timedelta(days=40))
    await session.tick()
    await session.tick()
    out = [o for o in await _all(bot, OutboxMessage) if o.template == "revisit_reminder"]
    assert [o.text.splitlines()[0] for o in out] == [f"【回访提醒】JF-20261123-0001（第{n}/4次）" for n in (1, 2, 3, 4)]
