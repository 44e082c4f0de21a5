"""The platform channels the composition root knows; each factory returns None when not configured."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Bot
    from bot.channels.base import Channel

ChannelFactory = Callable[["Bot"], "Channel | None"]

CHANNEL_FACTORIES: list[ChannelFactory] = []
