"""Pure parsers for the 智能机器人's callbacks: the JSON envelope and the decrypted JSON message or event."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from bot.channels.wecom.cards import CARD_EVENTS, CardFormat, SelectedItem, read_card
from bot.channels.wecom.crypto import MalformedPayload

__all__ = [
    "BotEvent",
    "BotMessage",
    "BotPayload",
    "ChatType",
    "parse_bot_envelope",
    "parse_bot_payload",
    "strip_mention",
]

ChatType = Literal["single", "group"]


@dataclass(frozen=True, slots=True)
class BotMessage:
    """A user message (text, mixed, voice, image, file) or a stream-refresh callback (msg_type 'stream')."""

    msg_id: str  # "" only on stream refreshes, which need no dedup
    aibot_id: str
    chat_id: str  # "" in a single chat
    chat_type: ChatType
    from_user: str
    response_url: str
    msg_type: str
    text: str  # with the leading @BotName mention removed
    raw_text: str  # as WeCom sent it
    stream_id: str  # set for msg_type 'stream'
    image_urls: tuple[str, ...]
    quote_text: str

    @property
    def session_key(self) -> str:
        """chatid for a group, the sender for a single chat (as AstrBot does)."""
        return self.chat_id if self.chat_type == "group" else self.from_user


@dataclass(frozen=True, slots=True)
class BotEvent:
    """msgtype 'event': enter_chat, template_card_event, feedback_event, ..."""

    msg_id: str  # "开发者需据此进行事件排重"
    aibot_id: str
    chat_id: str
    chat_type: ChatType
    from_user: str
    response_url: str
    create_time: int | None
    event_type: str
    event_key: str
    task_id: str
    card_type: str
    response_code: str
    selected_items: tuple[SelectedItem, ...]

    @property
    def session_key(self) -> str:
        return self.chat_id if self.chat_type == "group" else self.from_user


BotPayload = BotMessage | BotEvent

# A leading "@Name" and the whitespace after it. \s covers U+0020, U+3000 (full-width) and U+2005,
# the separator WeCom clients put after a mention picked from the member list.
_ANY_MENTION = re.compile(r"\s*@\S+(?:\s+|$)")


def strip_mention(text: str, bot_name: str | None = None) -> str:
    """Drop the leading "@BotName " (half- or full-width space) that WeCom keeps in group text.

    Without bot_name the first "@token" is dropped; pass the name when it contains spaces.
    """
    if bot_name:
        pattern = re.compile(rf"\s*@{re.escape(bot_name)}(?:\s+|$)")
        match = pattern.match(text)
    else:
        match = _ANY_MENTION.match(text)
    return text[match.end() :] if match else text


def parse_bot_envelope(body: bytes | str) -> str:
    """Return the ciphertext of a 智能机器人 POST body {"encrypt": "..."}."""
    data = _json_object(body)
    encrypt = data.get("encrypt")
    if not isinstance(encrypt, str) or not encrypt:
        raise MalformedPayload("envelope has no encrypt string")
    return encrypt


def parse_bot_payload(plaintext: bytes | str, *, bot_name: str | None = None) -> BotPayload:
    """Parse the decrypted 智能机器人 JSON into a BotMessage or a BotEvent."""
    data = _json_object(plaintext)
    msg_type = _json_str(data, "msgtype", required=True)
    chat_type_raw = _json_str(data, "chattype") or "single"
    if chat_type_raw not in ("single", "group"):
        raise MalformedPayload(f"unknown chattype {chat_type_raw!r}")
    chat_type: ChatType = "group" if chat_type_raw == "group" else "single"
    chat_id = _json_str(data, "chatid", required=chat_type == "group")
    is_refresh = msg_type == "stream"
    msg_id = _json_str(data, "msgid", required=not is_refresh)
    from_user = _json_str(_json_obj(data, "from"), "userid", required=not is_refresh)
    aibot_id = _json_str(data, "aibotid")
    response_url = _json_str(data, "response_url")

    if msg_type == "event":
        event = _json_obj(data, "event")
        event_type = _json_str(event, "eventtype", required=True)
        card = _json_obj(event, event_type) if event_type in CARD_EVENTS else {}
        create_time = data.get("create_time")
        if create_time is not None and (isinstance(create_time, bool) or not isinstance(create_time, int)):
            raise MalformedPayload("create_time is not an integer")
        return BotEvent(
            msg_id=msg_id,
            aibot_id=aibot_id,
            chat_id=chat_id,
            chat_type=chat_type,
            from_user=from_user,
            response_url=response_url,
            create_time=create_time,
            event_type=event_type,
            **read_card(card, _CARD),
        )

    raw_text, image_urls = _json_content(data, msg_type)
    text = strip_mention(raw_text, bot_name) if chat_type == "group" else raw_text
    quote = _json_obj(data, "quote")
    quote_text = _json_content(quote, _json_str(quote, "msgtype"))[0] if quote else ""
    return BotMessage(
        msg_id=msg_id,
        aibot_id=aibot_id,
        chat_id=chat_id,
        chat_type=chat_type,
        from_user=from_user,
        response_url=response_url,
        msg_type=msg_type,
        text=text,
        raw_text=raw_text,
        stream_id=_json_str(_json_obj(data, "stream"), "id", required=True) if is_refresh else "",
        image_urls=image_urls,
        quote_text=quote_text,
    )


def _json_content(data: dict[str, Any], msg_type: str) -> tuple[str, tuple[str, ...]]:
    """Text and image URLs of a text/voice/image/mixed body (also used for the quoted message)."""
    if msg_type in ("text", "voice"):  # voice arrives already transcribed in .content
        return _json_str(_json_obj(data, msg_type), "content"), ()
    if msg_type == "image":
        url = _json_str(_json_obj(data, "image"), "url")
        return "", ((url,) if url else ())
    if msg_type == "mixed":
        items = _json_obj(data, "mixed").get("msg_item") or []
        if not isinstance(items, list):
            raise MalformedPayload("mixed.msg_item is not a list")
        texts: list[str] = []
        urls: list[str] = []
        for item in items:
            if not isinstance(item, dict):
                raise MalformedPayload("mixed.msg_item entry is not an object")
            item_text, item_urls = _json_content(item, _json_str(item, "msgtype"))
            if item_text:
                texts.append(item_text)
            urls.extend(item_urls)
        return "\n".join(texts), tuple(urls)
    return "", ()


def _json_object(document: bytes | str) -> dict[str, Any]:
    if not document or not document.strip():
        raise MalformedPayload("empty JSON body")
    try:
        data = json.loads(document)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise MalformedPayload(f"body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedPayload("JSON body is not an object")
    return data


def _json_obj(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedPayload(f"{key} is not an object")
    return value


def _json_str(data: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise MalformedPayload(f"missing {key}")
        return ""
    if not isinstance(value, str):
        raise MalformedPayload(f"{key} is not a string")
    return value


def _json_entries(node: dict[str, Any], outer: str, inner: str) -> Iterator[dict[str, Any]]:
    raw_items = _json_obj(node, outer).get(inner) or []
    if not isinstance(raw_items, list):
        raise MalformedPayload(f"{outer}.{inner} is not a list")
    for raw in raw_items:
        if not isinstance(raw, dict):
            raise MalformedPayload(f"{inner} entry is not an object")
        yield raw


def _json_strings(node: dict[str, Any], outer: str, inner: str) -> list[str]:
    texts = _json_obj(node, outer).get(inner) or []
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        raise MalformedPayload(f"{outer}.{inner} is not a list of strings")
    return texts


_CARD = CardFormat(
    text=_json_str,
    entries=_json_entries,
    strings=_json_strings,
    event_key="event_key",
    task_id="task_id",
    card_type="card_type",
    response_code="response_code",
    selected_items="selected_items",
    selected_item="selected_item",
    question_key="question_key",
    option_ids="option_ids",
    option_id="option_id",
)
