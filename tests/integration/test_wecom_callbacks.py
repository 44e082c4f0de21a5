"""/wecom/bot and /wecom/app over real HTTP: verify, decrypt, persist, ack; dedup; refusals; the vectors end to end."""

# ruff: noqa: F811 - the fixtures imported below are redefined as test parameters

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import yarl
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import Bot, build_web_app
from bot.channels.wecom.channel import WeComChannel
from bot.channels.wecom.crypto import WeComCrypto
from bot.inbox_batch import InboxBatcher
from bot.messages import InboundMessage
from storage.models import InboxMessage
from tests.conftest import START
from tests.fakes.wecom_server import (
    APP_AES_KEY,
    APP_CORP_ID,
    APP_TOKEN,
    BOT_AES_KEY,
    BOT_TOKEN,
    FakeWeCom,
    attach,
    fake_wecom,  # noqa: F401 - a fixture
    signed_callback,
    wecom_settings,
)

Client = TestClient[web.Request, web.Application]

# PROTOCOLS A3 X1 (智能机器人 POST) and X2 (GET), receive id "".
X1_QUERY = {
    "msg_signature": "1e97f6f0187f029a1b1739e601750c90a5a76db4",
    "timestamp": "1409659813",
    "nonce": "1372623149",
}
X1_ENCRYPT = (
    "y514aRT8yYkYNee3kPvkrFfNP6QJhOJjJyKnjo25xNUCWRi/GOyybm22C5asmYjRRAxEBRDczW+TUMA1iRKACVskZSTdS3fNAzk3xOEACb7X"
    "3NRyRu3KdS1rcFR6RddHL/X3rQ6RAMja45Pfzuh2nj1PzrEYW6PlfcyVlvp4c5EssOwWMTYM1/oMZq5lPB+7r0Ff+/kfspd6LkaFFYdXQKHD4bG"
    "CDsyq/58xUPhUcogDd9ljxSlHkIeccVH1q3a6SrUL8wLlVI4cy7H8c8yupQQNjDY3AYMLfrjXDrW4lHL4FHgl7UWVfcG2xbXSyCWgHpBt2tvn4J"
    "7hh6mqUfoJ2Q=="
)
X2_ECHOSTR = "y514aRT8yYkYNee3kPvkrP0PKxILLkCwDviFQRkbFSPy/rdjbmr1P4E6i++ixo3ZiZpVHwxw3bnczc+p0Kj/EQ=="
X2_QUERY = {
    "msg_signature": "1d921cacbcf9c36da15d6c7bdc31bc24ef6f9d21",
    "timestamp": "1409659589",
    "nonce": "263014780",
}
# T1 (app GET) and T2 (app POST), receive id ww1436e0e65a779aee.
T1_QUERY = {"msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "timestamp": "1476416373", "nonce": "47744683"}
T1_ECHOSTR = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
T2_QUERY = {
    "msg_signature": "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
    "timestamp": "1476422779",
    "nonce": "1597212914",
}
T2_ENCRYPT = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2"
    "AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8"
    "KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQ"
    "DCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
)
T2_BODY = (
    "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n"
    f"<Encrypt><![CDATA[{T2_ENCRYPT}]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>"
).encode()

BOT_CRYPTO = WeComCrypto(BOT_TOKEN, BOT_AES_KEY, "")
APP_CRYPTO = WeComCrypto(APP_TOKEN, APP_AES_KEY, "ww1436e0e65a779aee")


@pytest.fixture
async def app_channel(bot: Bot, fake_wecom: FakeWeCom) -> AsyncIterator[WeComChannel]:
    """The channel with the T-vector corp id, so that T1/T2 pass the receive-id check."""
    channel = attach(bot, wecom_settings(fake_wecom, corp_id="ww1436e0e65a779aee"))
    yield channel
    await channel.close()


@pytest.fixture
async def client(bot: Bot, app_channel: WeComChannel, aiohttp_client: Any) -> Client:
    return await aiohttp_client(build_web_app(bot, run_workers=False))  # type: ignore[no-any-return]


async def inbox(bot: Bot) -> list[InboxMessage]:
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(InboxMessage).order_by(InboxMessage.id))).all())


