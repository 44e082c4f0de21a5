"""Stream mode against the fake gateway: every frame acked, ping echoed, disconnect and silent connections
replaced, backoff with jitter, and one stream per database (lease) with takeover when the holder dies."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_aiohttp import AiohttpServer
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Bot, create_bot
from bot.channels.dingtalk.channel import DingTalkChannel
from bot.channels.dingtalk.frames import BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC
from bot.channels.dingtalk.lease import StreamLease
from bot.channels.dingtalk.settings import DingTalkSettings
from bot.channels.dingtalk.stream import StreamClient
from bot.clock import ManualClock
from config.rules import Rules
from config.settings import Settings
from storage.db import create_engine
from storage.models import InboxMessage
from storage.models_dingtalk import DingTalkStreamLease
from tests.conftest import pg_engine
from tests.fakes.dingtalk_server import APP_KEY, FakeDingTalk, robot_message, settings_for, start_fake, until


@pytest.fixture
async def fake(aiohttp_server: AiohttpServer, clock: ManualClock) -> FakeDingTalk:
    return await start_fake(aiohttp_server, clock)


@pytest.fixture
async def start() -> AsyncIterator[Callable[[DingTalkChannel], asyncio.Task[None]]]:
    """Run channels' Stream clients as tasks; cancels them and closes their HTTP sessions at the end."""
    running: list[tuple[DingTalkChannel, asyncio.Task[None]]] = []

    def _start(channel: DingTalkChannel) -> asyncio.Task[None]:
        assert channel.stream is not None
        task = asyncio.create_task(channel.stream.run())
        running.append((channel, task))
        return task

    yield _start
    for channel, task in running:
        task.cancel()
        async with asyncio.timeout(5):  # a client that ignores cancellation fails the test instead of hanging
            await asyncio.gather(task, return_exceptions=True)
        await channel.api.close()


def stream_channel(bot: Bot, fake: FakeDingTalk, **overrides: Any) -> DingTalkChannel:
    channel = DingTalkChannel(bot, settings_for(fake, mode="stream", **overrides))
    bot.senders["dingtalk"] = channel.sender
    return channel


def connected(channel: DingTalkChannel) -> bool:
    return channel.stream is not None and channel.stream.connected.is_set()


def message(clock: ManualClock, msg_id: str, text: str = "我的待办") -> dict[str, Any]:
    now = int(clock.now().timestamp() * 1000)
    return robot_message(
        msg_id=msg_id,
        text=text,
        create_at=now,
        session_webhook="https://oapi.dingtalk.com/robot/sendBySession?session=s1",
        expires_at=now + 5_400_000,
        staff_id="staff-wang",
    )


async def inbox_ids(bot: Bot) -> list[str]:
    async with bot.uow_factory() as uow:
        return list((await uow.session.scalars(select(InboxMessage.message_id).order_by(InboxMessage.id))).all())


async def test_every_frame_is_acked_in_the_documented_shape(
    bot: Bot, fake: FakeDingTalk, clock: ManualClock, start: Callable[[DingTalkChannel], Any]
) -> None:
    channel = stream_channel(bot, fake)
    start(channel)
    await until(lambda: connected(channel))
    assert fake.opens[0]["clientId"] == APP_KEY
    assert fake.opens[0]["subscriptions"] == [
        {"type": "CALLBACK", "topic": BOT_MESSAGE_TOPIC},
        {"type": "CALLBACK", "topic": CARD_CALLBACK_TOPIC},
    ]

    mid = await fake.push("CALLBACK", BOT_MESSAGE_TOPIC, message(clock, "msg-1"))
    ack = await fake.ack_for(mid)
    assert ack == {
        "code": 200,
        "headers": {"contentType": "application/json", "messageId": mid},
        "message": "OK",
        "data": '{"response":null}',
    }
    assert await inbox_ids(bot) == ["msg-1"]  # stored before the ACK went out

    ping = await fake.push("SYSTEM", "ping", '{"opaque":"7f0c-仍然原样"}')
    assert (await fake.ack_for(ping))["data"] == '{"opaque":"7f0c-仍然原样"}'
    event = await fake.push("EVENT", "chat_update_title", {"title": "新群名"})
    assert json.loads((await fake.ack_for(event))["data"]) == {"status": "SUCCESS", "message": "success"}
    unknown = await fake.push("CALLBACK", "/v1.0/graph/api/invoke", {})
    assert (await fake.ack_for(unknown))["code"] == 404
    broken = await fake.push("CALLBACK", BOT_MESSAGE_TOPIC, {"msgtype": "text"})
    assert (await fake.ack_for(broken))["code"] == 400
    assert await inbox_ids(bot) == ["msg-1"]


async def test_a_redelivered_frame_is_acked_again_and_stored_once(
    bot: Bot, fake: FakeDingTalk, clock: ManualClock, start: Callable[[DingTalkChannel], Any]
) -> None:
    channel = stream_channel(bot, fake)
    start(channel)
    await until(lambda: connected(channel))
    body = message(clock, "msg-dup")
    first = await fake.push("CALLBACK", BOT_MESSAGE_TOPIC, body, message_id="frame-1")
    again = await fake.push("CALLBACK", BOT_MESSAGE_TOPIC, body, message_id="frame-1")
    other = await fake.push("CALLBACK", BOT_MESSAGE_TOPIC, body)  # redelivered under a new frame id
    for mid in (first, again, other):
        assert (await fake.ack_for(mid))["code"] == 200
    assert await inbox_ids(bot) == ["msg-dup"]


