"""A report and a card click end to end on DingTalk: HTTP callback and Stream redeliveries make one record and
one reply each; the dispatch card's 接单 button reaches the same handler as the typed command; the card updates."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient, AiohttpServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Bot, build_web_app, create_bot
from bot.channels.dingtalk.channel import DingTalkChannel
from bot.channels.dingtalk.frames import BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC
from bot.clock import ManualClock
from bot.people import bind_group, register_person
from config.rules import Rules
from config.settings import Settings
from storage.models import Dispute, InboxMessage, OutboxMessage
from tests.fakes.dingtalk_server import (
    APP_SECRET,
    FakeDingTalk,
    card_click,
    robot_message,
    settings_for,
    signed_headers,
    start_fake,
    until,
)

POLICE, VILLAGE = "cidPolice", "cidVillage"
REPORT = (
    "【矛盾纠纷】幸福村3组张某与李某因宅基地地界问题发生争执，双方情绪激动，张某扬言要报复。"
    "张某电话13800138000，李某电话13800138111，昨天晚上8点开始吵的。"
)
PEOPLE = [
    ("gw-zhang", "张晓梅", "grid_worker", "staff-gw"),
    ("officer-wang", "王建国", "officer", "staff-wang"),
    ("officer-zhao", "赵志刚", "officer", "staff-zhao"),
    ("leader-li", "李振华", "leader", "staff-li"),
]


def ms(clock: ManualClock) -> int:
    return int(clock.now().timestamp() * 1000)


@pytest.fixture
async def dbot(engine: AsyncEngine, clock: ManualClock, rules: Rules) -> AsyncIterator[Bot]:
    """A bot whose station work group is a DingTalk group, with the people's DingTalk staff ids."""
    stations = {
        name: station.model_copy(update={"police_group": f"dingtalk:{POLICE}"})
        for name, station in rules.routing.stations.items()
    }
    routed = rules.model_copy(update={"routing": rules.routing.model_copy(update={"stations": stations})})
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), auto_migrate=False)
    bot = await create_bot(settings, clock=clock, rules=routed, engine=engine)
    async with bot.uow_factory() as uow:
        await bind_group(
            uow, clock, platform="dingtalk", chat_id=POLICE, name="城关派出所", area="幸福村", kind="police"
        )
        await bind_group(
            uow, clock, platform="dingtalk", chat_id=VILLAGE, name="幸福村", area="幸福村", kind="resident"
        )
        for key, name, role, staff in PEOPLE:
            await register_person(uow, clock, key=key, name=name, role=role, identities={"dingtalk": staff})
        await uow.commit()
    yield bot
    await bot.close()  # its inbox writers' connections go back before the engine is disposed


@pytest.fixture
async def fake(aiohttp_server: AiohttpServer, clock: ManualClock) -> FakeDingTalk:
    return await start_fake(aiohttp_server, clock)


@pytest.fixture
async def client(
    dbot: Bot, fake: FakeDingTalk, aiohttp_client: AiohttpClient
) -> TestClient[web.Request, web.Application]:
    """The real web app: HTTP routes, and the Stream client started by the channel's cleanup context."""
    channel = DingTalkChannel(dbot, settings_for(fake, mode="stream", card_template_id="tpl.dispatch"))
    dbot.channels.append(channel)
    dbot.senders["dingtalk"] = channel.sender
    return await aiohttp_client(build_web_app(dbot, run_workers=False))


async def rows(bot: Bot, model: type[Any]) -> list[Any]:
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(model).order_by(model.id))).all())


async def settle(bot: Bot) -> None:
    await bot.worker.drain()
    await bot.dispatcher.drain()