def bot_message(msgid: str, text: str, *, chat: str = "wrkGROUP01", user: str = "resident1", **extra: Any) -> bytes:
    body = {
        "msgid": msgid,
        "aibotid": "AIBOTID",
        "chatid": chat,
        "chattype": "group",
        "from": {"userid": user},
        "response_url": extra.pop("response_url", "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=x"),
        "msgtype": "text",
        "text": {"content": f"@警务助手 {text}"},
    }
    body.update(extra)
    return json.dumps(body, ensure_ascii=False).encode()


# ---- GET URL verification ----------------------------------------------------------------------------------


async def test_bot_get_answers_the_x2_plaintext_quickly(client: Client) -> None:
    started = time.perf_counter()
    resp = await client.get("/wecom/bot", params={**X2_QUERY, "echostr": X2_ECHOSTR})
    elapsed = time.perf_counter() - started
    assert resp.status == 200
    assert await resp.read() == b"1616140317555161061"  # no quotes, BOM or newline
    assert resp.content_type == "text/plain"
    assert elapsed < 0.2  # WeCom wants it within 1 s


async def test_app_get_answers_the_t1_plaintext(client: Client) -> None:
    resp = await client.get("/wecom/app", params={**T1_QUERY, "echostr": T1_ECHOSTR})
    assert resp.status == 200 and await resp.read() == b"1288432023552776189"


async def test_literal_plus_in_the_query_decoded_as_space_still_verifies(client: Client) -> None:
    assert "+" in X2_ECHOSTR
    raw = "&".join(f"{k}={v}" for k, v in {**X2_QUERY, "echostr": X2_ECHOSTR}.items())  # '+' left unencoded
    resp = await client.get(yarl.URL(f"/wecom/bot?{raw}", encoded=True))
    assert resp.status == 200 and await resp.text() == "1616140317555161061"


async def test_get_with_a_tampered_nonce_is_403(client: Client) -> None:
    resp = await client.get("/wecom/bot", params={**X2_QUERY, "nonce": "263014781", "echostr": X2_ECHOSTR})
    assert resp.status == 403 and await resp.text() == ""


async def test_get_without_echostr_is_400(client: Client) -> None:
    assert (await client.get("/wecom/app", params=T1_QUERY)).status == 400


# ---- POST: persist, then ack ---------------------------------------------------------------------------------


async def test_x1_vector_is_stored_with_the_mention_stripped(client: Client, bot: Bot) -> None:
    resp = await client.post("/wecom/bot", params=X1_QUERY, data=json.dumps({"encrypt": X1_ENCRYPT}))
    assert resp.status == 200 and await resp.text() == ""
    (row,) = await inbox(bot)
    assert (row.platform, row.message_id, row.chat_id, row.chat_kind) == (
        "wecom",
        "bot:CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=",
        "CHATID",
        "group",
    )
    assert (row.sender_id, row.text, row.kind, row.status) == ("USERID", "hello robot", "text", "pending")
    assert row.payload["reply"] == {"via": "bot", "response_url": "RESPONSEURL"}
    assert row.payload["addressed"] is True


async def test_t2_vector_is_stored_as_a_direct_message(client: Client, bot: Bot) -> None:
    resp = await client.post("/wecom/app", params=T2_QUERY, data=T2_BODY)
    assert resp.status == 200 and await resp.text() == ""
    (row,) = await inbox(bot)
    assert (row.message_id, row.chat_id, row.sender_id, row.chat_kind, row.text) == (
        "app:1456453720",
        "ChenJiaShun",
        "ChenJiaShun",
        "direct",
        "你好",
    )
    assert row.sent_at.timestamp() == 1476422779


async def test_three_deliveries_make_one_inbox_row(client: Client, bot: Bot) -> None:
    query, body = signed_callback(BOT_CRYPTO, bot_message("m-dup", "你好"))
    answers = await asyncio.gather(*(client.post("/wecom/bot", params=query, data=body) for _ in range(3)))
    assert [a.status for a in answers] == [200, 200, 200]
    app_answers = await asyncio.gather(*(client.post("/wecom/app", params=T2_QUERY, data=T2_BODY) for _ in range(3)))
    assert [a.status for a in app_answers] == [200, 200, 200]
    assert [r.message_id for r in await inbox(bot)] == ["bot:m-dup", "app:1456453720"]


