"""Parsed WeCom callbacks mapped to neutral InboundMessages; button clicks become the typed command they stand for."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any

from bot.channels.wecom.cards import CARD_EVENTS, decode_key
from bot.channels.wecom.parse import AppCardClick, AppMessage, AppOtherEvent, AppText, BotEvent, BotMessage
from bot.channels.wecom.settings import PLATFORM
from bot.messages import InboundMessage

log = logging.getLogger(__name__)

_MESSAGE_ID_LEN = 160  # inbox.message_id


def _message_id(prefix: str, raw: str) -> str:
    """The inbox key: the platform's id, hashed when it would not fit the column."""
    value = f"{prefix}:{raw}"
    return value if len(value) <= _MESSAGE_ID_LEN else f"{prefix}#{hashlib.sha256(raw.encode()).hexdigest()}"


def _at(epoch: int | None, received_at: datetime) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).astimezone(received_at.tzinfo) if epoch else received_at


def _click(key: str) -> tuple[str, str, str] | None:
    decoded = decode_key(key)
    if decoded is None:
        log.warning("wecom card click with a key this bot did not make; ignored")
    return decoded


def from_bot(
    payload: BotMessage | BotEvent, received_at: datetime, stream_id: str | None = None
) -> InboundMessage | None:
    """A 智能机器人 message or card click; None for what the bot does not act on (enter_chat, feedback, ...)."""
    chat_kind = "group" if payload.chat_type == "group" else "direct"
    reply: dict[str, Any] = {"via": "bot"}
    if payload.response_url:
        reply["response_url"] = payload.response_url
    common: dict[str, Any] = {
        "platform": PLATFORM,
        "message_id": _message_id("bot", payload.msg_id),
        "chat_id": payload.session_key,
        "sender_id": payload.from_user,
        "chat_kind": chat_kind,
        "addressed": True,  # the 智能机器人 only hears @-messages in groups and its own 1:1 chats
    }
    if isinstance(payload, BotMessage):
        if stream_id:
            reply["stream_id"] = stream_id
        return InboundMessage(**common, text=payload.text.strip(), sent_at=received_at, reply=reply)
    if payload.event_type not in CARD_EVENTS:
        return None
    decoded = _click(payload.event_key)
    if decoded is None:
        return None
    action, code, args = decoded
    reply.update(task_id=payload.task_id, event_key=payload.event_key)
    return InboundMessage(
        **common,
        text=args,
        sent_at=_at(payload.create_time, received_at),
        kind="action",
        action=action,
        action_code=code,
        reply=reply,
    )


def from_app(message: AppMessage, received_at: datetime) -> InboundMessage | None:
    """A 1:1 message to the self-built app or a click on one of its cards; other events are not stored."""
    if isinstance(message, AppOtherEvent):
        return None
    common: dict[str, Any] = {
        "platform": PLATFORM,
        "chat_id": message.from_user,
        "sender_id": message.from_user,
        "sent_at": _at(message.create_time, received_at),
        "chat_kind": "direct",
        "addressed": True,
    }
    if isinstance(message, AppCardClick):
        decoded = _click(message.event_key)
        if decoded is None:
            return None
        action, code, args = decoded
        # Events carry no MsgId: FromUserName + CreateTime (PROTOCOLS A2), plus the card, so that two clicks in
        # one second on two cards stay two messages while a redelivery stays one.
        return InboundMessage(
            **common,
            message_id=_message_id("app", f"{message.msg_id}:{message.task_id}"),
            text=args,
            kind="action",
            action=action,
            action_code=code,
            reply={
                "via": "app",
                "response_code": message.response_code,
                "task_id": message.task_id,
                "event_key": message.event_key,
            },
        )
    text = message.content.strip() if isinstance(message, AppText) else ""
    return InboundMessage(**common, message_id=_message_id("app", message.msg_id), text=text, reply={"via": "app"})
