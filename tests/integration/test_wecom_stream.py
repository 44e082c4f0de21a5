"""Passive stream replies of the 智能机器人: refreshes answered from memory, 6-minute cutoff, 3 in flight, fallback."""

# ruff: noqa: F811 - the fixtures imported below are redefined as test parameters

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot import templates
from bot.app import Bot, build_web_app
from bot.channels.wecom.channel import WeComChannel
from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.stream import IDLE_TEXT
from bot.clock import ManualClock
from storage.models import OutboxMessage
from tests.fakes.wecom_server import (
    BOT_AES_KEY,
    BOT_TOKEN,
    FakeWeCom,
    attach,
    fake_wecom,  # noqa: F401 - a fixture
    signed_callback,
    wecom_settings,
)

Client = TestClient[web.Request, web.Application]

CRYPTO = WeComCrypto(BOT_TOKEN, BOT_AES_KEY, "")
PLACEHOLDER = "收到，正在处理…"


@pytest.fixture
async def channel(bot: Bot, fake_wecom: FakeWeCom) -> AsyncIterator[WeComChannel]:
    channel = attach(bot, wecom_settings(fake_wecom, bot_reply_mode="stream"))
    yield channel
    await channel.close()


@pytest.fixture
async def client(bot: Bot, channel: WeComChannel, aiohttp_client: Any) -> Client:
    return await aiohttp_client(build_web_app(bot, run_workers=False))  # type: ignore[no-any-return]


async def post(client: Client, payload: dict[str, Any]) -> dict[str, Any] | None:
    query, body = signed_callback(CRYPTO, json.dumps(payload, ensure_ascii=False).encode())
    resp = await client.post("/wecom/bot", params=query, data=body)
    assert resp.status == 200
    if not await resp.read():
        return None
    env = await resp.json()
    return json.loads(CRYPTO.decrypt(env["msgsignature"], env["timestamp"], env["nonce"], env["encrypt"]))  # type: ignore[no-any-return]


def message(msgid: str, response_url: str, user: str = "resident1") -> dict[str, Any]:
    return {
        "msgid": msgid,
        "aibotid": "AIBOTID",
        "chatid": "wrkGROUP01",
        "chattype": "group",
        "from": {"userid": user},
        "response_url": response_url,
        "msgtype": "text",
        "text": {"content": "@警务助手 帮助"},
    }


def refresh(stream_id: str) -> dict[str, Any]:
    return {
        "msgid": "r-" + stream_id,
        "aibotid": "AIBOTID",
        "chatid": "wrkGROUP01",
        "chattype": "group",
        "from": {"userid": "resident1"},
        "msgtype": "stream",
        "stream": {"id": stream_id},
    }


async def outbox(bot: Bot) -> list[OutboxMessage]:
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_reply_goes_out_on_the_next_refresh_and_counts_as_sent_only_then(
    client: Client,
    bot: Bot,
    fake_wecom: FakeWeCom,
    clock: ManualClock,
) -> None:
    first = await post(client, message("m-1", fake_wecom.response_url()))
    assert first is not None and first["msgtype"] == "stream"
    sid = first["stream"]["id"]
    assert first["stream"] == {"id": sid, "finish": False, "content": PLACEHOLDER}
    again = await post(client, message("m-1", fake_wecom.response_url()))  # a redelivery: the same stream
    assert again == first
    assert await post(client, refresh(sid)) == first  # nothing to show yet
    await bot.worker.drain()
    assert await bot.dispatcher.drain() == 0  # handed to the stream, waiting for a refresh
    (row,) = await outbox(bot)
    assert (row.status, row.attempts) == ("pending", 0) and row.last_error == "deferred: reply handed to the stream"
    final = await post(client, refresh(sid))
    assert final == {"msgtype": "stream", "stream": {"id": sid, "finish": True, "content": templates.HELP}}
    clock.advance(timedelta(seconds=1))
    assert await bot.dispatcher.drain() == 1
    (row,) = await outbox(bot)
    assert row.status == "sent" and row.payload["wecom"]["route"] == "stream"
    assert fake_wecom.count("aibot/response") == 0


async def test_unknown_stream_id_finishes_empty(client: Client) -> None:
    assert await post(client, refresh("nope")) == {
        "msgtype": "stream",
        "stream": {"id": "nope", "finish": True, "content": ""},
    }


async def test_after_six_minutes_the_reply_takes_the_response_url(
    client: Client,
    bot: Bot,
    fake_wecom: FakeWeCom,
    clock: ManualClock,
) -> None:
    first = await post(client, message("m-1", fake_wecom.response_url()))
    assert first is not None
    sid = first["stream"]["id"]
    clock.advance(timedelta(seconds=20))
    await bot.worker.drain()
    assert await bot.dispatcher.drain() == 0  # handed over; WeCom never refreshes again
    clock.advance(timedelta(minutes=6))
    assert await post(client, refresh(sid)) == {
        "msgtype": "stream",
        "stream": {"id": sid, "finish": True, "content": ""},
    }
    assert await bot.dispatcher.drain() == 1
    ((body),) = fake_wecom.delivered("aibot/response")
    assert body == {"msgtype": "markdown", "markdown": {"content": templates.HELP}}
    assert (await outbox(bot))[0].payload["wecom"]["route"] == "aibot"


async def test_a_fourth_message_in_flight_is_acked_empty_and_answered_by_response_url(
    client: Client,
    bot: Bot,
    fake_wecom: FakeWeCom,
) -> None:
    frames = [await post(client, message(f"m-{i}", fake_wecom.response_url())) for i in range(4)]
    assert [f is not None for f in frames] == [True, True, True, False]  # at most 3 per user in flight
    assert await post(client, message("m-x", fake_wecom.response_url(), user="wangwei")) is not None  # per user
    await bot.worker.drain()
    await bot.dispatcher.drain()
    rows = await outbox(bot)
    assert [r.status for r in rows] == ["pending", "pending", "pending", "sent", "pending"]
    assert rows[3].payload["wecom"]["route"] == "aibot" and len(fake_wecom.delivered("aibot/response")) == 1


async def test_an_idle_stream_finishes_and_the_late_reply_uses_response_url(
    client: Client,
    bot: Bot,
    fake_wecom: FakeWeCom,
    clock: ManualClock,
) -> None:
    first = await post(client, message("m-1", fake_wecom.response_url()))
    assert first is not None
    sid = first["stream"]["id"]
    clock.advance(timedelta(seconds=30))
    assert await post(client, refresh(sid)) == {
        "msgtype": "stream",
        "stream": {"id": sid, "finish": True, "content": IDLE_TEXT},
    }
    await bot.worker.drain()
    assert await bot.dispatcher.drain() == 1
    assert fake_wecom.delivered("aibot/response") == [{"msgtype": "markdown", "markdown": {"content": templates.HELP}}]