# ---- refusals: nothing stored, a clear log line without secrets -------------------------------------------


async def test_bad_signature_is_403_and_stores_nothing(
    client: Client,
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    bad = {**X1_QUERY, "msg_signature": "0" * 40}
    assert (await client.post("/wecom/bot", params=bad, data=json.dumps({"encrypt": X1_ENCRYPT}))).status == 403
    assert (await client.post("/wecom/app", params={**T2_QUERY, "timestamp": "1476422780"}, data=T2_BODY)).status == 403
    assert await inbox(bot) == []
    assert "bad msg_signature" in caplog.text


async def test_wrong_receive_id_is_400_with_a_clear_log_line(
    client: Client,
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    other_corp = WeComCrypto(BOT_TOKEN, BOT_AES_KEY, "wx5823bf96d3bd56c7")  # signed right, for someone else
    query, body = signed_callback(other_corp, bot_message("m-1", "你好"))
    resp = await client.post("/wecom/bot", params=query, data=body)
    assert resp.status == 400 and await resp.text() == ""
    assert await inbox(bot) == []
    assert "wecom bot callback refused (400)" in caplog.text and "receive id mismatch" in caplog.text
    for secret in (BOT_TOKEN, BOT_AES_KEY, json.loads(body)["encrypt"][:20]):
        assert secret not in caplog.text


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'{"encrypt": 5}', b"{}"],
)
async def test_malformed_bot_body_is_400(client: Client, bot: Bot, body: bytes) -> None:
    assert (await client.post("/wecom/bot", params=X1_QUERY, data=body)).status == 400
    assert await inbox(bot) == []


async def test_malformed_app_body_and_missing_query_are_400(client: Client, bot: Bot) -> None:
    assert (await client.post("/wecom/app", params=T2_QUERY, data=b"<xml><Encrypt>")).status == 400
    assert (await client.post("/wecom/app", params=T2_QUERY, data=b"<xml></xml>")).status == 400
    assert (await client.post("/wecom/app", data=T2_BODY)).status == 400
    signed_garbage = signed_callback(APP_CRYPTO, b"<xml><MsgType>text</MsgType></xml>", xml=True)
    assert (await client.post("/wecom/app", params=signed_garbage[0], data=signed_garbage[1])).status == 400
    assert await inbox(bot) == []


async def test_body_over_the_cap_is_413(client: Client, bot: Bot, app_channel: WeComChannel) -> None:
    cap = app_channel.settings.max_body_bytes
    huge = json.dumps({"encrypt": "A" * cap}).encode()
    assert (await client.post("/wecom/bot", params=X1_QUERY, data=huge)).status == 413
    assert await inbox(bot) == []


# ---- events -------------------------------------------------------------------------------------------------


async def test_enter_chat_gets_the_welcome_as_an_encrypted_passive_reply(client: Client, bot: Bot) -> None:
    event = {
        "msgid": "ev-1",
        "create_time": 1700000000,
        "aibotid": "AIBOTID",
        "chattype": "single",
        "from": {"userid": "resident1"},
        "msgtype": "event",
        "event": {"eventtype": "enter_chat"},
    }
    query, body = signed_callback(BOT_CRYPTO, json.dumps(event).encode())
    resp = await client.post("/wecom/bot", params=query, data=body)
    assert resp.status == 200
    envelope = await resp.json()
    assert set(envelope) == {"encrypt", "msgsignature", "timestamp", "nonce"} and envelope["nonce"] == "nonce123"
    plain = BOT_CRYPTO.decrypt(envelope["msgsignature"], envelope["timestamp"], envelope["nonce"], envelope["encrypt"])
    reply = json.loads(plain)
    assert reply["msgtype"] == "text" and reply["text"]["content"].startswith("您好")
    assert await inbox(bot) == []  # nothing to process


