"""Inbox -> router -> handler -> outbox: one transaction per message, refusals in Chinese, nothing lost or doubled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import templates
from bot.app import Bot
from bot.channels.base import SendError
from bot.context import HandlerContext
from bot.demo import DemoSession
from bot.ingest import ingest
from bot.messages import InboundMessage
from bot.router import Fallback, Router
from bot.worker import InboxWorker
from storage.models import Dispute, InboxMessage, OutboxMessage, TimelineEvent
from tests.conftest import RecordingSender

REPORT = "阳光社区3栋楼上漏水，楼下王女士和楼上陈某吵起来了，王女士电话13800138123"


def msg(session: DemoSession, persona: str, text: str, message_id: str, **kw: object) -> InboundMessage:
    person = session.world.persona(persona)
    assert person is not None
    values: dict[str, object] = {
        "platform": "console",
        "message_id": message_id,
        "chat_id": person.group,
        "sender_id": person.key,
        "sender_name": person.name,
        "text": text,
        "sent_at": session.clock.now(),
    }
    values.update(kw)
    return InboundMessage(**values)  # type: ignore[arg-type]


async def rows(bot: Bot, model: type) -> list:  # type: ignore[type-arg]
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(model).order_by(model.id))).all())


async def say(bot: Bot, session: DemoSession, persona: str, text: str, message_id: str, **kw: object) -> None:
    await ingest(bot.uow_factory, msg(session, persona, text, message_id, **kw), session.clock)
    await bot.worker.drain()
    await bot.dispatcher.drain()


async def test_redelivered_message_makes_one_record_and_one_reply(bot: Bot, session: DemoSession) -> None:
    for _ in range(3):
        await ingest(bot.uow_factory, msg(session, "网格员", REPORT, "m-1"), session.clock)
    await bot.worker.drain()
    await ingest(bot.uow_factory, msg(session, "网格员", REPORT, "m-1"), session.clock)  # after processing, too
    await bot.worker.drain()
    assert len(await rows(bot, InboxMessage)) == 1
    assert len(await rows(bot, Dispute)) == 1
    assert [o.template for o in await rows(bot, OutboxMessage)] == ["registered", "dispatch"]


async def test_unknown_code_and_wrong_role_get_chinese_replies(
    bot: Bot, session: DemoSession, sender: RecordingSender
) -> None:
    await say(bot, session, "网格员", REPORT, "m-1")
    await say(bot, session, "民警", "接单 #99", "m-2")
    await say(bot, session, "网格员", "接单 #1", "m-3")
    await say(bot, session, "群众", "查 #1", "m-4")
    await say(bot, session, "民警", "办结 #1", "m-5")
    await say(bot, session, "民警", "接单", "m-6")
    replies = [m.text for m in sender.sent[2:]]
    assert replies[0].startswith("没有找到编号 #0099 的纠纷")
    assert replies[1] == "只有民警可以接单，请联系责任民警或所领导。"
    assert replies[2].startswith("您只能查看自己上报的纠纷")
    assert "不能办结" in replies[3] and "已派单" in replies[3]
    assert replies[4] == "请带上纠纷编号，例如「接单 #7」。"
    (dispute,) = await rows(bot, Dispute)
    assert dispute.status == "dispatched"
    assert [i.status for i in await rows(bot, InboxMessage)] == ["done"] * 6


async def test_chitchat_gets_a_hint_not_a_record(bot: Bot, session: DemoSession, sender: RecordingSender) -> None:
    await say(bot, session, "网格员", "收到，辛苦大家了", "m-1")
    assert [m.text for m in sender.sent] == [templates.NOT_UNDERSTOOD]
    assert await rows(bot, Dispute) == []


async def test_two_officers_racing_to_accept(bot: Bot, session: DemoSession, sender: RecordingSender) -> None:
    await say(bot, session, "网格员", REPORT, "m-1")
    await ingest(bot.uow_factory, msg(session, "民警2", "接单 #1", "m-2"), session.clock)
    await ingest(bot.uow_factory, msg(session, "民警", "接单#0001", "m-3"), session.clock)
    await bot.worker.drain()
    await bot.dispatcher.drain()
    (dispute,) = await rows(bot, Dispute)
    assert dispute.status == "accepted" and dispute.assignee.key == "officer-zhao"
    assert sender.sent[-1].text == f"{dispute.code} 已由 赵志刚 接单，无需重复接单。"
    assert [e.action for e in await rows(bot, TimelineEvent)] == ["register", "dispatch", "accept"]


async def test_handler_crash_rolls_back_and_retries_then_tells_the_sender(
    bot: Bot, session: DemoSession, sender: RecordingSender
) -> None:
    calls = 0

    async def explode(ctx: HandlerContext) -> None:
        nonlocal calls
        calls += 1
        await ctx.reply("partial", lambda p: "this write must be rolled back")
        raise RuntimeError("boom 13800138123")

    worker = InboxWorker(bot.uow_factory, Router([], [Fallback("boom", lambda c: True, explode)]), bot.services)
    await ingest(bot.uow_factory, msg(session, "网格员", REPORT, "m-1"), session.clock)
    assert await worker.process_next() is True
    (row,) = await rows(bot, InboxMessage)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "RuntimeError: boom 138****8123"
    assert await rows(bot, OutboxMessage) == []
    await worker.drain()
    (row,) = await rows(bot, InboxMessage)
    assert (row.status, row.attempts) == ("failed", bot.settings.inbox_max_attempts)
    assert calls == bot.settings.inbox_max_attempts
    assert [o.text for o in await rows(bot, OutboxMessage)] == [templates.INTERNAL_ERROR]


async def test_failed_sends_back_off_then_become_dead_letters(
    bot: Bot, session: DemoSession, sender: RecordingSender
) -> None:
    sender.fail_next = [SendError("45009 api freq out of limit", retry_after=60)]
    await say(bot, session, "网格员", "好的", "m-1")
    (out,) = await rows(bot, OutboxMessage)
    assert (out.status, out.attempts, out.last_error) == ("pending", 1, "45009 api freq out of limit")
    assert out.next_attempt_at == session.clock.now() + timedelta(seconds=60)
    assert await bot.dispatcher.drain() == 0  # not due yet
    session.clock.advance(timedelta(seconds=61))
    assert await bot.dispatcher.drain() == 1
    assert len(sender.sent) == 1

    sender.fail_next = [SendError("down")] * bot.settings.outbox_max_attempts
    await say(bot, session, "网格员", "收到", "m-2")
    for _ in range(bot.settings.outbox_max_attempts):
        session.clock.advance(timedelta(hours=1))
        await bot.dispatcher.drain()
    dead = (await rows(bot, OutboxMessage))[-1]
    assert (dead.status, dead.attempts) == ("dead", bot.settings.outbox_max_attempts)
    assert await bot.dispatcher.resend(dead.id) is True
    assert await bot.dispatcher.drain() == 1
    assert (await rows(bot, OutboxMessage))[-1].status == "sent"


async def test_permanent_send_error_is_dead_at_once(bot: Bot, session: DemoSession, sender: RecordingSender) -> None:
    sender.fail_next = [SendError("93000 invalid webhook url", retryable=False)]
    await say(bot, session, "网格员", "好的", "m-1")
    (out,) = await rows(bot, OutboxMessage)
    assert (out.status, out.attempts) == ("dead", 1)


async def test_button_click_goes_to_the_same_handler(bot: Bot, session: DemoSession, sender: RecordingSender) -> None:
    await say(bot, session, "网格员", REPORT, "m-1")
    await say(bot, session, "民警", "", "click-1", kind="action", action="接单", action_code="1")
    (dispute,) = await rows(bot, Dispute)
    assert dispute.status == "accepted"
    events = await rows(bot, TimelineEvent)
    assert events[-1].action == "accept" and events[-1].source_message_id == "click-1"
