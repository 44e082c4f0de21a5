"""回访 on the §5 schedule: reminders with outcome buttons to the owner; 不满意 or 反复 reopens the record with a
fresh deadline; when every planned revisit is done the record is 办结."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import inspect, select

from bot.app import Bot
from bot.clock import SHANGHAI
from bot.demo import SCRIPT, DemoSession
from bot.ingest import ingest
from bot.messages import InboundMessage
from handlers.revisit import parse_outcome
from jobs.tick import run_due
from storage.models import Base, Dispute, OutboxMessage, Reminder, TimelineEvent
from storage.models_jobs import RevisitOutcome

M = TypeVar("M", bound=Base)

DAY0 = datetime(2026, 11, 23, tzinfo=SHANGHAI)


async def rows(bot: Bot, model: type[M]) -> list[M]:
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(model).order_by(*inspect(model).primary_key))).all())


async def resolved_red(session: DemoSession) -> None:
    """The scripted red dispute, accepted and resolved at 09:30 on day 0: revisits on days 1, 3, 7 and 30."""
    for line in SCRIPT[:3]:
        await session.handle(line)


async def reminder_on(bot: Bot, session: DemoSession, day: int) -> OutboxMessage:
    session.clock.set(DAY0 + timedelta(days=day, hours=9))
    await run_due(bot)
    return [o for o in await rows(bot, OutboxMessage) if o.template == "revisit_reminder"][-1]


async def click(bot: Bot, session: DemoSession, card: OutboxMessage, label: str) -> str:
    """The officer presses one of the card's buttons; returns the bot's reply."""
    button: dict[str, Any] = next(b for b in card.payload["buttons"] if b["label"] == label)
    session.seq += 1
    msg = InboundMessage(
        platform="console",
        message_id=f"click-{session.seq}",
        chat_id="police-chengguan",
        sender_id="officer-wang",
        sender_name="王建国",
        text=button["args"],
        sent_at=session.clock.now(),
        kind="action",
        action=button["action"],
        action_code=button["code"],
    )
    await ingest(bot.uow_factory, msg, session.clock)
    await bot.worker.drain()
    return [o for o in await rows(bot, OutboxMessage) if o.template == "revisit_recorded"][-1].text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("满意", ("满意", False)),
        ("基本满意 无反复", ("基本满意", False)),
        ("不满意，说对方又堆了柴火", ("不满意", False)),
        ("满意 但有反复", ("满意", True)),
        ("反复", (None, True)),
        ("没有反复 满意", ("满意", False)),
        ("电话没打通", (None, False)),
    ],
)
def test_outcome_words(args: str, expected: tuple[str | None, bool]) -> None:
    assert parse_outcome(args) == expected


async def test_every_planned_revisit_done_closes_the_record(bot: Bot, session: DemoSession) -> None:
    await resolved_red(session)
    card = await reminder_on(bot, session, 1)
    assert card.text.splitlines()[0] == "【回访提醒】JF-20261123-0001（第1/4次）"
    assert card.chat_id == "police-chengguan" and card.payload["mentions"] == ["officer-wang"]
    assert [(b["label"], b["action"], b["code"], b["args"]) for b in card.payload["buttons"]] == [
        ("满意", "回访", "1", "满意"),
        ("基本满意", "回访", "1", "基本满意"),
        ("不满意", "回访", "1", "不满意"),
        ("有反复", "回访", "1", "反复"),
    ]
    assert await click(bot, session, card, "满意") == "☎️ JF-20261123-0001 回访结果：满意。还有 3 次回访。"
    card = await reminder_on(bot, session, 3)
    assert "（第2/4次）" in card.text
    assert await click(bot, session, card, "基本满意") == "☎️ JF-20261123-0001 回访结果：基本满意。还有 2 次回访。"
    await reminder_on(bot, session, 7)
    await session.handle("民警: 回访 #1 满意 无反复")
    card = await reminder_on(bot, session, 30)
    assert "（第4/4次）" in card.text
    assert await click(bot, session, card, "满意") == "☎️ JF-20261123-0001 回访结果：满意。全部回访完成，已办结。"

    (dispute,) = await rows(bot, Dispute)
    assert dispute.status == "closed" and dispute.closed_at == DAY0 + timedelta(days=30, hours=9)
    outcomes = await rows(bot, RevisitOutcome)
    assert [(o.seq, o.result, o.recurred) for o in outcomes] == [
        (1, "满意", False),
        (2, "基本满意", False),
        (3, "满意", False),
        (4, "满意", False),
    ]
    assert all(o.actor_id is not None for o in outcomes)
    assert [r.outcome["result"] for r in await rows(bot, Reminder) if r.kind == "revisit"] == [
        "满意",
        "基本满意",
        "满意",
        "满意",
    ]
    actions = [e.action for e in await rows(bot, TimelineEvent)][4:]
    assert actions == ["start_revisit", "revisit", "revisit", "revisit", "close"]


async def test_unsatisfied_reopens_with_a_new_deadline_and_no_more_revisits(bot: Bot, session: DemoSession) -> None:
    await resolved_red(session)
    card = await reminder_on(bot, session, 1)
    reply = await click(bot, session, card, "不满意")
    assert reply.startswith("☎️ JF-20261123-0001 回访结果：不满意。纠纷出现反复，已重新交办")
    (dispute,) = await rows(bot, Dispute)
    assert dispute.status == "accepted" and dispute.resolve_by is not None
    assert f"新的办结时限：{dispute.resolve_by.astimezone(SHANGHAI):%m-%d %H:%M}" in reply
    reminders = await rows(bot, Reminder)
    assert [(r.kind, r.status) for r in reminders if r.kind == "revisit"] == [
        ("revisit", "done"),
        ("revisit", "cancelled"),
        ("revisit", "cancelled"),
        ("revisit", "cancelled"),
    ]
    (watch,) = [r for r in reminders if r.kind == "resolve_overdue" and r.status == "pending"]
    assert watch.due_at == dispute.resolve_by
    session.clock.set(DAY0 + timedelta(days=40))
    await run_due(bot)
    assert len([o for o in await rows(bot, OutboxMessage) if o.template == "revisit_reminder"]) == 1
    assert (await rows(bot, Dispute))[0].level == 2  # the reopened record is watched by 督办 again


async def test_recurrence_alone_reopens(bot: Bot, session: DemoSession) -> None:
    await resolved_red(session)
    card = await reminder_on(bot, session, 1)
    assert "回访结果：有反复。纠纷出现反复" in await click(bot, session, card, "有反复")
    (outcome,) = await rows(bot, RevisitOutcome)
    assert (outcome.result, outcome.recurred) == (None, True)
    assert (await rows(bot, Dispute))[0].status == "accepted"


async def test_resolved_again_after_reopening_gets_a_fresh_plan(bot: Bot, session: DemoSession) -> None:
    await resolved_red(session)
    card = await reminder_on(bot, session, 1)
    await click(bot, session, card, "不满意")
    session.clock.set(DAY0 + timedelta(days=2, hours=10))
    await session.handle("民警: 反馈 #1 已化解 再次调解，双方签字确认")
    card = await reminder_on(bot, session, 3)
    assert card.text.splitlines()[0] == "【回访提醒】JF-20261123-0001（第1/4次）"
    assert await click(bot, session, card, "满意") == "☎️ JF-20261123-0001 回访结果：满意。还有 3 次回访。"


async def test_a_revisit_done_early_is_not_reminded_again(bot: Bot, session: DemoSession) -> None:
    await resolved_red(session)
    session.clock.set(DAY0 + timedelta(hours=16))
    await session.handle("民警: 回访 #1 满意")
    session.clock.set(DAY0 + timedelta(days=2, hours=9))
    await run_due(bot)
    assert [o for o in await rows(bot, OutboxMessage) if o.template == "revisit_reminder"] == []
    card = await reminder_on(bot, session, 3)
    assert "（第2/4次）" in card.text