async def test_bot_card_click_becomes_the_typed_command(client: Client, bot: Bot) -> None:
    event = {
        "msgid": "ev-click",
        "create_time": 1700000000,
        "aibotid": "AIBOTID",
        "chatid": "wrkGROUP01",
        "chattype": "group",
        "from": {"userid": "zhaozhigang"},
        "response_url": "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=c",
        "msgtype": "event",
        "event": {
            "eventtype": "template_card_event",
            "template_card_event": {"card_type": "button_interaction", "event_key": "回访|7|满意", "task_id": "jw3_1"},
        },
    }
    query, body = signed_callback(BOT_CRYPTO, json.dumps(event, ensure_ascii=False).encode())
    assert (await client.post("/wecom/bot", params=query, data=body)).status == 200
    (row,) = await inbox(bot)
    assert (row.kind, row.text, row.payload["action"], row.payload["action_code"]) == ("action", "满意", "回访", "7")
    assert row.payload["reply"]["task_id"] == "jw3_1"


async def test_app_card_click_redelivered_three_times_is_one_action(client: Client, bot: Bot) -> None:
    xml = (
        "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName><FromUserName><![CDATA[zhaozhigang]]></FromUserName>"
        "<CreateTime>1700000001</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[接单|7|]]></EventKey>"
        "<TaskId><![CDATA[jw3_1700000000]]></TaskId><CardType><![CDATA[button_interaction]]></CardType>"
        "<ResponseCode><![CDATA[RC123]]></ResponseCode><AgentID>1000002</AgentID></xml>"
    )
    query, body = signed_callback(APP_CRYPTO, xml.encode(), xml=True)
    for _ in range(3):
        assert (await client.post("/wecom/app", params=query, data=body)).status == 200
    (row,) = await inbox(bot)
    assert row.message_id == "app:zhaozhigang:1700000001:jw3_1700000000"
    assert (row.kind, row.payload["action"], row.payload["action_code"], row.text) == ("action", "接单", "7", "")
    assert row.payload["reply"]["response_code"] == "RC123"


async def test_a_click_on_a_foreign_card_is_acked_and_ignored(client: Client, bot: Bot) -> None:
    xml = (
        "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>u1</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>event</MsgType><Event>template_card_event</Event><EventKey>key111</EventKey><TaskId>t</TaskId></xml>"
    )
    query, body = signed_callback(APP_CRYPTO, xml.encode(), xml=True)
    assert (await client.post("/wecom/app", params=query, data=body)).status == 200
    assert await inbox(bot) == []


# ---- wiring: the environment, and group commit under load ------------------------------------------------------


