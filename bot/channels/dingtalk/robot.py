"""Parse a DingTalk robot message (the B1 HTTP callback body, also the Stream bot-message `data`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.channels.dingtalk.payload import JsonBody, MalformedCallback, load_object, ms, opt_str, req_bool, req_str


class ConversationType(StrEnum):
    SINGLE = "1"
    GROUP = "2"


@dataclass(frozen=True, slots=True)
class AtUser:
    dingtalk_id: str
    staff_id: str | None = None


@dataclass(frozen=True, slots=True)
class RobotMessage:
    """One message to the robot: the B1 HTTP callback body, also the Stream bot-message `data`."""

    msg_id: str
    msgtype: str
    text: str  # trimmed, with a leading @robot mention removed; "" when the message carries no text
    raw_text: str  # the text exactly as DingTalk sent it
    conversation_type: ConversationType
    conversation_id: str
    conversation_title: str | None
    sender_id: str
    sender_staff_id: str | None
    sender_nick: str
    sender_corp_id: str | None
    is_admin: bool
    is_in_at_list: bool
    at_users: tuple[AtUser, ...]
    session_webhook: str
    session_webhook_expired_time: int  # ms since the epoch
    robot_code: str | None
    chatbot_user_id: str | None
    chatbot_corp_id: str | None
    create_at: int  # ms since the epoch
    download_codes: tuple[str, ...] = ()  # pictures, files, audio and video, in message order

    @property
    def is_group(self) -> bool:
        return self.conversation_type is ConversationType.GROUP

    @property
    def addressed_to_bot(self) -> bool:
        return not self.is_group or self.is_in_at_list

    def session_webhook_usable(self, now_ms: int) -> bool:
        return now_ms < self.session_webhook_expired_time


def strip_robot_mention(content: str, robot_names: Iterable[str] = ()) -> str:
    """Trim whitespace (DingTalk prefixes a space where it removed the @robot) and drop a leading @name.

    Plain-text callbacks already lack the robot's own mention; rich text keeps it, so a caller that knows
    the robot's display names passes them to remove a leading "@name" followed by whitespace or the end.
    """
    text = content.strip()
    for name in sorted((n for n in robot_names if n), key=len, reverse=True):
        tag = f"@{name}"
        if text.startswith(tag):
            rest = text[len(tag) :]
            if not rest or rest[0].isspace():
                return rest.strip()
    return text


def parse_robot_message(body: JsonBody, *, robot_names: Iterable[str] = ()) -> RobotMessage:
    """Parse a robot message body (B1); raise MalformedCallback on bad JSON or a missing field."""
    obj = load_object(body, "robot message")
    msgtype = req_str(obj, "msgtype")
    raw_text, codes = _text_and_codes(obj, msgtype)
    conversation_type = req_str(obj, "conversationType")
    try:
        conv_type = ConversationType(conversation_type)
    except ValueError:
        raise MalformedCallback(f"unknown conversationType {conversation_type!r}") from None
    return RobotMessage(
        msg_id=req_str(obj, "msgId"),
        msgtype=msgtype,
        text=strip_robot_mention(raw_text, robot_names),
        raw_text=raw_text,
        conversation_type=conv_type,
        conversation_id=req_str(obj, "conversationId"),
        conversation_title=opt_str(obj, "conversationTitle"),
        sender_id=req_str(obj, "senderId"),
        sender_staff_id=opt_str(obj, "senderStaffId"),
        sender_nick=opt_str(obj, "senderNick") or "",
        sender_corp_id=opt_str(obj, "senderCorpId"),
        is_admin=req_bool(obj, "isAdmin"),
        is_in_at_list=req_bool(obj, "isInAtList"),
        at_users=_at_users(obj),
        session_webhook=req_str(obj, "sessionWebhook"),
        session_webhook_expired_time=ms(obj, "sessionWebhookExpiredTime"),
        robot_code=opt_str(obj, "robotCode"),
        chatbot_user_id=opt_str(obj, "chatbotUserId"),
        chatbot_corp_id=opt_str(obj, "chatbotCorpId"),
        create_at=ms(obj, "createAt"),
        download_codes=codes,
    )


def _text_and_codes(obj: Mapping[str, Any], msgtype: str) -> tuple[str, tuple[str, ...]]:
    if msgtype == "text":
        text = obj.get("text")
        if not isinstance(text, dict) or not isinstance(text.get("content"), str):
            raise MalformedCallback("text message has no text.content string")
        return text["content"], ()
    content = obj.get("content")
    if not isinstance(content, dict):
        return "", ()
    if msgtype == "richText":
        parts = content.get("richText")
        items = [p for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []
        text = "".join(p["text"] for p in items if isinstance(p.get("text"), str))
        return text, tuple(p["downloadCode"] for p in items if isinstance(p.get("downloadCode"), str))
    code = content.get("downloadCode")
    codes = (code,) if isinstance(code, str) and code else ()
    recognition = content.get("recognition")  # speech-to-text of an audio message
    return (recognition if msgtype == "audio" and isinstance(recognition, str) else ""), codes


def _at_users(obj: Mapping[str, Any]) -> tuple[AtUser, ...]:
    raw = obj.get("atUsers")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise MalformedCallback("field 'atUsers' is not a list")
    users = []
    for item in raw:
        if not isinstance(item, dict):
            raise MalformedCallback("an atUsers entry is not an object")
        users.append(AtUser(dingtalk_id=req_str(item, "dingtalkId"), staff_id=opt_str(item, "staffId")))
    return tuple(users)
