"""Masking on the way out: every outbound template sent to a resident group leaks no phone, ID number or full
name, and the logs of a whole conversation hold none either."""

from __future__ import annotations

import inspect
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import templates
from bot.app import Bot
from bot.demo import DemoSession
from bot.messages import Target
from bot.outbox import Notifier
from bot.privacy import MASKED, install_log_redaction
from storage.models import OutboxMessage
from tests.integration.test_closed_loop import Chat

ID_NUMBER = "110101198003076638"  # fictional, checksum-valid
FULL_NAMES = ("张三丰", "李四海")
REPORT = (
    f"幸福村3组张三丰与李四海因宅基地地界争执，张三丰扬言要报复。张三丰电话13800138000，"
    f"身份证{ID_NUMBER}，李四海电话0571-88881234"
)
PHONE_OR_ID = re.compile(r"\d{7,}|\d{3,4}-\d{7,8}")


def assert_clean(text: str) -> None:
    assert ID_NUMBER not in text and "13800138000" not in text and "88881234" not in text, text
    assert not any(name in text for name in FULL_NAMES), text
    assert not PHONE_OR_ID.search(text.replace("JF-20261123-", "")), text


async def test_every_template_to_a_resident_group_is_masked(bot: Bot, session: DemoSession) -> None:
    chat = Chat(bot, session)
    # an officer working *in the resident group*: every reply lands where residents read it
    village = "village-xingfu"
    await chat.say("网格员", REPORT)
    async with bot.uow_factory() as uow:  # the record holds real names, as after an officer's correction
        d = await uow.disputes.by_number(1)
        assert d is not None and any(p.id_number == ID_NUMBER for p in d.parties)
        d.parties[0].name, d.parties[1].name = FULL_NAMES
        await uow.commit()
    for line in [
        "接单 #1",
        "补充 #1 张三丰的妻子电话13800138999",
        "查 #1",
        "定级 #1 疑难",
        "上提 #1",
        "反馈 #1 已化解 张三丰赔偿李四海500元，电话13800138000",
        "回访 #1 满意",
        "我的待办",
        "帮助",
    ]:
        await chat.say("民警", line, chat_id=village)
    session.clock.advance(timedelta(days=3))
    await session.tick()
    resident_rows = [o for o in await chat.rows(OutboxMessage) if o.chat_id == village]
    assert len({o.template for o in resident_rows}) >= 9
    for row in resident_rows:
        assert row.payload["masked"] is True
        assert_clean(row.text)

    # and every template function in bot.templates, rendered for a masked audience through the Notifier
    async with bot.uow_factory() as uow:
        dispute = await uow.disputes.by_number(1)
        assert dispute is not None
        events = await uow.disputes.timeline(1)
        notifier = Notifier(uow, bot.clock)
        target = Target("console", chat_id=village)
        calls = {
            "registered_reply": lambda p: templates.registered_reply(dispute, bot.rules, bot.clock.tz, p),
            "dispatch_notice": lambda p: templates.dispatch_notice(dispute, bot.rules, bot.clock.tz, "王建国", p),
            "accepted_reply": lambda p: templates.accepted_reply(dispute, "王建国", bot.clock.tz),
            "resolved_reply": lambda p: templates.resolved_reply(dispute, [1, 3], p),
            "closed_reply": lambda p: templates.closed_reply(dispute),
            "revisit_reminder": lambda p: templates.revisit_reminder(dispute, 1, 2, "王建国", p),
            "revisit_recorded": lambda p: templates.revisit_recorded(dispute, "满意", False, 1),
            "detail": lambda p: templates.detail(dispute, bot.rules, bot.clock.tz, events, p),
            "supplemented_reply": lambda p: templates.supplemented_reply(dispute, ["当事人张三丰", "电话"], p),
            "diverted_notice": lambda p: templates.diverted_notice(dispute, bot.rules, "人社局", "王建国", p),
            "escalated_notice": lambda p: templates.escalated_notice(dispute, bot.rules, "派出所", "李振华", "x", p),
            "missing_lines": lambda p: "\n".join(templates.missing_lines(dispute)),
        }
        public = {n for n, f in inspect.getmembers(templates, inspect.isfunction) if f.__module__ == templates.__name__}
        assert public - {"fmt_time", "parties_line", "colour"} == set(calls), "a new template needs a privacy check"
        for name, render in calls.items():
            row = await notifier.send(target, name, render, dispute_id=dispute.id)
            assert_clean(row.text)
        # the masked Privacy object itself never returns an ID number
        assert MASKED.id_number(ID_NUMBER) is None


async def test_police_group_sees_full_details(bot: Bot, session: DemoSession) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", REPORT)
    async with bot.uow_factory() as uow:
        rows = (await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    notice = next(r for r in rows if r.template == "dispatch")
    assert "张三丰" in notice.text and "13800138000" in notice.text and notice.payload["masked"] is False


async def test_logs_of_a_conversation_hold_no_phone_or_id(
    bot: Bot, session: DemoSession, caplog: pytest.LogCaptureFixture
) -> None:
    install_log_redaction(logging.getLogger())
    caplog.handler.addFilter(next(f for f in logging.getLogger().filters))
    chat = Chat(bot, session)
    with caplog.at_level(logging.DEBUG):
        await chat.say("网格员", REPORT)
        await chat.say("民警", "补充 #1 对方电话13800138999")
        await chat.say("民警", f"反馈 #1 已化解 身份证{ID_NUMBER}")
    assert caplog.records, "the worker logs each message it routes"
    assert "13800138000" not in caplog.text and "13800138999" not in caplog.text and ID_NUMBER not in caplog.text