async def test_build_channel_reads_the_environment(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.channels.registry import CHANNEL_FACTORIES
    from bot.channels.wecom.channel import build_channel

    assert build_channel in CHANNEL_FACTORIES
    for name in list(os.environ):
        if name.startswith("JINGWU_WECOM_"):
            monkeypatch.delenv(name)
    assert build_channel(bot) is None  # no credentials: the bot runs without WeCom
    monkeypatch.setenv("JINGWU_WECOM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("JINGWU_WECOM_BOT_AES_KEY", BOT_AES_KEY)
    monkeypatch.setenv("JINGWU_WECOM_WEBHOOKS", '{"wrkA": "key-a"}')
    channel = build_channel(bot)
    assert channel is not None
    assert {r.path for r in channel.routes()} == {"/wecom/bot"}
    assert channel.settings.webhook_for("wrkA") == "key-a" and channel.settings.webhook_for("wrkB") is None
    for name, value in {
        "CORP_ID": APP_CORP_ID,
        "APP_TOKEN": APP_TOKEN,
        "APP_AES_KEY": APP_AES_KEY,
        "APP_SECRET": "s",
        "AGENT_ID": "1000002",
    }.items():
        monkeypatch.setenv(f"JINGWU_WECOM_{name}", value)
    channel = build_channel(bot)
    assert channel is not None and {r.path for r in channel.routes()} == {"/wecom/bot", "/wecom/app"}
    assert channel.settings.has_app_api and channel.settings.agent_id == 1000002
    assert repr(channel.settings).count(BOT_AES_KEY) == 0  # secrets stay out of reprs and logs


async def test_a_batch_stores_exactly_what_a_single_accept_stores(bot: Bot, app_channel: WeComChannel) -> None:
    def msg(mid: str) -> InboundMessage:
        return InboundMessage(
            platform="wecom",
            message_id=mid,
            chat_id="wrkGROUP01",
            sender_id="resident1",
            text="你好",
            sent_at=bot.clock.now(),
            reply={"via": "bot", "response_url": "u"},
        )

    batch = [msg("bot:b1"), msg("bot:b2"), msg("bot:b1"), msg("bot:b3")]
    assert await asyncio.gather(*(bot.accept(m) for m in batch)) == [True, True, False, True]
    assert await bot.accept(msg("bot:single")) is True
    again = [msg("bot:b2"), msg("x")]
    assert await asyncio.gather(*(bot.accept(m) for m in again)) == [False, True]
    rows = {r.message_id: r for r in await inbox(bot)}
    assert sorted(rows) == ["bot:b1", "bot:b2", "bot:b3", "bot:single", "x"]
    columns = [c.key for c in InboxMessage.__table__.columns if c.key not in ("id", "message_id")]
    assert {c: getattr(rows["bot:b1"], c) for c in columns} == {c: getattr(rows["bot:single"], c) for c in columns}


async def test_a_database_outage_answers_503_to_each_request_of_the_batch(
    client: Client, bot: Bot, app_channel: WeComChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_arg: object) -> bool:
        raise ConnectionError("database is down")

    monkeypatch.setattr(bot.batcher, "_insert", broken)
    calls = [signed_callback(BOT_CRYPTO, bot_message(f"m-{i}", "你好")) for i in range(6)]
    answers = await asyncio.gather(*(client.post("/wecom/bot", params=q, data=b) for q, b in calls))
    assert [a.status for a in answers] == [503] * 6 and await inbox(bot) == []
    # the same without HTTP timing: three waiting messages make one batch, and all three fail with it
    outcomes = await asyncio.gather(*(bot.accept(_inbound(f"d-{i}")) for i in range(3)), return_exceptions=True)
    assert [type(o) for o in outcomes] == [ConnectionError] * 3


def _inbound(mid: str) -> InboundMessage:
    return InboundMessage(platform="wecom", message_id=mid, chat_id="c", sender_id="u", text="t", sent_at=START)


async def test_a_writer_that_found_nothing_to_store_never_acks_what_arrived_meanwhile(bot: Bot) -> None:
    """Two writers wake for two messages; one stores both and the other finds nothing. A third message arrives
    while the empty writer's statement is on its way back: it must be stored, not acked as a redelivery."""
    late: list[asyncio.Task[bool]] = []
    entered, both_in, back = 0, asyncio.Event(), asyncio.Event()

    class LateArrival(InboxBatcher):
        async def _execute(self, conn: Any, values: Any) -> set[str]:
            nonlocal entered
            entered += 1
            if entered == 2:
                both_in.set()
            await both_in.wait()  # both writers are past their loop's check; one will take both messages
            sizes: list[int] = []

            def counted() -> list[dict[str, Any]]:
                rows = values()
                sizes.append(len(rows))
                return list(rows)

            stored = await super()._execute(conn, counted)
            if sizes == [0] and not late:  # the empty writer, back from the database
                late.append(asyncio.create_task(self.accept(_inbound("late"))))
                await asyncio.sleep(0)  # the callback is now waiting for a writer
                back.set()
            return stored

    batcher = LateArrival(bot.engine, bot.clock, lambda: None, max_batch=256, writers=2)
    try:
        assert await asyncio.gather(batcher.accept(_inbound("a")), batcher.accept(_inbound("b"))) == [True, True]
        # the empty writer may still be on its way back when both are acked
        await asyncio.wait_for(back.wait(), 10)
        assert late, "one writer took both messages and the other found none"
        assert await late[0] is True  # stored, not mistaken for a redelivery
    finally:
        await batcher.close()
    assert sorted(r.message_id for r in await inbox(bot)) == ["a", "b", "late"]


async def test_closing_the_batcher_lets_a_commit_in_flight_finish(bot: Bot) -> None:
    batcher = InboxBatcher(bot.engine, bot.clock, lambda: None, max_batch=256)
    pending = asyncio.create_task(batcher.accept(_inbound("in-flight")))
    await asyncio.sleep(0)  # its writer has started
    await batcher.close()
    assert pending.done() and await pending is True
    assert batcher._idle == [] and [r.message_id for r in await inbox(bot)] == ["in-flight"]