async def test_report_and_card_click_with_redeliveries(
    client: TestClient[web.Request, web.Application], dbot: Bot, fake: FakeDingTalk, clock: ManualClock
) -> None:
    channel = next(c for c in dbot.channels if isinstance(c, DingTalkChannel))
    await until(lambda: channel.stream is not None and channel.stream.connected.is_set())
    report = robot_message(
        msg_id="msgReport==",
        text=REPORT,
        create_at=ms(clock),
        session_webhook=fake.new_session(ms(clock) + 5_400_000),
        expires_at=ms(clock) + 5_400_000,
        staff_id="staff-gw",
        nick="张晓梅",
        conversation_id=VILLAGE,
    )

    # DingTalk retries the HTTP callback and also delivers the same message over the Stream, twice
    for _ in range(3):
        resp = await client.post(
            "/dingtalk/robot", data=json.dumps(report), headers=signed_headers(ms(clock), APP_SECRET)
        )
        assert resp.status == 200
    for _ in range(2):
        mid = await fake.push("CALLBACK", BOT_MESSAGE_TOPIC, report, message_id="frame-report")
        assert (await fake.ack_for(mid))["code"] == 200
    await settle(dbot)
    resp = await client.post("/dingtalk/robot", data=json.dumps(report), headers=signed_headers(ms(clock), APP_SECRET))
    assert resp.status == 200
    await settle(dbot)

    assert len(await rows(dbot, InboxMessage)) == 1
    (dispute,) = await rows(dbot, Dispute)
    (registered,) = fake.session_sent  # the answer in the village group, through its sessionWebhook, masked
    assert "13800138000" not in registered["text"]["content"] and dispute.code in registered["text"]["content"]
    group_card, officer_card = fake.cards.values()  # the dispatch card goes to the work group and the officer
    to_group, to_officer = fake.deliveries
    assert to_group["outTrackId"] == group_card["outTrackId"]
    assert to_group["openSpaceId"] == f"dtv1.card//IM_GROUP.{POLICE}"
    assert to_group["imGroupOpenDeliverModel"]["atUserIds"] == {"staff-wang": "王建国"}
    assert to_officer["openSpaceId"] == "dtv1.card//IM_ROBOT.staff-wang"
    assert to_officer["outTrackId"] == officer_card["outTrackId"]
    card = group_card
    params = card["cardData"]["cardParamMap"]
    assert params["code"] == str(dispute.id)

    # the officer presses 接单 on the card; the gateway delivers the click twice
    click = card_click(card["outTrackId"], "staff-wang", "accept", {"action": "接单", "code": params["code"]})
    for _ in range(2):
        mid = await fake.push("CALLBACK", CARD_CALLBACK_TOPIC, click, message_id="frame-click")
        ack = await fake.ack_for(mid)
        shown = json.loads(ack["data"])["response"]["cardData"]["cardParamMap"]
        assert ack["code"] == 200 and shown["status"] == "已收到「接单」，处理中…"
    await settle(dbot)

    (dispute,) = await rows(dbot, Dispute)
    assert dispute.status == "accepted" and dispute.assignee.key == "officer-wang"
    actions = [r for r in await rows(dbot, InboxMessage) if r.kind == "action"]
    assert [(a.payload["action"], a.payload["action_code"], a.chat_id) for a in actions] == [
        ("接单", str(dispute.id), POLICE)
    ]
    templates = [r.template for r in await rows(dbot, OutboxMessage)]
    assert templates.count("registered") == 1 and templates.count("dispatch") == 1
    assert templates.count("accepted") == 1
    (accepted,) = fake.group_messages  # no sessionWebhook for a click: the OpenAPI answers in the group
    assert accepted["openConversationId"] == POLICE and "已接单" in json.loads(accepted["msgParam"])["content"]
    (update,) = fake.card_updates  # and the card itself now says who took it
    assert update["outTrackId"] == card["outTrackId"]
    assert "王建国 已接单" in update["cardData"]["cardParamMap"]["status"]
    assert all(r.status == "sent" for r in await rows(dbot, OutboxMessage))


async def test_a_click_on_the_officers_own_card_is_answered_in_the_1to1_chat(
    client: TestClient[web.Request, web.Application], dbot: Bot, fake: FakeDingTalk, clock: ManualClock
) -> None:
    channel = next(c for c in dbot.channels if isinstance(c, DingTalkChannel))
    await until(lambda: channel.stream is not None and channel.stream.connected.is_set())
    now = ms(clock)
    report = robot_message(
        msg_id="msgReport2",
        text=REPORT,
        create_at=now,
        session_webhook=fake.new_session(now + 5_400_000),
        expires_at=now + 5_400_000,
        staff_id="staff-gw",
        conversation_id=VILLAGE,
    )
    resp = await client.post("/dingtalk/robot", data=json.dumps(report), headers=signed_headers(now, APP_SECRET))
    assert resp.status == 200
    await settle(dbot)
    officer_card = next(c for c in fake.cards.values() if c["outTrackId"] == fake.deliveries[-1]["outTrackId"])
    code = officer_card["cardData"]["cardParamMap"]["code"]
    click = card_click(officer_card["outTrackId"], "staff-wang", "accept", {"action": "接单", "code": code})
    assert (await fake.ack_for(await fake.push("CALLBACK", CARD_CALLBACK_TOPIC, click)))["code"] == 200
    await settle(dbot)
    (dispute,) = await rows(dbot, Dispute)
    assert dispute.status == "accepted"
    (answer,) = fake.oto_messages
    assert answer["userIds"] == ["staff-wang"] and "已接单" in json.loads(answer["msgParam"])["content"]
    (update,) = fake.card_updates
    assert update["outTrackId"] == officer_card["outTrackId"]
