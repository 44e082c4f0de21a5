"""The WeCom channel as the composition root sees it: routes, sender, and the HTTP client's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.base import Sender
from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.routes import WeComCallbacks
from bot.channels.wecom.sender import WeComSender
from bot.channels.wecom.settings import PLATFORM, WeComSettings
from bot.channels.wecom.stream import StreamRegistry

if TYPE_CHECKING:
    from bot.app import Bot


class WeComChannel:
    platform = PLATFORM

    def __init__(self, bot: Bot, settings: WeComSettings) -> None:
        self.settings = settings
        bot_name = settings.bot_name or bot.settings.bot_name
        self.streams = (
            StreamRegistry(
                bot.clock,
                ttl=settings.stream_ttl_seconds,
                per_user=settings.stream_per_user,
                idle=settings.stream_idle_seconds,
                placeholder=settings.stream_placeholder,
            )
            if settings.has_bot and settings.bot_reply_mode == "stream"
            else None
        )
        self.client = WeComClient(settings, bot.clock)
        self.outbound = WeComSender(
            settings, self.client, bot.clock, bot.uow_factory, bot_name=bot_name, streams=self.streams
        )
        self.sender: Sender = self.outbound
        bot_crypto = app_crypto = None
        if settings.has_bot and settings.bot_token and settings.bot_aes_key:
            bot_crypto = WeComCrypto(settings.bot_token.get_secret_value(), settings.bot_aes_key.get_secret_value(), "")
        if settings.has_app_callback and settings.app_token and settings.app_aes_key and settings.corp_id:
            app_crypto = WeComCrypto(
                settings.app_token.get_secret_value(), settings.app_aes_key.get_secret_value(), settings.corp_id
            )
        self.callbacks = WeComCallbacks(
            bot.accept,
            bot.clock,
            max_body_bytes=settings.max_body_bytes,
            bot_crypto=bot_crypto,
            app_crypto=app_crypto,
            bot_name=settings.bot_name,
            streams=self.streams,
            welcome_text=settings.welcome_text,
        )

    def routes(self) -> list[web.RouteDef]:
        return self.callbacks.routes()

    def cleanup_contexts(self) -> list[Callable[[web.Application], AsyncIterator[None]]]:
        return [self._http_client]

    async def _http_client(self, _app: web.Application) -> AsyncIterator[None]:
        yield
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session."""
        await self.client.close()


def build_channel(bot: Bot, settings: WeComSettings | None = None) -> WeComChannel | None:
    """The channel, or None when no WeCom credential is set (the bot then runs without WeCom)."""
    settings = settings or WeComSettings()
    return WeComChannel(bot, settings) if settings.configured else None
