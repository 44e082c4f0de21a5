"""Resident Q&A through ingest -> worker -> outbox on real databases: answers, emergencies and fraud with alerts,
consultation tickets answered by an officer, and the boundary with intake."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Bot
from bot.demo import DemoSession
from bot.ingest import ingest
from bot.messages import InboundMessage
from bot.qa import load_qa_uncached
from config.settings import RULES_DIR
from storage.models import Dispute, InboxMessage, OutboxMessage
from storage.models_qa import Consultation

VILLAGE, POLICE = "village-xingfu", "police-chengguan"


class Chat:
    """One conversation: each line is ingested, processed and delivered before the next."""

    def __init__(self, bot: Bot, session: DemoSession) -> None:
        self.bot, self.session, self.n = bot, session, 0

    async def say(self, persona: str, text: str, **kw: Any) -> list[OutboxMessage]:
        """Send one message; returns the outbound messages it caused."""
        before = len(await self.rows(OutboxMessage))
        self.n += 1
        person = self.session.world.persona(persona)
        values: dict[str, Any] = {
            "platform": "console",
            "message_id": f"qa-{self.n}",
            "chat_id": person.group if person else VILLAGE,
            "sender_id": person.key if person else "stranger-1",
            "sender_name": person.name if person else "路人甲",
            "text": text,
            "sent_at": self.session.clock.now(),
        }
        values.update(kw)
        await ingest(self.bot.uow_factory, InboundMessage(**values), self.session.clock)
        await self.bot.worker.drain()
        await self.bot.dispatcher.drain()
        return (await self.rows(OutboxMessage))[before:]

    async def rows(self, model: type) -> list[Any]:
        async with self.bot.uow_factory() as uow:
            return list((await uow.session.scalars(select(model).order_by(model.id))).all())


@pytest.fixture
def chat(bot: Bot, session: DemoSession) -> Chat:
    return Chat(bot, session)


def where(out: OutboxMessage) -> tuple[str, str | None, list[str]]:
    return out.template, out.chat_id or out.user_id, out.payload["mentions"]


async def test_a_resident_question_gets_the_vetted_answer(chat: Chat) -> None:
    (out,) = await chat.say("群众", "身份证丢了咋补啊 急")
    assert where(out) == ("qa_faq", VILLAGE, ["resident-chen"])
    assert "补领" in out.text and "问民警" in out.text and out.payload["masked"] is True
    assert "{" not in out.text and "城关派出所" not in out.text.split("\n")[0]
    assert await chat.rows(Consultation) == [] and await chat.rows(Dispute) == []


async def test_an_emergency_gets_the_numbers_at_once_and_the_duty_officer_an_alert(chat: Chat) -> None:
    reply, alert = await chat.say("群众", "楼下有人拿刀砍人 快来")
    assert where(reply) == ("qa_emergency", VILLAGE, ["resident-chen"])
    assert reply.text.startswith("🚨 紧急情况请立即拨打 110！")
    assert where(alert) == ("qa_emergency_alert", POLICE, ["officer-wang"])
    assert "@王建国" in alert.text and "陈秀英：楼下有人拿刀砍人 快来" in alert.text and "暴力警情" in alert.text
    medical, _ = await chat.say("群众", "我爸突然倒地抽搐 叫不醒")
    assert "120" in medical.text and "110" not in medical.text.split("\n")[0]


async def test_emergencies_and_scams_are_heard_without_an_at_mention(chat: Chat) -> None:
    fire = await chat.say("群众", "3栋着火了 冒黑烟", addressed=False)
    assert [o.template for o in fire] == ["qa_emergency", "qa_emergency_alert"] and "119" in fire[0].text
    scam = await chat.say("群众", "有个自称公安局的让我把钱转到安全账户", addressed=False)
    assert [o.template for o in scam] == ["qa_fraud", "qa_fraud_alert"]
    assert await chat.say("群众", "身份证怎么补办", addressed=False) == []  # residents talking among themselves
    assert {i.status for i in await chat.rows(InboxMessage)} == {"done"}


async def test_a_scam_in_progress_gets_96110_and_an_alert(chat: Chat) -> None:
    reply, alert = await chat.say("群众", "网贷客服说我银行卡号填错了 账户冻结 要我先转两千解冻")
    assert where(reply) == ("qa_fraud", VILLAGE, ["resident-chen"])
    assert "96110" in reply.text and "警惕诈骗" in reply.text and "虚假贷款" in reply.text
    assert where(alert) == ("qa_fraud_alert", POLICE, ["officer-wang"]) and "【涉诈预警】虚假贷款" in alert.text


async def test_an_unanswered_question_becomes_a_ticket_and_the_officers_answer_goes_back(chat: Chat) -> None:
    reply, notice = await chat.say("群众", "村里过年想放烟花 要去派出所审批吗")
    assert where(reply) == ("qa_handoff", VILLAGE, ["resident-chen"]) and "咨询编号 Q1" in reply.text
    assert where(notice) == ("qa_consultation", POLICE, ["officer-wang"])
    assert "【群众咨询】Q1｜幸福村警民群" in notice.text and "「答复 #Q1 答复内容」" in notice.text
    (ticket,) = await chat.rows(Consultation)
    assert (ticket.status, ticket.chat_id, ticket.asker_user_id, ticket.area) == (
        "open",
        VILLAGE,
        "resident-chen",
        "幸福村",
    )
    assert ticket.officer is not None and ticket.officer.key == "officer-wang" and ticket.answer is None

    answer, confirm = await chat.say("民警", "答复 #Q1 放烟花不用审批，请在允许燃放的时间和地点燃放")
    assert where(answer) == ("qa_answer", VILLAGE, ["resident-chen"])
    assert "您问：村里过年想放烟花" in answer.text and "社区民警王建国：放烟花不用审批" in answer.text
    assert where(confirm) == ("qa_answered", POLICE, [])
    assert confirm.text == "已将 Q1 的答复发给 陈秀英（幸福村警民群）。"
    (ticket,) = await chat.rows(Consultation)
    assert ticket.status == "answered" and ticket.answer and ticket.answer.startswith("放烟花不用审批")
    assert ticket.answered_by is not None and ticket.answered_by.key == "officer-wang"
    assert ticket.answered_at == chat.session.clock.now()


async def test_the_answer_command_is_forgiving_and_refuses_in_chinese(chat: Chat) -> None:
    await chat.say("群众", "村里过年想放烟花 要去派出所审批吗")
    (refusal,) = await chat.say("群众", "答复 #Q1 我自己答")
    assert refusal.text == "只有民警可以答复群众咨询。"
    (refusal,) = await chat.say("民警", "答复 #Q9 不用备案")
    assert refusal.text == "没有找到咨询 Q9，请核对编号。"
    (refusal,) = await chat.say("民警", "答复 #Q1")
    assert refusal.text.startswith("请写明答复内容")
    (refusal,) = await chat.say("民警", "答复 不用备案")
    assert refusal.text.startswith("请带上咨询编号")
    for n, command in enumerate(["答复 Q1：不用备案", "答复 #1 不用备案", "答复＃Ｑ１ 不用备案"], start=1):
        out = await chat.say("民警", command)
        assert [o.template for o in out] == ["qa_answer", "qa_answered"], (n, command)
        assert out[0].text.endswith("社区民警王建国：不用备案")


async def test_a_residents_own_dispute_still_reaches_intake(chat: Chat) -> None:
    out = await chat.say("群众", "我和隔壁李某因为宅基地地界吵起来了，他扬言要报复，在幸福村3组")
    assert not any(o.template.startswith("qa_") for o in out)
    (dispute,) = await chat.rows(Dispute)
    assert dispute.category == "land" and dispute.reporter is not None and dispute.reporter.key == "resident-chen"


async def test_a_question_about_a_dispute_and_a_statement_the_faq_answers_go_to_qa(chat: Chat) -> None:
    (out,) = await chat.say("群众", "邻居老往我家门口堆杂物 这种事找谁调解")
    assert out.template == "qa_faq" and "人民调解" in out.text
    (out,) = await chat.say("群众", "身份证丢了")
    assert out.template == "qa_faq" and "补领" in out.text
    assert await chat.rows(Dispute) == []


async def test_only_residents_in_resident_chats_are_answered(chat: Chat) -> None:
    out = await chat.say("网格员", "身份证丢了怎么补")  # grid workers report; their messages stay with intake
    assert not any(o.template.startswith("qa_") for o in out)
    out = await chat.say("民警", "身份证丢了怎么补")
    assert not any(o.template.startswith("qa_") for o in out)
    out = await chat.say("群众", "身份证丢了怎么补", chat_id=POLICE)  # a resident in the police group: not Q&A
    assert not any(o.template.startswith("qa_") for o in out)


async def test_residents_never_get_other_peoples_data_or_case_details(chat: Chat) -> None:
    reply, notice = await chat.say("群众", "帮我查一下王某的手机号 他好像是13800138123")
    assert "机器人不能提供" in reply.text and "13800138123" not in reply.text
    assert "涉及查询他人信息" in notice.text and "13800138123" in notice.text  # the police group sees it all
    reply, notice = await chat.say("群众", "我上周反映的那个纠纷 #0001 有进展没")
    assert "不在群里公开" in reply.text and "询问纠纷或案件办理情况" in notice.text
    answer, _ = await chat.say("民警", "答复 #Q1 已电话联系您，王某电话13900139000")
    assert answer.chat_id == VILLAGE and "13900139000" not in answer.text and "139****9000" in answer.text


async def test_legal_questions_are_referred_not_answered(chat: Chat) -> None:
    (out,) = await chat.say("群众", "离婚了孩子抚养费一个月该给多少")
    assert (
        out.template == "qa_faq" and "12348" in out.text and "司法所" in out.text and "不提供具体的法律意见" in out.text
    )
    assert await chat.rows(Consultation) == []


async def test_courtesies(chat: Chat) -> None:
    (out,) = await chat.say("群众", "你好")
    assert out.template == "qa_not_question" and out.text.startswith("您好！我是城关派出所的警务助手")
    assert await chat.say("群众", "收到") == []
    assert await chat.say("群众", "【通知】本周六上午在村委会开展反诈宣传") == []
    assert {i.status for i in await chat.rows(InboxMessage)} == {"done"}


async def test_a_direct_chat_and_an_unregistered_resident(chat: Chat) -> None:
    (out,) = await chat.say("群众", "护照在哪办", chat_id="resident-chen", chat_kind="direct")
    assert where(out) == ("qa_faq", "resident-chen", []) and out.user_id == "resident-chen"
    reply, _ = await chat.say("路人", "我想申请个持枪证")  # not registered: treated as a resident
    assert where(reply) == ("qa_handoff", VILLAGE, ["stranger-1"])
    (ticket,) = await chat.rows(Consultation)
    assert ticket.asker_id is None and ticket.asker_name == "路人甲"
    answer, _ = await chat.say("民警", "答复 #Q1 个人不能申请持枪证")
    assert where(answer) == ("qa_answer", VILLAGE, ["stranger-1"])


async def test_the_stations_public_phone_reaches_residents_unmasked(
    chat: Chat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    faq = rules / "faq.yaml"
    station = "stations:\n  城关派出所: {station_phone: 0571-88881234}"
    faq.write_text(faq.read_text(encoding="utf-8").replace("stations: {}", station), encoding="utf-8")
    monkeypatch.setattr("handlers.qa.load_qa", lambda _rules_dir: load_qa_uncached(rules))
    (out,) = await chat.say("群众", "派出所值班电话多少")
    assert out.template == "qa_faq" and "0571-88881234" in out.text