async def test_disconnect_is_acked_then_the_client_reconnects(
    bot: Bot, fake: FakeDingTalk, start: Callable[[DingTalkChannel], Any]
) -> None:
    channel = stream_channel(bot, fake)
    start(channel)
    await until(lambda: connected(channel))
    mid = await fake.push("SYSTEM", "disconnect", '{"reason":"upgrade"}')
    assert (await fake.ack_for(mid))["data"] == '{"reason":"upgrade"}'
    first = fake.gateway
    await until(lambda: len(fake.gateways) == 2 and connected(channel))
    assert first.ws.closed and len(fake.opens) == 2


@pytest.mark.parametrize(("heartbeat", "idle"), [(0.05, 30.0), (30.0, 0.2)], ids=["missing-pong", "idle-timeout"])
async def test_a_silent_dead_connection_is_detected_and_replaced(
    bot: Bot, fake: FakeDingTalk, start: Callable[[DingTalkChannel], Any], heartbeat: float, idle: float
) -> None:
    fake.silent_next = 1  # accepts the websocket, then never answers a ping nor sends a frame
    channel = stream_channel(bot, fake, heartbeat_seconds=heartbeat, idle_timeout_seconds=idle)
    start(channel)
    await until(lambda: len(fake.gateways) == 2 and connected(channel))
    assert channel.stream is not None and channel.stream.connections == 2
    ping = await fake.push("SYSTEM", "ping", "{}")
    assert (await fake.ack_for(ping))["code"] == 200


async def test_open_failures_are_retried(bot: Bot, fake: FakeDingTalk, start: Callable[[DingTalkChannel], Any]) -> None:
    fake.fail_next["/v1.0/gateway/connections/open"] = 3
    channel = stream_channel(bot, fake)
    start(channel)
    await until(lambda: connected(channel))
    assert fake.fail_next["/v1.0/gateway/connections/open"] == 0 and len(fake.opens) == 1


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    settings = DingTalkSettings(backoff_min_seconds=1, backoff_max_seconds=60)
    client = StreamClient(settings, None, None, None, [], rng=random.Random(7))  # type: ignore[arg-type]
    delays = [client.backoff(attempt) for attempt in range(10)]
    for attempt, delay in enumerate(delays):
        ceiling = min(60.0, 2.0**attempt)
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 60 and delays[-1] >= 30
    assert len({round(client.backoff(3), 6) for _ in range(20)}) > 1  # jitter: restarts do not march in step


# ---- one stream per database ------------------------------------------------------------------------------


@pytest.fixture
async def second_engine(engine: AsyncEngine, db_kind: str, pg_schema: str | None) -> AsyncIterator[AsyncEngine]:
    """Another connection pool on the same database, as a second bot process would have."""
    if db_kind == "sqlite":
        other = create_engine(f"sqlite+aiosqlite:///{Path(str(engine.url.database))}")
    else:
        assert pg_schema
        other = pg_engine(pg_schema)
    yield other
    await other.dispose()


@pytest.fixture
async def second_bot(second_engine: AsyncEngine, clock: ManualClock, rules: Rules) -> AsyncIterator[Bot]:
    settings = Settings(database_url=second_engine.url.render_as_string(hide_password=False), auto_migrate=False)
    bot = await create_bot(settings, clock=clock, rules=rules, engine=second_engine)
    yield bot
    await bot.close()


async def test_two_processes_share_one_stream_and_the_survivor_takes_over(
    bot: Bot, second_bot: Bot, fake: FakeDingTalk, start: Callable[[DingTalkChannel], asyncio.Task[None]]
) -> None:
    one, two = stream_channel(bot, fake), stream_channel(second_bot, fake)
    tasks = {one: start(one), two: start(two)}
    await until(lambda: connected(one) or connected(two))
    await asyncio.sleep(0.2)  # ten lease polls: the standby must still be waiting
    holder, standby = (one, two) if connected(one) else (two, one)
    assert not connected(standby) and len(fake.gateways) == 1
    assert holder.stream and standby.stream
    assert await standby.stream.lease.current_holder() == holder.stream.lease.holder

    tasks[holder].cancel()  # the holder dies
    async with asyncio.timeout(5):
        await asyncio.gather(tasks[holder], return_exceptions=True)
    await until(lambda: connected(standby))
    assert len(fake.gateways) == 2 and fake.gateways[0].ws.closed
    assert await standby.stream.lease.current_holder() == standby.stream.lease.holder


async def test_a_crashed_holder_is_replaced_once_its_lease_expires(
    bot: Bot, fake: FakeDingTalk, clock: ManualClock, start: Callable[[DingTalkChannel], Any]
) -> None:
    crashed = StreamLease(bot.uow_factory, clock, f"stream:{APP_KEY}", 30, holder="crashed-host:4242:dead")
    assert await crashed.try_acquire()  # ...and never renews or releases it
    channel = stream_channel(bot, fake)
    start(channel)
    await asyncio.sleep(0.2)
    assert not connected(channel) and fake.opens == []
    clock.advance(timedelta(seconds=31))
    await until(lambda: connected(channel))
    assert channel.stream and await crashed.current_holder() == channel.stream.lease.holder


async def test_a_holder_that_loses_its_lease_disconnects(
    bot: Bot, fake: FakeDingTalk, start: Callable[[DingTalkChannel], Any]
) -> None:
    channel = stream_channel(bot, fake)
    start(channel)
    await until(lambda: connected(channel))
    async with bot.uow_factory() as uow:  # another process took the row (e.g. after a long pause of ours)
        await uow.session.execute(
            update(DingTalkStreamLease).values(holder="thief", expires_at=bot.clock.now() + timedelta(hours=1))
        )
        await uow.commit()
    await until(lambda: not connected(channel) and fake.gateway.ws.closed)
    await asyncio.sleep(0.1)
    assert len(fake.gateways) == 1  # and it does not come back while the thief holds the lease
