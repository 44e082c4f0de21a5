"""The outbox through the WeCom sender against the local fake WeCom: request shapes, tokens, limits, retries."""

# ruff: noqa: F811 - the fixtures imported below are redefined as test parameters

from __future__ import annotations

import asyncio
import logging
import os
import sys
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import Bot, build_web_app
from bot.channels.wecom.channel import WeComChannel
from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.render import split_utf8
from bot.clock import ManualClock
from storage.models import OutboxMessage
from storage.models_wecom import WeComReplyClaim
from tests.fakes.wecom_server import (
    APP_AES_KEY,
    APP_TOKEN,
    POLICE_CHAT,
    FakeWeCom,
    fake_wecom,  # noqa: F401 - a fixture
    signed_callback,
    wecom,  # noqa: F401 - a fixture
)

Client = TestClient[web.Request, web.Application]

BUTTONS = [
    {"label": "接单", "action": "接单", "code": "7", "args": ""},
    {"label": "反馈", "action": "反馈", "code": "7", "args": ""},
]
DISPATCH = "\n".join(
    [
        "【派单】JF-20261123-0007｜🔴红色｜邻里纠纷",
        "@赵志刚 请在 11-23 10:30 前接单",
        "地点：阳光社区3栋",
        "当事人：王女士、陈某｜电话：138****8123",
        "摘要：楼上漏水，楼下王女士和楼上陈某吵起来了",
        "回复「接单 #7」接单，「反馈 #7 已化解 说明」反馈结果。",
    ]
)


async def queue(bot: Bot, text: str, **kw: Any) -> int:
    now = bot.clock.now()
    payload = {"title": kw.pop("title", None), "mentions": kw.pop("mentions", []), "buttons": kw.pop("buttons", [])}
    values: dict[str, Any] = {"platform": "wecom", "kind": "text", "template": "test", "inbox_id": None}
    values.update(kw)
    row = OutboxMessage(
        text=text, payload=payload, status="pending", attempts=0, next_attempt_at=now, created_at=now, **values
    )
    async with bot.uow_factory() as uow:
        await uow.outbox.add(row)
        await uow.commit()
        return row.id


async def outbox(bot: Bot) -> list[OutboxMessage]:
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def later(bot: Bot, clock: ManualClock, seconds: float) -> int:
    clock.advance(timedelta(seconds=seconds))
    return await bot.dispatcher.drain()


# ---- access token ---------------------------------------------------------------------------------------------


async def test_one_token_for_concurrent_calls_refreshed_before_expiry(
    wecom: WeComChannel, fake_wecom: FakeWeCom, clock: ManualClock
) -> None:
    body = {"touser": "wangwei", "agentid": fake_wecom.agent_id, "msgtype": "text", "text": {"content": "你好"}}
    await asyncio.gather(*(wecom.client.send_message(body) for _ in range(10)))
    assert fake_wecom.count("gettoken") == 1 and len(fake_wecom.delivered("message/send")) == 10
    clock.advance(timedelta(seconds=7200 - 300 - 1))
    await wecom.client.send_message(body)
    assert fake_wecom.count("gettoken") == 1  # still fresh
    clock.advance(timedelta(seconds=2))
    await wecom.client.send_message(body)
    assert fake_wecom.count("gettoken") == 2  # refreshed 300 s before expiry, not after a failure
    assert [c.errcode for c in fake_wecom.calls if c.api == "message/send"] == [0] * 12


@pytest.mark.parametrize("errcode", [40014, 42001, 42007, 42009])
async def test_token_errors_refresh_once_and_retry(wecom: WeComChannel, fake_wecom: FakeWeCom, errcode: int) -> None:
    body = {"touser": "wangwei", "agentid": fake_wecom.agent_id, "msgtype": "text", "text": {"content": "你好"}}
    await wecom.client.send_message(body)
    fake_wecom.fail("message/send", errcode)
    await asyncio.gather(*(wecom.client.send_message(body) for _ in range(5)))
    assert fake_wecom.count("gettoken") == 2  # one refresh for all five, single flight
    assert len(fake_wecom.delivered("message/send")) == 6


async def test_an_early_expired_token_is_refreshed(wecom: WeComChannel, fake_wecom: FakeWeCom, bot: Bot) -> None:
    await queue(bot, "一", user_id="wangwei")
    await bot.dispatcher.drain()
    fake_wecom.expire_tokens()  # the server answers 42001 from now on
    await queue(bot, "二", user_id="wangwei")
    assert await bot.dispatcher.drain() == 1
    assert [c.errcode for c in fake_wecom.calls if c.api == "message/send"] == [0, 42001, 0]
    assert fake_wecom.count("gettoken") == 2


