"""The DingTalk HTTP callbacks on a real database: signed headers (D3, V2 look-alike), field mapping, msgId
dedup, card clicks as actions, and the encrypted event subscription (V1)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient
from sqlalchemy import select

from bot.app import Bot, build_web_app, create_bot
from bot.channels.dingtalk.channel import DingTalkChannel, build_channel
from bot.channels.dingtalk.settings import DingTalkSettings
from bot.channels.dingtalk.signing import hmac_sha256_base64, robot_sign
from bot.channels.wecom.crypto import WeComCrypto
from bot.clock import ManualClock
from config.rules import Rules
from config.settings import Settings
from storage.db import create_engine
from storage.models import InboxMessage
from tests.fakes.dingtalk_server import card_click, robot_message, signed_headers

D3_T = 1700000000000
D3_SECRET = "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6A7B8C9D0E1F2"
D3_SIGN = "5l/1TSrPJ7SAQGjIXcYjeN7OXJNPntKzLn3o2IZ1Av4="
V1 = {
    "token": "mryue",
    "aes_key": "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7",
    "app_key": "ding6ccabc44d2c8d38b",
    "msg_signature": "03044561471240d4a14bb09372dfcfd4fd0e40cb",
    "timestamp": "1608001896814",
    "nonce": "WL4PK6yA",
    "encrypt": "0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZe"
    "Kju4yhELOFchzNukR+t8SB/qk4ROMu3",
}
SESSION = "https://oapi.dingtalk.com/robot/sendBySession?session=3dc9981636af125faaf72220d6242ff7"


def _ms(clock: ManualClock) -> int:
    return int(clock.now().timestamp() * 1000)


@pytest.fixture
async def client(
    bot: Bot, clock: ManualClock, aiohttp_client: AiohttpClient
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    clock.set(datetime.fromtimestamp(D3_T / 1000, UTC))
    settings = DingTalkSettings(
        app_key=V1["app_key"],
        app_secret=D3_SECRET,
        robot_code="dingrobot",
        event_token=V1["token"],
        event_aes_key=V1["aes_key"],
    )
    bot.channels.append(DingTalkChannel(bot, settings))
    yield await aiohttp_client(build_web_app(bot, run_workers=False))


def _message(clock: ManualClock, msg_id: str = "msg-1", **kw: object) -> dict[str, object]:
    values: dict[str, object] = {
        "msg_id": msg_id,
        "text": "接单 #7",
        "create_at": _ms(clock),
        "session_webhook": SESSION,
        "expires_at": _ms(clock) + 5_400_000,
        "staff_id": "staff-wang",
        "nick": "王建国",
    }
    values.update(kw)
    return robot_message(**values)  # type: ignore[arg-type]


async def _inbox(bot: Bot) -> list[InboxMessage]:
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(InboxMessage).order_by(InboxMessage.id))).all())


async def test_d3_golden_headers_are_accepted_at_the_endpoint(
    client: TestClient[web.Request, web.Application], bot: Bot, clock: ManualClock
) -> None:
    headers = {"timestamp": str(D3_T), "sign": D3_SIGN, "Content-Type": "application/json"}
    resp = await client.post("/dingtalk/robot", data=json.dumps(_message(clock)), headers=headers)
    assert resp.status == 200
    assert await resp.json() == {"msgtype": "empty"}
    assert [m.message_id for m in await _inbox(bot)] == ["msg-1"]


@pytest.mark.parametrize("drop", ["timestamp", "sign"])
async def test_missing_headers_are_a_400_and_nothing_is_stored(
    client: TestClient[web.Request, web.Application], bot: Bot, clock: ManualClock, drop: str
) -> None:
    headers = signed_headers(D3_T, D3_SECRET)
    del headers[drop]
    resp = await client.post("/dingtalk/robot", data=json.dumps(_message(clock)), headers=headers)
    assert resp.status == 400
    assert await _inbox(bot) == []


@pytest.mark.parametrize(
    ("timestamp", "sign"),
    [
        (D3_T, robot_sign(D3_T, D3_SECRET + "x")),  # wrong secret
        (D3_T - 3_600_001, robot_sign(D3_T - 3_600_001, D3_SECRET)),  # genuine but stale
        (D3_T + 3_600_001, robot_sign(D3_T + 3_600_001, D3_SECRET)),  # from the future
        (D3_T, hmac_sha256_base64(D3_SECRET, str(D3_T))),  # the V2 免登 look-alike: no "\n" + secret
        (D3_T, "5l%2F1TSrPJ7SAQGjIXcYjeN7OXJNPntKzLn3o2IZ1Av4%3D"),  # URL-encoded: B1 headers are raw
    ],
    ids=["wrong-secret", "stale", "future", "v2-look-alike", "url-encoded"],
)
async def test_bad_or_stale_sign_is_a_403_and_nothing_is_stored(
    client: TestClient[web.Request, web.Application], bot: Bot, clock: ManualClock, timestamp: int, sign: str
) -> None:
    headers = {"timestamp": str(timestamp), "sign": sign, "Content-Type": "application/json"}
    resp = await client.post("/dingtalk/robot", data=json.dumps(_message(clock)), headers=headers)
    assert resp.status == 403
    assert await _inbox(bot) == []


async def test_the_window_edge_is_accepted(
    client: TestClient[web.Request, web.Application], bot: Bot, clock: ManualClock
) -> None:
    old = D3_T - 3_600_000
    resp = await client.post(
        "/dingtalk/robot", data=json.dumps(_message(clock)), headers=signed_headers(old, D3_SECRET)
    )
    assert resp.status == 200


async def test_fields_map_to_the_neutral_message(
    client: TestClient[web.Request, web.Application], bot: Bot, clock: ManualClock
) -> None:
    bodies = [
        _message(clock, "g-1", text="转派 #7 @赵志刚", at_staff=("staff-zhao",), conversation_id="cidPolice"),
        _message(clock, "g-2", text="大家好", in_at_list=False, conversation_id="cidPolice"),
        _message(clock, "d-1", text="我的待办", group=False, conversation_id="cidDirect"),
    ]
    for body in bodies:
        resp = await client.post("/dingtalk/robot", data=json.dumps(body), headers=signed_headers(D3_T, D3_SECRET))
        assert resp.status == 200
    at_group, chatter, direct = await _inbox(bot)
    assert (at_group.platform, at_group.chat_id, at_group.chat_kind) == ("dingtalk", "cidPolice", "group")
    assert (at_group.sender_id, at_group.sender_name, at_group.text) == ("staff-wang", "王建国", "转派 #7 @赵志刚")
    assert at_group.payload["addressed"] is True
    assert at_group.payload["mentions"] == ["staff-zhao"]  # the robot's own @ is not a mention
    assert at_group.payload["reply"]["sessionWebhook"] == SESSION
    assert at_group.payload["reply"]["sessionWebhookExpiredTime"] == D3_T + 5_400_000
    assert at_group.sent_at == datetime.fromtimestamp(D3_T / 1000, UTC)
    assert chatter.payload["addressed"] is False
    assert (direct.chat_kind, direct.chat_id, direct.payload["addressed"]) == ("direct", "cidDirect", True)


async def test_a_redelivered_msg_id_is_stored_once(
    client: TestClient[web.Request, web.Application], bot: Bot, clock: ManualClock
) -> None:
    body = json.dumps(_message(clock, "dup-1"))
    for _ in range(3):
        resp = await client.post("/dingtalk/robot", data=body, headers=signed_headers(D3_T, D3_SECRET))
        assert resp.status == 200
    assert len(await _inbox(bot)) == 1


async def test_a_malformed_body_is_a_400(client: TestClient[web.Request, web.Application], bot: Bot) -> None:
    for body in ("not json", json.dumps({"msgtype": "text"})):
        resp = await client.post("/dingtalk/robot", data=body, headers=signed_headers(D3_T, D3_SECRET))
        assert resp.status == 400
    assert await _inbox(bot) == []


async def test_an_http_card_click_is_an_action_and_the_card_shows_it(
    client: TestClient[web.Request, web.Application], bot: Bot
) -> None:
    click = card_click("jw-unknown", "staff-wang", "accept", {"action": "接单", "code": "7"})
    click |= {"spaceType": "IM_GROUP", "spaceId": "cidPolice"}
    resp = await client.post("/dingtalk/card", data=json.dumps(click), headers=signed_headers(D3_T, D3_SECRET))
    assert resp.status == 200
    assert (await resp.json())["cardData"]["cardParamMap"]["status"] == "已收到「接单」，处理中…"
    unsigned = await client.post("/dingtalk/card", data=json.dumps(click))
    assert unsigned.status == 400
    (row,) = await _inbox(bot)
    assert (row.kind, row.chat_id, row.chat_kind, row.sender_id, row.text) == (
        "action",
        "cidPolice",
        "group",
        "staff-wang",
        "",
    )
    assert (row.payload["action"], row.payload["action_code"]) == ("接单", "7")
    assert row.payload["reply"] == {"outTrackId": "jw-unknown"}


async def test_v1_event_subscription_check_url(client: TestClient[web.Request, web.Application]) -> None:
    query = {k: V1[k] for k in ("msg_signature", "timestamp", "nonce")}
    resp = await client.post("/dingtalk/event", params=query, json={"encrypt": V1["encrypt"]})
    assert resp.status == 200
    reply = await resp.json()
    assert (reply["timeStamp"], reply["nonce"]) == (V1["timestamp"], V1["nonce"])
    crypto = WeComCrypto(V1["token"], V1["aes_key"], V1["app_key"])
    assert crypto.decrypt(reply["msg_signature"], reply["timeStamp"], reply["nonce"], reply["encrypt"]) == b"success"
    forged = await client.post("/dingtalk/event", params=query | {"nonce": "WL4PK6yB"}, json={"encrypt": V1["encrypt"]})
    assert forged.status == 403


async def test_logs_hold_no_secret_session_or_phone(
    client: TestClient[web.Request, web.Application], clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.INFO, logger="aiohttp")
    body = json.dumps(_message(clock, "p-1", text="报告 张三电话13800138123"))
    await client.post("/dingtalk/robot", data=body, headers=signed_headers(D3_T, D3_SECRET))
    await client.post("/dingtalk/robot", data=body, headers={"timestamp": str(D3_T), "sign": "forged"})
    clock.advance(timedelta(hours=2))
    await client.post("/dingtalk/robot", data=body, headers=signed_headers(D3_T, D3_SECRET))
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("bot", "aiohttp")))
    assert "refused (403): BadSignature" in ours and "refused (403): StaleTimestamp" in ours
    for secret in (D3_SECRET, "3dc9981636af125faaf72220d6242ff7", "13800138123"):
        assert secret not in ours


async def test_an_inbox_that_cannot_be_written_is_a_503_so_dingtalk_retries(
    tmp_path: Path, clock: ManualClock, rules: Rules, aiohttp_client: AiohttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}")  # a real database, no tables
    settings = Settings(database_url=str(engine.url), auto_migrate=False)
    broken = await create_bot(settings, clock=clock, rules=rules, engine=engine)
    clock.set(datetime.fromtimestamp(D3_T / 1000, UTC))
    broken.channels.append(DingTalkChannel(broken, DingTalkSettings(app_key="k", app_secret=D3_SECRET)))
    client = await aiohttp_client(build_web_app(broken, run_workers=False))
    body = json.dumps(_message(clock, "m-503", text="报告 电话13800138123"))
    resp = await client.post("/dingtalk/robot", data=body, headers=signed_headers(D3_T, D3_SECRET))
    assert resp.status == 503
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert "not stored (OperationalError)" in ours and "13800138123" not in ours
    await broken.close()  # disposes the engine, too


def test_build_channel_reads_the_environment(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("APP_KEY", "APP_SECRET", "ROBOT_CODE", "MODE", "CUSTOM_ROBOTS"):
        monkeypatch.delenv(f"JINGWU_DINGTALK_{name}", raising=False)
    assert build_channel(bot) is None
    robots = '{"cidVillage": {"webhook": "https://oapi.dingtalk.com/robot/send?access_token=t", "secret": "SECx"}}'
    monkeypatch.setenv("JINGWU_DINGTALK_CUSTOM_ROBOTS", robots)
    only_custom = build_channel(bot)
    assert only_custom is not None and only_custom.routes() == [] and only_custom.stream is None
    assert only_custom.settings.custom_robots["cidVillage"].secret is not None
    monkeypatch.setenv("JINGWU_DINGTALK_APP_KEY", "dingappkey")
    monkeypatch.setenv("JINGWU_DINGTALK_APP_SECRET", "s3cr3t-value")
    monkeypatch.setenv("JINGWU_DINGTALK_ROBOT_CODE", "dingrobot")
    monkeypatch.setenv("JINGWU_DINGTALK_MODE", "stream")
    channel = build_channel(bot)
    assert channel is not None and channel.stream is not None and channel.settings.robot == "dingrobot"
    assert sorted(r.path for r in channel.routes()) == ["/dingtalk/card", "/dingtalk/robot"]
    assert "s3cr3t-value" not in repr(channel.settings) and "access_token" not in repr(channel.settings)
