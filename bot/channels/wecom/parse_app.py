"""Pure parsers for the self-built app's callbacks: the outer XML envelope and the decrypted XML message."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.enterprise import parse_message as wechatpy_parse_message

from bot.channels.wecom.cards import CARD_EVENTS, CardFormat, SelectedItem, read_card
from bot.channels.wecom.crypto import MalformedPayload

__all__ = [
    "AppCardClick",
    "AppEnvelope",
    "AppMessage",
    "AppOtherEvent",
    "AppOtherMessage",
    "AppText",
    "parse_app_envelope",
    "parse_app_message",
]

# Repeated elements must come back as lists even when there is only one of them.
_FORCE_LIST = ("SelectedItem", "OptionId")


@dataclass(frozen=True, slots=True)
class AppEnvelope:
    """The outer POST body: who it is for and the ciphertext to verify and decrypt."""

    to_user: str  # the CorpID
    agent_id: str  # "" when the push carries no AgentID
    encrypt: str


@dataclass(frozen=True, slots=True)
class AppText:
    """A text message sent to the app in a 1:1 chat."""

    msg_id: str
    from_user: str
    to_user: str
    agent_id: str
    create_time: int
    content: str


@dataclass(frozen=True, slots=True)
class AppCardClick:
    """template_card_event / template_card_menu_event: a click on a card the app sent."""

    msg_id: str  # f"{from_user}:{create_time}": events carry no MsgId (PROTOCOLS A2 dedup rule)
    from_user: str
    to_user: str
    agent_id: str
    create_time: int
    event: str
    event_key: str
    task_id: str
    card_type: str
    response_code: str  # single use, valid 72 h, for update_template_card
    selected_items: tuple[SelectedItem, ...]


@dataclass(frozen=True, slots=True)
class AppOtherEvent:
    """Any other event (enter_agent, click, subscribe, ...), kept for logging and future use."""

    msg_id: str
    from_user: str
    to_user: str
    agent_id: str
    create_time: int
    event: str
    event_key: str


@dataclass(frozen=True, slots=True)
class AppOtherMessage:
    """A non-text message (image, voice, video, location, link, ...)."""

    msg_id: str
    from_user: str
    to_user: str
    agent_id: str
    create_time: int
    msg_type: str


AppMessage = AppText | AppCardClick | AppOtherEvent | AppOtherMessage


def parse_app_envelope(body: bytes | str) -> AppEnvelope:
    """Read ToUserName, AgentID and Encrypt from the app's POST body."""
    root = _xml_root(body)
    encrypt = _xml_text(root, "Encrypt")
    if not encrypt:
        raise MalformedPayload("envelope has no Encrypt")
    return AppEnvelope(to_user=_xml_text(root, "ToUserName"), agent_id=_xml_text(root, "AgentID"), encrypt=encrypt)


def parse_app_message(xml: bytes | str) -> AppMessage:
    """Parse the decrypted app XML; wechatpy does the known types, we do template-card events."""
    root = _xml_root(xml)
    from_user = _required(root, "FromUserName")
    create_time = _int(_required(root, "CreateTime"), "CreateTime")
    msg_type = _required(root, "MsgType").lower()
    to_user = _xml_text(root, "ToUserName")
    agent_id = _xml_text(root, "AgentID")

    if msg_type == "event":
        event = _required(root, "Event").lower()
        event_id = f"{from_user}:{create_time}"
        if event in CARD_EVENTS:
            return AppCardClick(
                msg_id=event_id,
                from_user=from_user,
                to_user=to_user,
                agent_id=agent_id,
                create_time=create_time,
                event=event,
                **read_card(root, _CARD),
            )
        return AppOtherEvent(
            msg_id=event_id,
            from_user=from_user,
            to_user=to_user,
            agent_id=agent_id,
            create_time=create_time,
            event=event,
            event_key=_xml_text(root, "EventKey"),
        )

    msg_id = _xml_text(root, "MsgId") or f"{from_user}:{create_time}"
    message = _wechatpy_parse(xml)
    if msg_type == "text":
        return AppText(
            msg_id=msg_id,
            from_user=str(message.source),
            to_user=str(message.target or ""),
            agent_id=agent_id,
            create_time=int(message.time),
            content=str(message.content or ""),
        )
    return AppOtherMessage(
        msg_id=msg_id,
        from_user=from_user,
        to_user=to_user,
        agent_id=agent_id,
        create_time=create_time,
        msg_type=msg_type,
    )


def _wechatpy_parse(xml: bytes | str) -> Any:
    try:
        return wechatpy_parse_message(xml)
    except (ExpatError, ValueError, KeyError, AttributeError, TypeError) as exc:
        # Not expected once _xml_root accepted the document; kept so nothing escapes unwrapped.
        raise MalformedPayload(f"wechatpy could not parse the message: {exc.__class__.__name__}") from exc


def _xml_root(document: bytes | str) -> dict[str, Any]:
    if not document or not document.strip():
        raise MalformedPayload("empty XML body")
    try:
        # xmltodict refuses entity declarations by default (no billion-laughs, no external entities).
        parsed = xmltodict.parse(document, force_list=_FORCE_LIST)
    except (ExpatError, ValueError, UnicodeDecodeError) as exc:
        raise MalformedPayload(f"body is not well-formed XML: {exc}") from exc
    root = parsed.get("xml") if isinstance(parsed, dict) else None
    if not isinstance(root, dict):
        raise MalformedPayload("XML root element is not a <xml> with children")
    return root


def _xml_text(node: dict[str, Any], name: str) -> str:
    value = node.get(name)
    if value is None:  # absent, or an empty element / empty CDATA
        return ""
    if not isinstance(value, str):
        raise MalformedPayload(f"<{name}> is not a text element")
    return value


def _required(node: dict[str, Any], name: str) -> str:
    value = _xml_text(node, name)
    if not value:
        raise MalformedPayload(f"missing <{name}>")
    return value


def _int(value: str, name: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise MalformedPayload(f"{name} is not an integer")
    return int(value)


def _xml_entries(node: dict[str, Any], outer: str, inner: str) -> Iterator[dict[str, Any]]:
    container = node.get(outer)
    if container is None:
        return
    if not isinstance(container, dict):
        raise MalformedPayload(f"<{outer}> is not a container")
    for raw in container.get(inner) or []:
        if not isinstance(raw, dict):
            raise MalformedPayload(f"<{inner}> is not a container")
        yield raw


def _xml_strings(node: dict[str, Any], outer: str, inner: str) -> list[str]:
    box = node.get(outer) or {}
    if not isinstance(box, dict):
        raise MalformedPayload(f"<{outer}> is not a container")
    texts = box.get(inner) or []
    if not all(isinstance(text, str) for text in texts):
        raise MalformedPayload(f"<{inner}> is not a text element")
    return list(texts)


_CARD = CardFormat(
    text=_xml_text,
    entries=_xml_entries,
    strings=_xml_strings,
    event_key="EventKey",
    task_id="TaskId",
    card_type="CardType",
    response_code="ResponseCode",
    selected_items="SelectedItems",
    selected_item="SelectedItem",  # in _FORCE_LIST
    question_key="QuestionKey",
    option_ids="OptionIds",
    option_id="OptionId",  # in _FORCE_LIST
)