# ---- message/send, update_template_card, appchat, webhook: the real shapes ---------------------------------


async def test_app_text_markdown_and_button_card(wecom: WeComChannel, fake_wecom: FakeWeCom, bot: Bot) -> None:
    await queue(bot, "您有一条待办", user_id="zhaozhigang")
    await queue(bot, "**待办** 1 条", user_id="zhaozhigang", kind="markdown")
    card_id = await queue(bot, DISPATCH, user_id="zhaozhigang", buttons=BUTTONS)
    short_id = await queue(bot, "新纠纷待接单\n阳光社区漏水纠纷", user_id="zhaozhigang", buttons=BUTTONS[:1])
    assert await bot.dispatcher.drain() == 4
    sent = fake_wecom.delivered("message/send")
    assert sent[0] == {
        "touser": "zhaozhigang",
        "agentid": 1000002,
        "msgtype": "text",
        "text": {"content": "您有一条待办"},
        "safe": 0,
    }
    assert sent[1]["msgtype"] == "markdown" and sent[1]["markdown"] == {"content": "**待办** 1 条"}
    # the long dispatch notice: the full text first, then the card (whose text fields would cut it)
    assert sent[2]["text"]["content"] == DISPATCH
    card = sent[3]["template_card"]
    assert (
        card["card_type"] == "button_interaction"
        and card["main_title"]["title"] == "【派单】JF-20261123-0007｜🔴红色｜邻里纠纷"
    )
    assert card["task_id"].startswith(f"jw{card_id}_")
    assert [(b["text"], b["key"]) for b in card["button_list"]] == [("接单", "接单|7|"), ("反馈", "反馈|7|")]
    # a short one is the card alone
    short = sent[4]["template_card"]
    assert short["task_id"].startswith(f"jw{short_id}_") and short["sub_title_text"] == "阳光社区漏水纠纷"
    assert len(sent) == 5


async def test_click_updates_the_card_once_and_replies(
    wecom: WeComChannel, fake_wecom: FakeWeCom, bot: Bot, aiohttp_client: Any
) -> None:
    client: Client = await aiohttp_client(build_web_app(bot, run_workers=False))
    crypto = WeComCrypto(APP_TOKEN, APP_AES_KEY, fake_wecom.corp_id)
    code = fake_wecom.click_code()
    xml = (
        f"<xml><ToUserName>{fake_wecom.corp_id}</ToUserName><FromUserName>zhaozhigang</FromUserName>"
        "<CreateTime>1700000001</CreateTime><MsgType>event</MsgType><Event>template_card_event</Event>"
        "<EventKey><![CDATA[接单|7|]]></EventKey><TaskId>jw1_1700000000</TaskId>"
        f"<CardType>button_interaction</CardType><ResponseCode>{code}</ResponseCode><AgentID>1000002</AgentID></xml>"
    )
    query, body = signed_callback(crypto, xml.encode(), xml=True)
    for _ in range(3):  # delivered three times
        assert (await client.post("/wecom/app", params=query, data=body)).status == 200
    await bot.worker.drain()
    (reply,) = await outbox(bot)
    assert reply.user_id == "zhaozhigang" and reply.inbox_id is not None
    second = await queue(bot, "另一条回复", user_id="zhaozhigang", inbox_id=reply.inbox_id)  # same click, 2nd row
    assert await bot.dispatcher.drain() == 2
    (update,) = fake_wecom.delivered("message/update_template_card")
    assert update == {
        "userids": ["zhaozhigang"],
        "agentid": 1000002,
        "response_code": code,
        "button": {"replace_name": "已处理"},
    }
    assert fake_wecom.response_codes[code] is True
    texts = [b["text"]["content"] for b in fake_wecom.delivered("message/send")]
    assert texts == [reply.text, "另一条回复"]  # the handler's answer (a refusal here), then the 2nd row
    async with bot.uow_factory() as uow:
        claims = list((await uow.session.scalars(select(WeComReplyClaim))).all())
    assert [(c.kind, c.outbox_id) for c in claims] == [("response_code", reply.id)]
    assert (await outbox(bot))[1].payload["wecom"]["card"] == "skipped" and second


