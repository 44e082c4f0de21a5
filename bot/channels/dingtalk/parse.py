"""Parse DingTalk robot callbacks, card callbacks and Stream frames into frozen dataclasses; build ACKs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, TypeAlias

BOT_MESSAGE_TOPIC: Final = "/v1.0/im/bot/messages/get"
BOT_DELEGATE_TOPIC: Final = "/v1.0/im/bot/messages/delegate"
CARD_CALLBACK_TOPIC: Final = "/v1.0/card/instances/callback"
PING_TOPIC: Final = "ping"
DISCONNECT_TOPIC: Final = "disconnect"

FRAME_SYSTEM: Final = "SYSTEM"
FRAME_EVENT: Final = "EVENT"
FRAME_CALLBACK: Final = "CALLBACK"

ACK_OK: Final = 200
ACK_BAD_REQUEST: Final = 400
ACK_NOT_FOUND: Final = 404
ACK_SERVER_ERROR: Final = 500
CONTENT_TYPE_JSON: Final = "application/json"

_BOT_TOPICS: Final = frozenset({BOT_MESSAGE_TOPIC, BOT_DELEGATE_TOPIC})
_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})
JsonBody: TypeAlias = str | bytes | Mapping[str, Any]


class MalformedCallback(ValueError):
    """A callback body is not JSON or lacks a required field (answer HTTP 400)."""


class MalformedFrame(MalformedCallback):
    """A Stream frame cannot be used; `frame` is set when its envelope was readable enough to ACK."""

    def __init__(self, reason: str, frame: StreamFrame | None = None) -> None:
        super().__init__(reason)
        self.frame = frame


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


@dataclass(frozen=True, slots=True)
class CardCallback:
    """A click on an interactive card; `content` and `extension` arrive as JSON strings and are decoded."""

    out_track_id: str
    user_id: str
    corp_id: str | None
    type: str
    space_id: str | None
    space_type: str | None
    content: Mapping[str, Any] = field(hash=False)
    extension: Mapping[str, Any] = field(hash=False)

    @property
    def action_ids(self) -> tuple[str, ...]:
        ids = _private_data(self.content).get("actionIds")
        return tuple(i for i in ids if isinstance(i, str)) if isinstance(ids, list) else ()

    @property
    def params(self) -> Mapping[str, Any]:
        params = _private_data(self.content).get("params")
        return MappingProxyType(params) if isinstance(params, dict) else _EMPTY


@dataclass(frozen=True, slots=True)
class StreamFrame:
    """A Stream envelope; `data` is kept as the raw JSON text because a ping ACK must echo it verbatim."""

    spec_version: str
    type: str
    topic: str
    message_id: str
    headers: Mapping[str, str] = field(hash=False)
    data: str


@dataclass(frozen=True, slots=True)
class PingFrame:
    frame: StreamFrame


@dataclass(frozen=True, slots=True)
class DisconnectFrame:
    frame: StreamFrame


@dataclass(frozen=True, slots=True)
class BotMessageFrame:
    frame: StreamFrame
    message: RobotMessage


@dataclass(frozen=True, slots=True)
class CardCallbackFrame:
    frame: StreamFrame
    callback: CardCallback


@dataclass(frozen=True, slots=True)
class EventFrame:
    frame: StreamFrame
    event_type: str | None
    event_id: str | None
    event_corp_id: str | None
    event_born_time: int | None
    payload: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True)
class UnhandledFrame:
    """A frame type or topic this bot does not subscribe to; it still needs an ACK (404)."""

    frame: StreamFrame


InboundFrame: TypeAlias = (
    PingFrame | DisconnectFrame | BotMessageFrame | CardCallbackFrame | EventFrame | UnhandledFrame
)


@dataclass(frozen=True, slots=True)
class StreamAck:
    """The reply written back on the socket for one inbound frame (B3 step 4)."""

    code: int
    message_id: str
    message: str
    data: str  # a JSON document serialised to text, or ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "headers": {"contentType": CONTENT_TYPE_JSON, "messageId": self.message_id},
            "message": self.message,
            "data": self.data,
        }

    def to_json(self) -> str:
        return _dumps(self.to_dict())


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
    obj = _load_object(body, "robot message")
    msgtype = _str(obj, "msgtype")
    raw_text, codes = _text_and_codes(obj, msgtype)
    conversation_type = _str(obj, "conversationType")
    try:
        conv_type = ConversationType(conversation_type)
    except ValueError:
        raise MalformedCallback(f"unknown conversationType {conversation_type!r}") from None
    return RobotMessage(
        msg_id=_str(obj, "msgId"),
        msgtype=msgtype,
        text=strip_robot_mention(raw_text, robot_names),
        raw_text=raw_text,
        conversation_type=conv_type,
        conversation_id=_str(obj, "conversationId"),
        conversation_title=_opt_str(obj, "conversationTitle"),
        sender_id=_str(obj, "senderId"),
        sender_staff_id=_opt_str(obj, "senderStaffId"),
        sender_nick=_opt_str(obj, "senderNick") or "",
        sender_corp_id=_opt_str(obj, "senderCorpId"),
        is_admin=_bool(obj, "isAdmin"),
        is_in_at_list=_bool(obj, "isInAtList"),
        at_users=_at_users(obj),
        session_webhook=_str(obj, "sessionWebhook"),
        session_webhook_expired_time=_ms(obj, "sessionWebhookExpiredTime"),
        robot_code=_opt_str(obj, "robotCode"),
        chatbot_user_id=_opt_str(obj, "chatbotUserId"),
        chatbot_corp_id=_opt_str(obj, "chatbotCorpId"),
        create_at=_ms(obj, "createAt"),
        download_codes=codes,
    )


def parse_card_callback(body: JsonBody) -> CardCallback:
    """Parse a card callback `data` object (B3), decoding its JSON-string `content` and `extension`."""
    obj = _load_object(body, "card callback")
    user_id_type = obj.get("userIdType")
    if user_id_type is not None and not isinstance(user_id_type, int):
        raise MalformedCallback("field 'userIdType' is not an integer")
    return CardCallback(
        out_track_id=_str(obj, "outTrackId"),
        user_id=_str(obj, "userId"),
        corp_id=_opt_str(obj, "corpId"),
        type=_opt_str(obj, "type") or "actionCallback",
        space_id=_opt_str(obj, "spaceId"),
        space_type=_opt_str(obj, "spaceType"),
        content=_embedded_object(obj, "content"),
        extension=_embedded_object(obj, "extension"),
    )


def parse_stream_frame(raw: str | bytes, *, robot_names: Iterable[str] = ()) -> InboundFrame:
    """Parse one Stream WebSocket frame (B3); MalformedFrame carries the frame when it can still be ACKed."""
    try:
        obj = _load_object(raw, "stream frame")
    except MalformedCallback as exc:
        raise MalformedFrame(str(exc)) from None
    headers = obj.get("headers")
    if not isinstance(headers, dict):
        raise MalformedFrame("stream frame has no headers object")
    flat = MappingProxyType({str(k): v if isinstance(v, str) else _dumps(v) for k, v in headers.items()})
    message_id = flat.get("messageId", "")
    if not message_id:
        raise MalformedFrame("stream frame has no messageId header")
    data = obj.get("data")
    frame = StreamFrame(
        spec_version=obj["specVersion"] if isinstance(obj.get("specVersion"), str) else "",
        type=obj["type"] if isinstance(obj.get("type"), str) else "",
        topic=flat.get("topic", ""),
        message_id=message_id,
        headers=flat,
        data=data if isinstance(data, str) else "",
    )
    if data is not None and not isinstance(data, str):
        raise MalformedFrame("stream frame data is not a JSON string", frame)
    try:
        return _classify(frame, robot_names)
    except MalformedFrame:
        raise
    except MalformedCallback as exc:
        raise MalformedFrame(str(exc), frame) from None


def ack_system(frame: StreamFrame) -> StreamAck:
    """ACK a SYSTEM frame (ping or disconnect), echoing its data unchanged."""
    return StreamAck(ACK_OK, frame.message_id, "OK", frame.data)


def ack_callback(frame: StreamFrame, response: Any = None, *, code: int = ACK_OK, message: str = "OK") -> StreamAck:
    """ACK a CALLBACK frame; the handler's reply travels as data={"response": ...}."""
    return StreamAck(code, frame.message_id, message, _dumps({"response": response}))


