"""Robot messages and card clicks as neutral InboundMessages, the same for HTTP callbacks and Stream frames."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot.channels.dingtalk.card_callback import CardCallback
from bot.channels.dingtalk.robot import RobotMessage
from bot.channels.dingtalk.settings import PLATFORM
from bot.messages import InboundMessage

# actionIds a card template may use for its buttons when the callback params carry no verb
ACTION_IDS: Final = {"accept": "接单", "feedback": "反馈", "resolve": "办结", "query": "查"}

# reply hints stored with the message (InboundMessage.reply) and read back by the sender
SESSION_WEBHOOK: Final = "sessionWebhook"
SESSION_WEBHOOK_EXPIRES: Final = "sessionWebhookExpiredTime"
OUT_TRACK_ID: Final = "outTrackId"


def robot_message_inbound(m: RobotMessage, tz: ZoneInfo) -> InboundMessage | None:
    """A robot message as the inbox stores it; None for messages without text (pictures, files)."""
    if not m.text:
        return None
    mentions = tuple(
        u.staff_id or u.dingtalk_id
        for u in m.at_users
        if not (m.chatbot_user_id and u.dingtalk_id == m.chatbot_user_id)
    )
    return InboundMessage(
        platform=PLATFORM,
        message_id=m.msg_id,
        chat_id=m.conversation_id,
        sender_id=m.sender_staff_id or m.sender_id,
        sender_name=m.sender_nick or None,
        text=m.text,
        sent_at=datetime.fromtimestamp(m.create_at / 1000, tz),
        chat_kind="group" if m.is_group else "direct",
        kind="text",
        addressed=m.addressed_to_bot,
        mentions=mentions,
        reply={
            SESSION_WEBHOOK: m.session_webhook,
            SESSION_WEBHOOK_EXPIRES: m.session_webhook_expired_time,
            "conversationId": m.conversation_id,
        },
    )


def card_click_inbound(
    cb: CardCallback,
    *,
    delivery_id: str | None,
    card_chat_id: str | None,
    card_user_id: str | None,
    card_code: str | None,
    now: datetime,
) -> InboundMessage | None:
    """A button click as kind="action": the same verb, record number and arguments a typed command carries.

    `delivery_id` is the Stream messageId (redeliveries repeat it); over HTTP a digest of the click stands in.
    The chat comes from our card table, else from the callback's space; None when no verb can be found."""
    params = cb.params
    verb = _str(params, "action") or next((ACTION_IDS.get(a, a) for a in cb.action_ids if a), None)
    if not verb:
        return None
    code = _str(params, "code") or card_code or ""
    args = _str(params, "args") or _str(params, "remark") or ""
    if card_chat_id is None and card_user_id is None and cb.space_type == "IM_GROUP" and cb.space_id:
        card_chat_id = cb.space_id
    group = card_chat_id is not None
    key = delivery_id or _digest(cb)
    return InboundMessage(
        platform=PLATFORM,
        message_id=f"card:{key}"[:160],
        chat_id=card_chat_id if card_chat_id is not None else (card_user_id or cb.user_id),
        sender_id=cb.user_id,
        text=args,
        sent_at=now,
        chat_kind="group" if group else "direct",
        kind="action",
        addressed=True,
        action=verb,
        action_code=code.lstrip("#") or None,
        reply={OUT_TRACK_ID: cb.out_track_id},
    )


def _digest(cb: CardCallback) -> str:
    raw = json.dumps([cb.out_track_id, cb.user_id, dict(cb.content)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


def _str(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None
