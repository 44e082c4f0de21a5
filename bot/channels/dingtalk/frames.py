"""Parse DingTalk Stream WebSocket frames into frozen dataclasses and build the ACKs written back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, TypeAlias

from bot.channels.dingtalk.card_callback import CardCallback, parse_card_callback
from bot.channels.dingtalk.payload import EMPTY, MalformedCallback, dumps, load_object
from bot.channels.dingtalk.robot import RobotMessage, parse_robot_message

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


class MalformedFrame(MalformedCallback):
    """A Stream frame cannot be used; `frame` is set when its envelope was readable enough to ACK."""

    def __init__(self, reason: str, frame: StreamFrame | None = None) -> None:
        super().__init__(reason)
        self.frame = frame


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
        return dumps(self.to_dict())


def parse_stream_frame(raw: str | bytes, *, robot_names: Iterable[str] = ()) -> InboundFrame:
    """Parse one Stream WebSocket frame (B3); MalformedFrame carries the frame when it can still be ACKed."""
    try:
        obj = load_object(raw, "stream frame")
    except MalformedCallback as exc:
        raise MalformedFrame(str(exc)) from None
    headers = obj.get("headers")
    if not isinstance(headers, dict):
        raise MalformedFrame("stream frame has no headers object")
    flat = MappingProxyType({str(k): v if isinstance(v, str) else dumps(v) for k, v in headers.items()})
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
    return StreamAck(code, frame.message_id, message, dumps({"response": response}))


def ack_event(frame: StreamFrame, *, success: bool = True) -> StreamAck:
    """ACK an EVENT frame; LATER (with code 500) asks the gateway to deliver it again."""
    if success:
        return StreamAck(ACK_OK, frame.message_id, "OK", dumps({"status": "SUCCESS", "message": "success"}))
    return StreamAck(ACK_SERVER_ERROR, frame.message_id, "later", dumps({"status": "LATER", "message": "later"}))


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
            payload=MappingProxyType(load_object(frame.data, "event data")) if frame.data else EMPTY,
        )
    return UnhandledFrame(frame)