def ack_event(frame: StreamFrame, *, success: bool = True) -> StreamAck:
    """ACK an EVENT frame; LATER (with code 500) asks the gateway to deliver it again."""
    if success:
        return StreamAck(ACK_OK, frame.message_id, "OK", _dumps({"status": "SUCCESS", "message": "success"}))
    return StreamAck(ACK_SERVER_ERROR, frame.message_id, "later", _dumps({"status": "LATER", "message": "later"}))


def ack_not_found(frame: StreamFrame) -> StreamAck:
    return StreamAck(ACK_NOT_FOUND, frame.message_id, "no handler", "")


def ack_bad_request(frame: StreamFrame, reason: str) -> StreamAck:
    return StreamAck(ACK_BAD_REQUEST, frame.message_id, reason, "")


def default_ack(inbound: InboundFrame) -> StreamAck:
    """The ACK for a frame whose handling succeeded and has nothing to return."""
    if isinstance(inbound, PingFrame | DisconnectFrame):
        return ack_system(inbound.frame)
    if isinstance(inbound, BotMessageFrame | CardCallbackFrame):
        return ack_callback(inbound.frame)
    if isinstance(inbound, EventFrame):
        return ack_event(inbound.frame)
    return ack_not_found(inbound.frame)


def card_update_response(
    card_params: Mapping[str, str] | None = None,
    private_params: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """Build a card callback `response` that updates the card in place (shared and per-user parameters)."""
    response: dict[str, Any] = {}
    if card_params is not None:
        response["cardData"] = {"cardParamMap": dict(card_params)}
    if private_params is not None:
        response["privateData"] = {uid: {"cardParamMap": dict(p)} for uid, p in private_params.items()}
    return response


def _classify(frame: StreamFrame, robot_names: Iterable[str]) -> InboundFrame:
    if frame.type == FRAME_SYSTEM and frame.topic == PING_TOPIC:
        return PingFrame(frame)
    if frame.type == FRAME_SYSTEM and frame.topic == DISCONNECT_TOPIC:
        return DisconnectFrame(frame)
    if frame.type == FRAME_CALLBACK and frame.topic in _BOT_TOPICS:
        return BotMessageFrame(frame, parse_robot_message(frame.data, robot_names=robot_names))
    if frame.type == FRAME_CALLBACK and frame.topic == CARD_CALLBACK_TOPIC:
        return CardCallbackFrame(frame, parse_card_callback(frame.data))
    if frame.type == FRAME_EVENT:
        born = frame.headers.get("eventBornTime", "")
        return EventFrame(
            frame,
            event_type=frame.headers.get("eventType"),
            event_id=frame.headers.get("eventId"),
            event_corp_id=frame.headers.get("eventCorpId"),
            event_born_time=int(born) if born.isascii() and born.isdigit() else None,
            payload=MappingProxyType(_load_object(frame.data, "event data")) if frame.data else _EMPTY,
        )
    return UnhandledFrame(frame)


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
        users.append(AtUser(dingtalk_id=_str(item, "dingtalkId"), staff_id=_opt_str(item, "staffId")))
    return tuple(users)


def _private_data(content: Mapping[str, Any]) -> Mapping[str, Any]:
    private = content.get("cardPrivateData")
    return private if isinstance(private, dict) else _EMPTY


def _load_object(body: JsonBody, what: str) -> dict[str, Any]:
    if isinstance(body, Mapping):
        return dict(body)
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise MalformedCallback(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise MalformedCallback(f"{what} is not a JSON object")
    return value


def _embedded_object(obj: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    raw = obj.get(key)
    if raw is None or raw == "":
        return _EMPTY
    if not isinstance(raw, str):
        raise MalformedCallback(f"field {key!r} is not a JSON string")
    return MappingProxyType(_load_object(raw, f"field {key!r}"))


def _str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedCallback(f"field {key!r} is missing or not a non-empty string")
    return value


def _opt_str(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedCallback(f"field {key!r} is not a string")
    return value


def _bool(obj: Mapping[str, Any], key: str) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise MalformedCallback(f"field {key!r} is not a boolean")
    return value


def _ms(obj: Mapping[str, Any], key: str) -> int:
    """A millisecond timestamp; the Python SDK int()s these, so a decimal string is accepted too."""
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise MalformedCallback(f"field {key!r} is missing or not a millisecond timestamp")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
