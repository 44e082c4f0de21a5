"""Redeliveries end to end: one record and one reply per message, even in a storm of concurrent retries."""

# ruff: noqa: F811 - the fixtures imported below are redefined as test parameters

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot import templates
from bot.app import Bot, build_web_app
from bot.channels.wecom.channel import WeComChannel
from bot.channels.wecom.crypto import WeComCrypto
from bot.clock import ManualClock
from storage.models import Dispute, InboxMessage, OutboxMessage
from tests.fakes.wecom_server import (
    BOT_AES_KEY,
    BOT_TOKEN,
    FakeWeCom,
    fake_wecom,  # noqa: F401 - a fixture
    signed_callback,
    wecom,  # noqa: F401 - a fixture
)

Client = TestClient[web.Request, web.Application]

CRYPTO = WeComCrypto(BOT_TOKEN, BOT_AES_KEY, "")
REPORT = "阳光社区3栋楼上漏水，楼下王女士和楼上陈某吵起来了，王女士电话13800138123"


def callback(msgid: str, text: str, response_url: str, user: str = "resident1") -> tuple[dict[str, str], bytes]:
    payload = {
        "msgid": msgid,
        "aibotid": "AIBOTID",
        "chatid": "wrkGROUP01",
        "chattype": "group",
        "from": {"userid": user},
        "response_url": response_url,
        "msgtype": "text",
        "text": {"content": f"@警务助手 {text}"},
    }
    return signed_callback(CRYPTO, json.dumps(payload, ensure_ascii=False).encode(), nonce=f"n{msgid}")


async def count(bot: Bot, model: Any, *where: Any) -> int:
    async with bot.uow_factory() as uow:
        return int((await uow.session.execute(select(func.count()).select_from(model).where(*where))).scalar_one())


async def test_a_report_delivered_three_times_makes_one_record_and_one_reply(
    wecom: WeComChannel, bot: Bot, fake_wecom: FakeWeCom, aiohttp_client: Any
) -> None:
    client: Client = await aiohttp_client(build_web_app(bot, run_workers=False))
    query, body = callback("m-report", REPORT, fake_wecom.response_url())
    answers = await asyncio.gather(*(client.post("/wecom/bot", params=query, data=body) for _ in range(3)))
    assert [a.status for a in answers] == [200] * 3
    await bot.worker.drain()
    assert (await client.post("/wecom/bot", params=query, data=body)).status == 200  # after processing, too
    await bot.worker.drain()
    await bot.dispatcher.drain()
    assert await count(bot, InboxMessage) == 1 and await count(bot, Dispute) == 1
    (reply,) = fake_wecom.delivered("aibot/response")  # one reply in the reporter's group
    assert "JF-" in reply["markdown"]["content"]
    assert "13800138123" not in reply["markdown"]["content"]  # a resident group sees masked data


async def test_retry_storm_200_messages_each_delivered_3_times_concurrently(
    wecom: WeComChannel, bot: Bot, fake_wecom: FakeWeCom, clock: ManualClock, aiohttp_client: Any
) -> None:
    client: Client = await aiohttp_client(build_web_app(bot, run_workers=False))
    urls = [fake_wecom.response_url() for _ in range(200)]
    calls = [callback(f"storm-{i}", "帮助", urls[i], user=f"u{i % 17}") for i in range(200)]
    fake_wecom.fail_http("aibot/response", 502, times=15)  # WeCom hiccups on the way out, too
    fake_wecom.fail("aibot/response", -1, times=15)

    async def deliver(query: dict[str, str], body: bytes) -> int:
        resp = await client.post("/wecom/bot", params=query, data=body)
        return resp.status

    statuses = await asyncio.gather(*(deliver(q, b) for q, b in calls for _ in range(3)))
    assert Counter(statuses) == {200: 600}
    assert await count(bot, InboxMessage) == 200
    await bot.worker.drain()
    for _ in range(5):
        await bot.dispatcher.drain()
        clock.advance(timedelta(minutes=5))
    assert await count(bot, OutboxMessage, OutboxMessage.status == "sent") == 200
    assert await count(bot, OutboxMessage) == 200
    delivered = [c for c in fake_wecom.calls if c.api == "aibot/response" and c.errcode == 0]
    codes = Counter(c.query["response_code"] for c in delivered)
    assert len(delivered) == 200 and set(codes.values()) == {1}  # zero duplicates
    assert set(codes) == {u.rsplit("=", 1)[1] for u in urls}  # zero losses: every message got its reply
    assert all(c.body == {"msgtype": "markdown", "markdown": {"content": templates.HELP}} for c in delivered)
    assert all(used for used in fake_wecom.response_codes.values())
