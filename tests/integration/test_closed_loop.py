"""Whole conversations through the router on real databases: records, timeline and outbox (issue: closed loop)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.app import Bot
from bot.clock import SHANGHAI
from bot.demo import DemoSession
from bot.ingest import ingest
from bot.messages import InboundMessage
from storage.models import Dispute, OutboxMessage, Reminder, TimelineEvent
from tests.conftest import RecordingSender

LAND_RED = "幸福村3组张某与李某因宅基地地界发生争执，张某扬言要报复，张某电话13800138000，李某电话13800138111"
NEIGHBOR = "幸福村5组孙某家楼上漏水，楼下周某和孙某吵起来了，周某电话13800138333"
WAGES = "幸福村砖厂老板吴某拖欠工人郑某工资3000元，郑某电话13800138444"


class Chat:
    """Drives one conversation: each line is ingested, processed and delivered before the next."""

    def __init__(self, bot: Bot, session: DemoSession) -> None:
        self.bot, self.session, self.n = bot, session, 0

    async def say(self, persona: str, text: str, *, chat_id: str | None = None, **kw: object) -> None:
        self.n += 1
        person = self.session.world.persona(persona)
        assert person is not None
        msg = InboundMessage(
            platform="console",
            message_id=f"t-{self.n}",
            chat_id=chat_id or person.group,
            sender_id=person.key,
            sender_name=person.name,
            text=text,
            sent_at=self.session.clock.now(),
            **kw,  # type: ignore[arg-type]
        )
        await ingest(self.bot.uow_factory, msg, self.session.clock)
        await self.bot.worker.drain()
        await self.bot.dispatcher.drain()

    async def rows(self, model: type) -> list:  # type: ignore[type-arg]
        async with self.bot.uow_factory() as uow:
            return list((await uow.session.scalars(select(model).order_by(model.id))).all())

    async def dispute(self, number: int = 1) -> Dispute:
        async with self.bot.uow_factory() as uow:
            d = await uow.disputes.by_number(number)
            assert d is not None
            return d

    async def events(self, number: int = 1) -> list[tuple[str, str | None]]:
        async with self.bot.uow_factory() as uow:
            return [(e.action, e.to_status) for e in await uow.disputes.timeline(number)]


async def test_report_dispatch_accept_feedback_close(bot: Bot, session: DemoSession, sender: RecordingSender) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", LAND_RED)
    await chat.say("民警", "接单 ＃0001")
    session.clock.advance(timedelta(hours=3))
    await chat.say("民警", "反馈 #1 已化解 村调委会调解，双方签订协议")
    await chat.say("民警", "办结 1 当事人均满意")
    d = await chat.dispute()
    assert (d.status, d.assignee.key if d.assignee else None) == ("closed", "officer-wang")
    assert d.accepted_at == datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)
    assert d.resolved_at == datetime(2026, 11, 23, 12, 30, tzinfo=SHANGHAI) and d.closed_at == d.resolved_at
    assert await chat.events() == [
        ("register", "registered"),
        ("dispatch", "dispatched"),
        ("accept", "accepted"),
        ("resolve", "resolved"),
        ("close", "closed"),
    ]
    templates = [(o.template, o.chat_id) for o in await chat.rows(OutboxMessage)]
    assert templates == [
        ("registered", "village-xingfu"),
        ("dispatch", "police-chengguan"),
        ("accepted", "police-chengguan"),
        ("resolved", "police-chengguan"),
        ("closed", "police-chengguan"),
    ]
    reminders = await chat.rows(Reminder)
    assert {r.status for r in reminders} == {"cancelled"}  # 督办 and revisits end with the record


async def test_registration_reply_lists_what_officers_and_reporters_need(
    bot: Bot, session: DemoSession, sender: RecordingSender
) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", "幸福村5组孙某家楼上漏水，楼下周某和孙某吵起来了")
    reply = sender.sent[0]
    assert reply.chat_id == "village-xingfu" and reply.template == "registered"
    lines = reply.text.splitlines()
    assert lines[0] == "✅ 已登记矛盾纠纷 JF-20261123-0001"
    assert lines[1] == "类别：邻里纠纷｜风险：蓝色"
    assert lines[2] == "地点：幸福村5组" and lines[3] == "当事人：孙某、周某"
    assert lines[4] == "接单时限：11-24 09:30｜办结时限：12-02 09:30"  # 24 h; 7 working days
    assert lines[5] == "待补充：联系电话"
    assert lines[6].startswith("请补充至少一名当事人的联系电话。")


async def test_missing_field_question_is_answered_by_a_plain_reply(
    bot: Bot, session: DemoSession, sender: RecordingSender
) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", "幸福村5组孙某家楼上漏水，楼下周某和孙某吵起来了")
    assert (await chat.dispute()).awaiting_field == "phones"
    await chat.say("网格员", "周某电话 138-0013-8333")
    d = await chat.dispute()
    assert d.missing == [] and d.awaiting_field is None
    assert {p.name: p.phone for p in d.parties} == {"孙某": None, "周某": "13800138333"}
    assert len(await chat.rows(Dispute)) == 1
    assert sender.sent[-1].text == "📎 已补充 JF-20261123-0001：电话。信息已齐全，谢谢！"
    assert [s.message_id for s in d.sources] == ["t-1", "t-2"]


async def test_report_over_several_messages_makes_one_record(bot: Bot, session: DemoSession) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", "报告：幸福村2组有人因为宅基地吵架")
    session.clock.advance(timedelta(minutes=3))
    await chat.say("网格员", "是刘某和孙某，刘某电话13800138555")
    session.clock.advance(timedelta(minutes=2))
    await chat.say("网格员", "刘某刚才说要拿锄头去砍人")
    (d,) = await chat.rows(Dispute)
    assert d.category == "land" and d.risk == "high" and d.location == "幸福村2组"
    assert [(p.name, p.phone) for p in d.parties] == [("刘某", "13800138555"), ("孙某", None)]
    assert [e for e, _ in await chat.events()] == ["register", "transfer", "supplement", "supplement"]
    # a later, separate report (own place, own parties) is a new record, even inside the window
    await chat.say("网格员", "阳光社区8栋吴某和郑某因为停车位打起来了")
    assert len(await chat.rows(Dispute)) == 2
    # outside the window a message is judged on its own
    session.clock.advance(timedelta(hours=1))
    await chat.say("网格员", "谢谢大家")
    assert len(await chat.rows(Dispute)) == 2


async def test_follow_up_naming_a_code_updates_that_record(bot: Bot, session: DemoSession) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", "幸福村5组孙某家楼上漏水，楼下周某和孙某吵起来了")
    session.clock.advance(timedelta(hours=5))
    await chat.say("网格员", "#0001 补充：孙某电话13800138666")
    d = await chat.dispute()
    assert {p.name: p.phone for p in d.parties}["孙某"] == "13800138666" and d.missing == []


async def test_a_code_inside_a_message_updates_that_record(bot: Bot, session: DemoSession) -> None:
    """People say which matter first and then the code (孙某那个事，JF-…-0001 补充：…): still an update, not a new
    record, and what came before the code stays in the timeline."""
    chat = Chat(bot, session)
    await chat.say("网格员", "幸福村5组孙某家楼上漏水，楼下周某和孙某吵起来了")
    code = (await chat.dispute()).code
    session.clock.advance(timedelta(hours=5))
    await chat.say("网格员", f"孙某漏水那个事，{code} 补充：周某拿着菜刀在楼道里骂，孙某电话13800138666")
    assert len(await chat.rows(Dispute)) == 1
    d = await chat.dispute()
    assert {p.name: p.phone for p in d.parties}["孙某"] == "13800138666" and d.risk == "high"
    assert d.sources[-1].text.startswith("孙某漏水那个事，周某拿着菜刀")


async def test_diversion_of_non_police_disputes(bot: Bot, session: DemoSession, sender: RecordingSender) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", WAGES)
    d = await chat.dispute()
    assert (d.category, d.risk, d.status, d.department) == ("labor", "low", "transferred", "人社局劳动保障监察大队")
    assert d.assignee is not None and d.assignee.key == "officer-wang"  # tracks it and revisits
    out = await chat.rows(OutboxMessage)
    assert [o.template for o in out] == ["registered", "diverted_notice"]
    assert "已分流至人社局劳动保障监察大队办理" in out[0].text
    assert out[1].payload["mentions"] == ["officer-wang"] and "@王建国" in out[1].text
    assert [r.kind for r in await chat.rows(Reminder)] == ["revisit"]
    # a red 非公安主责 dispute keeps a police owner; the department works alongside
    await chat.say(
        "网格员", "幸福村工地包工头陈某欠薪，十几个工人堵门扬言要跳楼，陈某电话13800138777", chat_id="village-xingfu"
    )
    red = await chat.dispute(2)
    assert (red.risk, red.status, red.department) == ("high", "dispatched", "人社局劳动保障监察大队")


async def test_divert_command(bot: Bot, session: DemoSession, sender: RecordingSender) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", NEIGHBOR)
    await chat.say("民警", "分流 #1 住建局物业科")
    d = await chat.dispute()
    assert (d.status, d.department) == ("transferred", "住建局物业科")
    assert await chat.events() == [("register", "registered"), ("dispatch", "dispatched"), ("transfer", "transferred")]
    await chat.say("网格员", LAND_RED)
    await chat.say("民警", "分流 #2")
    red = await chat.dispute(2)
    assert (red.status, red.department) == ("dispatched", "自然资源所")
    assert "仍由民警主办" in sender.sent[-1].text


async def test_transfer_to_another_officer(bot: Bot, session: DemoSession, sender: RecordingSender) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", NEIGHBOR)
    await chat.say("民警", "接单 #1")
    await chat.say("民警", "转派 #1 赵志刚")
    d = await chat.dispute()
    assert (d.status, d.assignee.key if d.assignee else None) == ("dispatched", "officer-zhao")
    notice = sender.sent[-1]
    assert notice.template == "dispatch" and notice.payload["mentions"] == ["officer-zhao"]
    await chat.say("民警2", "接单 #1")
    assert (await chat.dispute()).status == "accepted"
    await chat.say("民警", "转派 #1 张晓梅")  # a grid worker cannot own a dispute
    assert sender.sent[-1].text.startswith("请 @ 要转派的民警")


async def test_escalate_one_level_at_a_time(bot: Bot, session: DemoSession, sender: RecordingSender) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", NEIGHBOR)
    await chat.say("民警", "上提 #1 双方多次调解未成")
    d = await chat.dispute()
    assert d.level == 2
    notice = next(o for o in sender.sent if o.template == "escalated_notice")
    assert notice.payload["mentions"] == ["leader-li"] and "@李振华" in notice.text and "派出所" in notice.text
    await chat.say("所长", "上提 #1")
    assert (await chat.dispute()).level == 3
    assert "县公安局矛盾纠纷调解中心" in [o for o in sender.sent if o.template == "escalated_notice"][-1].text
    await chat.say("所长", "上提 #1")
    assert sender.sent[-1].text.endswith("已在县局调解中心层级，不能再上提。")
    assert [e for e, _ in await chat.events()] == ["register", "dispatch", "escalate", "escalate"]


async def test_merge_duplicates(bot: Bot, session: DemoSession) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", NEIGHBOR)
    await chat.say("民警", LAND_RED)  # an officer's own report of another dispute
    await chat.say("民警", "合并 #2 到 #1")
    two, one = await chat.dispute(2), await chat.dispute(1)
    assert (two.status, two.merged_into_id) == ("merged", 1) and one.status == "dispatched"
    assert (await chat.events(1))[-1] == ("merge_in", None)
    await chat.say("民警", "合并 #1 到 #1")
    assert (await chat.dispute(1)).status == "dispatched"


async def test_convert_to_case_and_withdraw(bot: Bot, session: DemoSession, sender: RecordingSender) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", LAND_RED)
    await chat.say("民警", "转案件 #1 涉嫌故意伤害")
    assert (await chat.dispute()).status == "converted"
    await chat.say("民警", "接单 #1")
    assert "已转案件" in sender.sent[-1].text and "不能接单" in sender.sent[-1].text
    assert all(r.status == "cancelled" for r in await chat.rows(Reminder))
    await chat.say("网格员", NEIGHBOR)
    await chat.say("网格员", "撤销 #2")
    assert sender.sent[-1].text.startswith("您没有执行该操作的权限")
    await chat.say("民警", "撤销 #2 双方已自行和解")
    assert (await chat.dispute(2)).status == "withdrawn"


async def test_permissions_and_unknown_commands(bot: Bot, session: DemoSession, sender: RecordingSender) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", NEIGHBOR)
    await chat.say("网格员", "办结 #1")
    await chat.say("群众", "查 #1")
    await chat.say("网格员", "查 #1")
    await chat.say("民警2", "补充 #1 孙某电话13800138999")
    await chat.say("群众", "补充 #1 我是证人")
    await chat.say("民警", "派单 #1")
    await chat.say("民警", "我的待办")
    texts = [o.text for o in sender.sent[2:]]
    assert texts[0] == "只有民警可以办结纠纷。"
    assert texts[1].startswith("您只能查看自己上报的纠纷")
    assert texts[2].startswith("📋 JF-20261123-0001｜已派单｜蓝色｜邻里纠纷")  # the reporter sees their own
    assert texts[3].startswith("📎 已补充 JF-20261123-0001")  # police may add to any record
    assert texts[4].startswith("您只能补充自己上报的纠纷")
    assert texts[5].startswith("没有识别出矛盾纠纷或指令")
    assert texts[6].startswith("📌 王建国 的待办（1 件）")
    assert all("Traceback" not in t for t in texts)


async def test_regrade_moves_deadlines_and_is_in_the_timeline(bot: Bot, session: DemoSession) -> None:
    chat = Chat(bot, session)
    await chat.say("网格员", NEIGHBOR)
    await chat.say("民警", "定级 #1 红")
    d = await chat.dispute()
    assert (d.risk, d.complexity) == ("high", "complex")
    assert d.accept_by == datetime(2026, 11, 23, 9, 45, tzinfo=SHANGHAI)
    assert d.resolve_by == datetime(2026, 12, 14, 9, 30, tzinfo=SHANGHAI)  # 15 working days
    await chat.say("民警", "定级 #1 疑难")
    d = await chat.dispute()
    assert d.complexity == "difficult"
    events = await chat.rows(TimelineEvent)
    assert [e.action for e in events][-2:] == ["regrade", "regrade"]
    assert events[-1].detail["before"]["complexity"] == "complex"
    due = {r.kind: r.due_at for r in await chat.rows(Reminder) if r.status == "pending"}
    assert due["resolve_overdue"] == d.resolve_by and due["accept_overdue"] == d.accept_by