async def test_appchat_and_webhook_shapes(wecom: WeComChannel, fake_wecom: FakeWeCom, bot: Bot) -> None:
    await queue(bot, "群通知", chat_id="appchat01")
    await queue(bot, DISPATCH, chat_id=POLICE_CHAT, mentions=["zhaozhigang", "13800138000"], buttons=BUTTONS)
    await queue(bot, "**周报**\n化解率 97%", chat_id=POLICE_CHAT, kind="markdown", mentions=["zhaozhigang"])
    await queue(bot, "请核实", chat_id=POLICE_CHAT, buttons=[{"label": "查", "action": "查", "code": "7", "args": ""}])
    assert await bot.dispatcher.drain() == 4
    assert fake_wecom.delivered("appchat/send") == [
        {"chatid": "appchat01", "msgtype": "text", "text": {"content": "群通知"}, "safe": 0}
    ]
    hooks = fake_wecom.delivered("webhook/send")
    assert hooks[0] == {  # the notice already says what to type, so no hint is added
        "msgtype": "text",
        "text": {"content": DISPATCH, "mentioned_list": ["zhaozhigang"], "mentioned_mobile_list": ["13800138000"]},
    }
    assert hooks[1] == {"msgtype": "markdown", "markdown": {"content": "**周报**\n化解率 97%\n<@zhaozhigang>"}}
    assert hooks[2]["text"]["content"] == "请核实\n请 @警务助手 回复：「查 #7」"  # cards cannot be clicked here
    assert all(c.query["key"] == "key-police" for c in fake_wecom.calls if c.api == "webhook/send")


# ---- splitting: 2048 / 4096 bytes on line ends, nothing lost, no part sent twice ---------------------------------


async def test_long_text_and_markdown_are_split_not_truncated(
    wecom: WeComChannel, fake_wecom: FakeWeCom, bot: Bot
) -> None:
    text = "\n".join(f"第{i}行：阳光社区矛盾纠纷排查情况记录" for i in range(150))  # ~7.5 kB
    await queue(bot, text, chat_id=POLICE_CHAT)
    await queue(bot, text + "\n" + text, chat_id=POLICE_CHAT, kind="markdown")
    await bot.dispatcher.drain()
    texts = [b["text"]["content"] for b in fake_wecom.delivered("webhook/send") if b["msgtype"] == "text"]
    marks = [b["markdown"]["content"] for b in fake_wecom.delivered("webhook/send") if b["msgtype"] == "markdown"]
    assert len(text.encode()) > 3 * 2048 and len(texts) == len(split_utf8(text, 2048)) == 5
    assert len(marks) == len(split_utf8(text + "\n" + text, 4096)) == 4
    assert all(len(t.encode()) <= 2048 for t in texts) and all(len(m.encode()) <= 4096 for m in marks)
    assert "\n".join(texts) == text and "\n".join(marks) == text + "\n" + text


async def test_a_failed_later_part_does_not_resend_delivered_parts(
    wecom: WeComChannel, fake_wecom: FakeWeCom, bot: Bot, clock: ManualClock
) -> None:
    text = "\n".join(f"第{i}行：阳光社区矛盾纠纷排查情况记录" for i in range(150))
    row_id = await queue(bot, text, chat_id=POLICE_CHAT)
    real_webhook = wecom.client.webhook_send
    calls = 0

    async def second_part_fails(key: str, body: dict[str, Any]) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 3:
            fake_wecom.fail_http("webhook/send", 502)
        return await real_webhook(key, body)

    wecom.client.webhook_send = second_part_fails  # type: ignore[method-assign,assignment]
    assert await bot.dispatcher.drain() == 0
    (row,) = await outbox(bot)
    assert row.status == "pending" and row.payload["wecom"] == {"route": "webhook", "done": 2} and row.attempts == 1
    assert await later(bot, clock, bot.settings.outbox_backoff_seconds) == 1
    parts = [b["text"]["content"] for b in fake_wecom.delivered("webhook/send")]
    assert len(parts) == 5 and len(set(parts)) == 5 and "\n".join(parts) == text
    assert [c.errcode for c in fake_wecom.calls if c.api == "webhook/send"] == [0, 0, -2, 0, 0, 0]
    assert row_id == row.id


# ---- limits: 20 a minute per robot, 45009, dead letters ----------------------------------------------------------


async def test_twenty_a_minute_per_robot_without_using_up_tries(
    wecom: WeComChannel, fake_wecom: FakeWeCom, bot: Bot, clock: ManualClock
) -> None:
    for i in range(45):
        await queue(bot, f"通知{i}", chat_id=POLICE_CHAT)
    assert await bot.dispatcher.drain() == 20
    rows = await outbox(bot)
    assert [r.status for r in rows].count("pending") == 25 and {r.attempts for r in rows if r.status == "pending"} == {
        0
    }
    assert await later(bot, clock, 30) == 0  # the window has not moved yet
    assert await later(bot, clock, 31) == 20
    assert await later(bot, clock, 61) == 5
    assert [c.errcode for c in fake_wecom.calls] == [0] * 45  # never a 45009
    assert [b["text"]["content"] for b in fake_wecom.delivered("webhook/send")] == [f"通知{i}" for i in range(45)]


