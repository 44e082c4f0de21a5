"""The platform channels the composition root knows; each factory returns None when not configured."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.channels.dingtalk.channel import build_channel as build_dingtalk
from bot.channels.wecom.channel import build_channel as wecom_channel

if TYPE_CHECKING:
    from bot.app import Bot
    from bot.channels.base import Channel

ChannelFactory = Callable[["Bot"], "Channel | None"]

CHANNEL_FACTORIES: list[ChannelFactory] = []

CHANNEL_FACTORIES.append(build_dingtalk)
CHANNEL_FACTORIES.append(wecom_channel)
