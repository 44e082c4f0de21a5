"""The DingTalk sender against the local fake: sessionWebhook while valid, OpenAPI after, custom robot 加签,
the token cache, 20 a minute and the 130101 penalty, message shapes, and interactive cards."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_aiohttp import AiohttpServer
from sqlalchemy import select

from bot.app import Bot
from bot.channels.dingtalk.channel import DingTalkChannel
from bot.channels.dingtalk.robot import parse_robot_message
from bot.channels.dingtalk.settings import CustomRobot
from bot.clock import Clock, ManualClock
from bot.messages import Button, OutboundKind, Target
from bot.outbox import Notifier
from bot.people import bind_group, register_person
from storage.models import InboxMessage, OutboxMessage
from storage.models_dingtalk import DingTalkCard
from tests.fakes.dingtalk_server import FakeDingTalk, robot_message, settings_for, start_fake

POLICE, VILLAGE = "cidPolice", "cidVillage"
SECRET = "SECf1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
BUTTONS = (Button("接单", "接单", "7"), Button("反馈", "反馈", "7"))


def ms(clock: Clock) -> int:
    return int(clock.now().timestamp() * 1000)


@pytest.fixture
async def fake(aiohttp_server: AiohttpServer, clock: ManualClock) -> FakeDingTalk:
    return await start_fake(aiohttp_server, clock)


@pytest.fixture
async def dingtalk_world(bot: Bot, clock: ManualClock) -> None:
    async with bot.uow_factory() as uow:
        await bind_group(
            uow, clock, platform="dingtalk", chat_id=POLICE, name="城关派出所", area="幸福村", kind="police"
        )
        await bind_group(
            uow, clock, platform="dingtalk", chat_id=VILLAGE, name="幸福村", area="幸福村", kind="resident"
        )
        await register_person(
            uow, clock, key="officer-wang", name="王建国", role="officer", identities={"dingtalk": "staff-wang"}
        )
        await uow.commit()


@pytest.fixture(autouse=True)
async def _close_channels(bot: Bot) -> AsyncIterator[None]:
    yield
    for channel in bot.channels:
        if isinstance(channel, DingTalkChannel):
            await channel.api.close()


def attach(bot: Bot, fake: FakeDingTalk, **overrides: Any) -> DingTalkChannel:
    channel = DingTalkChannel(bot, settings_for(fake, **overrides))
    bot.channels.append(channel)
    bot.senders["dingtalk"] = channel.sender
    return channel


async def notify(
    bot: Bot,
    target: Target,
    text: str,
    *,
    inbox_id: int | None = None,
    kind: OutboundKind = "text",
    mentions: Sequence[str] = (),
    buttons: Sequence[Button] = (),
    title: str | None = None,
) -> None:
    async with bot.uow_factory() as uow:
        notifier = Notifier(uow, bot.clock, inbox_id)
        await notifier.send(target, "t", lambda _p: text, kind=kind, mentions=mentions, buttons=buttons, title=title)
        await uow.commit()


async def outbox(bot: Bot) -> list[OutboxMessage]:
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def heard(bot: Bot, channel: DingTalkChannel, fake: FakeDingTalk, *, group: bool = True) -> int:
    """A robot message arrived (with a fresh sessionWebhook); returns its inbox id."""
    now = ms(bot.clock)
    body = robot_message(
        msg_id="m-1",
        text="查 #7",
        create_at=now,
        session_webhook=fake.new_session(now + 5_400_000),
        expires_at=now + 5_400_000,
        staff_id="staff-wang",
        conversation_id=POLICE if group else "cidDirect",
        group=group,
    )
    assert await channel.on_robot_message(parse_robot_message(body))
    async with bot.uow_factory() as uow:
        return (await uow.session.scalars(select(InboxMessage.id).where(InboxMessage.message_id == "m-1"))).one()


@pytest.mark.usefixtures("dingtalk_world")
async def test_a_reply_goes_through_the_session_webhook_while_it_is_valid(bot: Bot, fake: FakeDingTalk) -> None:
    channel = attach(bot, fake)
    inbox_id = await heard(bot, channel, fake)
    await notify(bot, Target("dingtalk", chat_id=POLICE), "收到", inbox_id=inbox_id, mentions=["staff-wang"])
    assert await bot.dispatcher.drain() == 1
    assert fake.session_sent == [
        {
            "msgtype": "text",
            "text": {"content": "收到\n@staff-wang"},
            "at": {"atUserIds": ["staff-wang"], "atMobiles": [], "isAtAll": False},
        }
    ]
    assert fake.group_messages == [] and fake.unrendered_mentions == []


@pytest.mark.usefixtures("dingtalk_world")
async def test_after_the_session_expires_replies_go_through_the_openapi(
    bot: Bot, fake: FakeDingTalk, clock: ManualClock
) -> None:
    channel = attach(bot, fake)
    group_inbox = await heard(bot, channel, fake)
    clock.advance(timedelta(minutes=95))
    await notify(bot, Target("dingtalk", chat_id=POLICE), "逾期提醒", inbox_id=group_inbox)
    await notify(bot, Target("dingtalk", user_id="staff-wang"), "您有 1 件待办", kind="markdown", title="待办")
    assert await bot.dispatcher.drain() == 2
    assert fake.session_sent == []
    (group,) = fake.group_messages
    assert (group["openConversationId"], group["robotCode"], group["msgKey"]) == (POLICE, "dingrobot", "sampleText")
    assert json.loads(group["msgParam"]) == {"content": "逾期提醒"}
    (direct,) = fake.oto_messages
    assert (direct["userIds"], direct["msgKey"]) == (["staff-wang"], "sampleMarkdown")
    assert json.loads(direct["msgParam"]) == {"title": "待办", "text": "您有 1 件待办"}


@pytest.mark.usefixtures("dingtalk_world")
async def test_a_300001_expired_session_falls_back_to_the_openapi(
    bot: Bot, fake: FakeDingTalk, clock: ManualClock
) -> None:
    channel = attach(bot, fake)
    inbox_id = await heard(bot, channel, fake)
    for session in fake.sessions:
        fake.sessions[session] = ms(clock)  # DingTalk ended the session before the time it announced
    await notify(bot, Target("dingtalk", chat_id=POLICE), "收到", inbox_id=inbox_id)
    assert await bot.dispatcher.drain() == 1
    assert fake.session_sent == [] and len(fake.group_messages) == 1


@pytest.mark.usefixtures("dingtalk_world")
async def test_the_access_token_is_cached_and_refreshed_after_a_401(bot: Bot, fake: FakeDingTalk) -> None:
    channel = attach(bot, fake)
    for text in ("一", "二"):
        await notify(bot, Target("dingtalk", chat_id=POLICE), text)
    assert await bot.dispatcher.drain() == 2
    assert fake.token_requests == 1
    fake.revoke_tokens()
    await notify(bot, Target("dingtalk", chat_id=POLICE), "三")
    assert await bot.dispatcher.drain() == 1
    assert fake.token_requests == 2 and channel.api.token_fetches == 2
    assert [json.loads(m["msgParam"])["content"] for m in fake.group_messages] == ["一", "二", "三"]


async def _custom_robot(bot: Bot, fake: FakeDingTalk, secret: str = SECRET, **overrides: Any) -> DingTalkChannel:
    fake.custom_robots["tok-village"] = SECRET
    robots = {
        VILLAGE: CustomRobot(webhook=f"{fake.base_url}/robot/send?access_token=tok-village", secret=secret),
    }
    return attach(bot, fake, custom_robots=robots, **overrides)


@pytest.mark.usefixtures("dingtalk_world")
async def test_the_custom_robot_signs_and_writes_mentions_into_the_text(bot: Bot, fake: FakeDingTalk) -> None:
    await _custom_robot(bot, fake)
    await notify(bot, Target("dingtalk", chat_id=VILLAGE), "请王警官处理", mentions=["staff-wang"])
    async with bot.uow_factory() as uow:  # a police-only row may @ by mobile; a resident one never shows it
        for masked in (False, True):
            payload = {"mentions": [], "mention_mobiles": ["13800138002"], "buttons": [], "masked": masked}
            now = bot.clock.now()
            await uow.outbox.add(
                OutboxMessage(platform="dingtalk", chat_id=VILLAGE, kind="text", text="请回电", payload=payload,
                              template="t", status="pending", attempts=0, next_attempt_at=now, created_at=now)
            )  # fmt: skip
        await uow.commit()
    assert await bot.dispatcher.drain() == 3
    first, by_mobile, masked_row = fake.custom_sent
    assert first["text"]["content"] == "请王警官处理\n@staff-wang" and first["at"]["atUserIds"] == ["staff-wang"]
    assert by_mobile["text"]["content"] == "请回电\n@13800138002" and by_mobile["at"]["atMobiles"] == ["13800138002"]
    assert masked_row["text"]["content"] == "请回电" and masked_row["at"]["atMobiles"] == []
    assert fake.unrendered_mentions == [] and fake.group_messages == []


@pytest.mark.usefixtures("dingtalk_world")
async def test_the_custom_robot_url_carries_the_d2_sign(bot: Bot, fake: FakeDingTalk, clock: ManualClock) -> None:
    clock.set(datetime.fromtimestamp(1700000000001 / 1000, UTC))  # PROTOCOLS B4 D2
    await _custom_robot(bot, fake)
    await notify(bot, Target("dingtalk", chat_id=VILLAGE), "测试")
    assert await bot.dispatcher.drain() == 1
    assert fake.custom_queries == [
        "access_token=tok-village&timestamp=1700000000001&sign=rZomkxn%2B8Xle6f%2FNLQaa%2FjHvUSAsymwRvOQbMTiuzkQ%3D"
    ]


@pytest.mark.usefixtures("dingtalk_world")
async def test_a_wrong_custom_robot_secret_is_a_310000_dead_letter(bot: Bot, fake: FakeDingTalk) -> None:
    await _custom_robot(bot, fake, secret="SECwrong")
    await notify(bot, Target("dingtalk", chat_id=VILLAGE), "测试")
    assert await bot.dispatcher.drain() == 0
    (row,) = await outbox(bot)
    assert row.status == "dead" and row.last_error is not None and "310000" in row.last_error
    assert "SECwrong" not in row.last_error and "tok-village" not in row.last_error


@pytest.mark.usefixtures("dingtalk_world")
async def test_twenty_messages_a_minute_then_the_rest_wait(bot: Bot, fake: FakeDingTalk, clock: ManualClock) -> None:
    await _custom_robot(bot, fake)
    for i in range(25):
        await notify(bot, Target("dingtalk", chat_id=VILLAGE), f"第{i}条")
    assert await bot.dispatcher.drain() == 20
    waiting = [r for r in await outbox(bot) if r.status == "pending"]
    assert len(waiting) == 5 and all(r.next_attempt_at > clock.now() for r in waiting)
    clock.advance(timedelta(seconds=61))
    assert await bot.dispatcher.drain() == 5
    assert len(fake.custom_sent) == 25


@pytest.mark.usefixtures("dingtalk_world")
async def test_130101_pauses_the_robot_for_ten_minutes(bot: Bot, fake: FakeDingTalk, clock: ManualClock) -> None:
    await _custom_robot(bot, fake, messages_per_minute=100)  # our own budget off, so DingTalk's limit bites
    for i in range(23):
        await notify(bot, Target("dingtalk", chat_id=VILLAGE), f"第{i}条")
    assert await bot.dispatcher.drain() == 20
    waiting = [r for r in await outbox(bot) if r.status == "pending"]
    assert len(waiting) == 3
    assert all(r.next_attempt_at >= clock.now() + timedelta(seconds=599) for r in waiting)
    assert "130101" in (waiting[0].last_error or "")
    clock.advance(timedelta(minutes=10, seconds=1))
    assert await bot.dispatcher.drain() == 3


@pytest.mark.usefixtures("dingtalk_world")
async def test_text_markdown_and_action_card_shapes(bot: Bot, fake: FakeDingTalk) -> None:
    await _custom_robot(bot, fake)
    for chat in (VILLAGE, POLICE):  # the village through its custom robot, the police group by OpenAPI
        await notify(bot, Target("dingtalk", chat_id=chat), "纯文本")
        await notify(bot, Target("dingtalk", chat_id=chat), "**加粗**", kind="markdown", title="标题")
        await notify(bot, Target("dingtalk", chat_id=chat), "新派单", title="派单", buttons=BUTTONS)
    assert await bot.dispatcher.drain() == 6
    text, markdown, card = fake.custom_sent
    assert text["text"] == {"content": "纯文本"}
    assert markdown["markdown"] == {"title": "标题", "text": "**加粗**"}
    assert card["actionCard"]["btns"] == [
        {"title": "接单", "actionURL": "dtmd://dingtalkclient/sendMessage?content=%E6%8E%A5%E5%8D%95%20%237"},
        {"title": "反馈", "actionURL": "dtmd://dingtalkclient/sendMessage?content=%E5%8F%8D%E9%A6%88%20%237"},
    ]
    assert [m["msgKey"] for m in fake.group_messages] == ["sampleText", "sampleMarkdown", "sampleActionCard2"]
    assert json.loads(fake.group_messages[2]["msgParam"])["actionTitle2"] == "反馈"


@pytest.mark.usefixtures("dingtalk_world")
async def test_a_dispatch_card_is_created_and_delivered_to_the_group_and_the_officer(
    bot: Bot, fake: FakeDingTalk
) -> None:
    attach(bot, fake, card_template_id="tpl.dispatch", mode="stream")
    await notify(bot, Target("dingtalk", chat_id=POLICE), "新派单 #0007", buttons=BUTTONS, mentions=["staff-wang"])
    await notify(bot, Target("dingtalk", user_id="staff-wang"), "新派单 #0007", buttons=BUTTONS)
    assert await bot.dispatcher.drain() == 2
    group_card, direct_card = fake.cards.values()
    assert direct_card["cardData"]["cardParamMap"]["code"] == "7"
    assert group_card["cardTemplateId"] == "tpl.dispatch" and group_card["callbackType"] == "STREAM"
    params = group_card["cardData"]["cardParamMap"]
    assert (params["code"], params["status"], params["markdown"]) == ("7", "待处理", "新派单 #0007")
    assert [b["action"] for b in json.loads(params["buttons"])] == ["接单", "反馈"]
    to_group, to_officer = fake.deliveries
    assert to_group["openSpaceId"] == f"dtv1.card//IM_GROUP.{POLICE}"
    assert to_group["imGroupOpenDeliverModel"] == {"robotCode": "dingrobot", "atUserIds": {"staff-wang": "王建国"}}
    assert to_officer["openSpaceId"] == "dtv1.card//IM_ROBOT.staff-wang"
    async with bot.uow_factory() as uow:
        cards = list((await uow.session.scalars(select(DingTalkCard))).all())
    assert sorted((c.chat_id or "", c.user_id or "") for c in cards) == [("", "staff-wang"), (POLICE, "")]
    assert all(c.delivered_at is not None for c in cards)


@pytest.mark.usefixtures("dingtalk_world")
async def test_a_failed_delivery_is_retried_without_a_second_card(
    bot: Bot, fake: FakeDingTalk, clock: ManualClock
) -> None:
    attach(bot, fake, card_template_id="tpl.dispatch")
    fake.fail_next["/v1.0/card/instances/deliver"] = 1
    await notify(bot, Target("dingtalk", chat_id=POLICE), "新派单 #0007", buttons=BUTTONS)
    assert await bot.dispatcher.drain() == 0
    (row,) = await outbox(bot)
    assert row.status == "pending" and "503" in (row.last_error or "")
    clock.advance(timedelta(seconds=30))
    assert await bot.dispatcher.drain() == 1
    assert len(fake.cards) == 1 and len(fake.deliveries) == 1
    assert next(iter(fake.cards.values()))["callbackType"] == "HTTP"
