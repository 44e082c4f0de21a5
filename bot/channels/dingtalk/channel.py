"""The DingTalk channel: routes, sender and (in Stream mode) the websocket client, wired from its settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.channels.base import Sender
from bot.channels.dingtalk.card_callback import CardCallback, card_update_response
from bot.channels.dingtalk.cards import find_card
from bot.channels.dingtalk.client import DingTalkApi
from bot.channels.dingtalk.frames import (
    BOT_MESSAGE_TOPIC,
    CARD_CALLBACK_TOPIC,
    BotMessageFrame,
    CardCallbackFrame,
    EventFrame,
    InboundFrame,
    StreamAck,
    ack_callback,
    ack_event,
    ack_not_found,
)
from bot.channels.dingtalk.inbound import card_click_inbound, robot_message_inbound
from bot.channels.dingtalk.lease import StreamLease
from bot.channels.dingtalk.robot import RobotMessage
from bot.channels.dingtalk.routes import DingTalkRoutes
from bot.channels.dingtalk.sender import DingTalkSender
from bot.channels.dingtalk.settings import PLATFORM, DingTalkSettings
from bot.channels.dingtalk.stream import StreamClient

if TYPE_CHECKING:
    from bot.app import Bot

log = logging.getLogger(__name__)

STREAM_TOPICS = [BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC]


class DingTalkChannel:
    platform = PLATFORM

    def __init__(self, bot: Bot, settings: DingTalkSettings, *, holder: str | None = None) -> None:
        self.bot, self.settings = bot, settings
        self.api = DingTalkApi(settings, bot.clock)
        self.outbound = DingTalkSender(settings, self.api, bot.clock, bot.uow_factory)
        self.sender: Sender = self.outbound
        self.stream: StreamClient | None = None
        if settings.mode == "stream" and settings.has_app:
            lease = StreamLease(
                bot.uow_factory, bot.clock, f"stream:{settings.app_key}", settings.lease_ttl_seconds, holder
            )
            self.stream = StreamClient(
                settings, self.api, lease, self.handle_frame, STREAM_TOPICS, robot_names=settings.robot_names
            )

    def now_ms(self) -> int:
        return int(self.bot.clock.now().timestamp() * 1000)

    def routes(self) -> list[web.RouteDef]:
        return DingTalkRoutes(self).table()

    def cleanup_contexts(self) -> list[Callable[[web.Application], AsyncIterator[None]]]:
        return [self._lifecycle]

    async def _lifecycle(self, _app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(self.stream.run(), name="dingtalk-stream") if self.stream else None
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.api.close()

    async def close(self) -> None:
        """Close the HTTP session; for runs without the web app (CLI outbox drains, jobs)."""
        await self.api.close()

    # ---- inbound, shared by the HTTP routes and the Stream client -------------------------------------

    async def on_robot_message(self, message: RobotMessage) -> bool:
        """Persist a robot message once; True when it was new. Raises if the inbox cannot be written."""
        inbound = robot_message_inbound(message, self.bot.clock.tz)
        if inbound is None:
            log.info("dingtalk %s message without text ignored", message.msgtype)
            return False
        stored = await self.bot.accept(inbound)
        if stored:  # the chat id is what `jingwu admin group bind --chat-id` needs
            log.info("dingtalk %s message %s stored (chat %s)", inbound.chat_kind, message.msg_id, inbound.chat_id)
        return stored

    async def on_card_click(self, callback: CardCallback, *, delivery_id: str | None) -> dict[str, Any]:
        """Persist a click as an action message; the returned response shows the card as being handled."""
        card = await find_card(self.bot.uow_factory, callback.out_track_id)
        inbound = card_click_inbound(
            callback,
            delivery_id=delivery_id,
            card_chat_id=card.chat_id if card else None,
            card_user_id=card.user_id if card else None,
            card_code=card.code if card else None,
            now=self.bot.clock.now(),
        )
        if inbound is None:
            log.info("dingtalk card click on %s carries no action", callback.out_track_id)
            return {}
        await self.bot.accept(inbound)
        params = {**(card.params if card else {}), "status": f"已收到「{inbound.action}」，处理中…"}
        return card_update_response(params)

    async def handle_frame(self, inbound: InboundFrame) -> StreamAck | None:
        """A CALLBACK or EVENT frame from the Stream client; the ACK goes back only after the inbox write."""
        if isinstance(inbound, BotMessageFrame):
            await self.on_robot_message(inbound.message)
            return ack_callback(inbound.frame)
        if isinstance(inbound, CardCallbackFrame):
            response = await self.on_card_click(inbound.callback, delivery_id=inbound.frame.message_id)
            return ack_callback(inbound.frame, response)
        if isinstance(inbound, EventFrame):
            return ack_event(inbound.frame)
        return ack_not_found(inbound.frame)


def build_channel(bot: Bot) -> DingTalkChannel | None:
    """The registry's factory: None unless JINGWU_DINGTALK_* names an app or a custom robot."""
    settings = DingTalkSettings()
    return DingTalkChannel(bot, settings) if settings.configured else None