async def test_45009_backs_off_and_then_delivers(
    wecom: WeComChannel, fake_wecom: FakeWeCom, bot: Bot, clock: ManualClock
) -> None:
    fake_wecom.fail("webhook/send", 45009)  # another process used up this minute
    await queue(bot, "通知", chat_id=POLICE_CHAT)
    await queue(bot, "通知2", chat_id=POLICE_CHAT)
    assert await bot.dispatcher.drain() == 0
    first, second = await outbox(bot)
    assert first.last_error is not None and "45009" in first.last_error and second.attempts == 0
    assert first.next_attempt_at == clock.now() + timedelta(seconds=60)
    assert await later(bot, clock, 59) == 0 and fake_wecom.count("webhook/send") == 1  # resting, nothing sent
    assert await later(bot, clock, 1) == 2


async def test_errors_that_retrying_cannot_mend_are_dead_letters_at_once(
    wecom: WeComChannel, fake_wecom: FakeWeCom, bot: Bot
) -> None:
    wecom.settings.webhooks["wrkGONE"] = SecretStr("removed-key")
    await queue(bot, "通知", chat_id="wrkGONE")  # 93000 invalid webhook url
    await queue(bot, "通知", chat_id="wrkUNMAPPED")  # no route configured
    await queue(bot, "通知", user_id="not-in-visible-range")  # 81013
    await bot.dispatcher.drain()
    rows = await outbox(bot)
    assert [r.status for r in rows] == ["dead"] * 3 and [r.attempts for r in rows] == [1, 1, 1]
    assert "93000" in (rows[0].last_error or "") and "wrkUNMAPPED" in (rows[1].last_error or "")
    assert "81013" in (rows[2].last_error or "")


async def jingwu(bot: Bot, *args: str) -> str:
    """Run the `jingwu` CLI (python -m bot) against the test's SQLite database; return its stdout."""
    env = {**os.environ, "JINGWU_DATABASE_URL": bot.settings.database_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def test_after_n_tries_a_dead_letter_that_the_cli_lists_and_resends(
    wecom: WeComChannel, fake_wecom: FakeWeCom, bot: Bot, clock: ManualClock, db_kind: str
) -> None:
    n = bot.settings.outbox_max_attempts
    fake_wecom.fail_http("webhook/send", 502, times=n)
    row_id = await queue(bot, "派单通知", chat_id=POLICE_CHAT)
    for _ in range(n):
        await later(bot, clock, 3600)
    (row,) = await outbox(bot)
    assert (row.status, row.attempts, row.last_error) == ("dead", n, "webhook/send: HTTP 502")
    if db_kind == "sqlite":  # the real CLI on the same database file
        listed = await jingwu(bot, "outbox", "list", "--dead")
        assert listed.splitlines() == [f"{row_id}\tdead\twecom:{POLICE_CHAT}\t{n}\twebhook/send: HTTP 502"]
        assert (await jingwu(bot, "outbox", "resend", str(row_id))).strip() == "已重新排队"
        (row,) = await outbox(bot)  # the CLI queued it at the wall clock's now; the test runs on its own clock
        clock.set(max(clock.now(), row.next_attempt_at))
    else:
        async with bot.uow_factory() as uow:
            assert [r.id for r in await uow.outbox.find(status="dead")] == [row_id]
        assert await bot.dispatcher.resend(row_id)
    assert await bot.dispatcher.drain() == 1
    assert [b["text"]["content"] for b in fake_wecom.delivered("webhook/send")] == ["派单通知"]


async def test_60020_untrusted_ip_is_retried_and_logged_without_secrets(
    wecom: WeComChannel, fake_wecom: FakeWeCom, bot: Bot, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_wecom.ip_allowed = False
    await queue(bot, "您有一条待办", user_id="wangwei")
    assert await bot.dispatcher.drain() == 0
    (row,) = await outbox(bot)
    assert row.status == "pending" and "60020" in (row.last_error or "")
    assert row.next_attempt_at == clock.now() + timedelta(seconds=300)
    assert "企业可信IP" in caplog.text
    fake_wecom.ip_allowed = True  # the admin added the server's IP
    assert await later(bot, clock, 300) == 1
    await queue(bot, "通知", chat_id=POLICE_CHAT)
    await bot.dispatcher.drain()
    tokens = list(fake_wecom.tokens)
    for secret in (fake_wecom.secret, "key-police", APP_AES_KEY, APP_TOKEN, *tokens):
        assert secret not in caplog.text
