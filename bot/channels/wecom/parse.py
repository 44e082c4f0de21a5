"""Pure parsers for WeCom callback bodies: app XML (outer and decrypted) and 智能机器人 JSON, in one namespace."""

from __future__ import annotations

from bot.channels.wecom.cards import SelectedItem
from bot.channels.wecom.parse_app import (
    AppCardClick,
    AppEnvelope,
    AppMessage,
    AppOtherEvent,
    AppOtherMessage,
    AppText,
    parse_app_envelope,
    parse_app_message,
)
from bot.channels.wecom.parse_bot import (
    BotEvent,
    BotMessage,
    BotPayload,
    parse_bot_envelope,
    parse_bot_payload,
    strip_mention,
)

__all__ = [
    "AppCardClick",
    "AppEnvelope",
    "AppMessage",
    "AppOtherEvent",
    "AppOtherMessage",
    "AppText",
    "BotEvent",
    "BotMessage",
    "BotPayload",
    "SelectedItem",
    "parse_app_envelope",
    "parse_app_message",
    "parse_bot_envelope",
    "parse_bot_payload",
    "strip_mention",
]
