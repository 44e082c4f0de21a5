"""Outbox rows as DingTalk messages: webhook bodies (text, markdown, actionCard) and OpenAPI msgKey/msgParam."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from bot.messages import Button
from storage.models import OutboxMessage

MSG_PARAM_MAX_BYTES = 15000  # PROTOCOLS B1: msgParam is a JSON string of at most 15000 bytes
TRUNCATED = "\n…（内容过长，已截断）"
DEFAULT_TITLE = "警务助手"

DingKind = Literal["text", "markdown", "actionCard"]


@dataclass(frozen=True)
class Outgoing:
    """One message in DingTalk's terms; `mentions` are staff ids, `mobiles` phone numbers to @."""

    kind: DingKind
    title: str
    text: str
    mentions: tuple[str, ...] = ()
    mobiles: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()


def outgoing(row: OutboxMessage) -> Outgoing:
    payload = row.payload or {}
    buttons = tuple(
        Button(str(b.get("label", "")), str(b.get("action", "")), str(b.get("code", "")), str(b.get("args", "")))
        for b in payload.get("buttons") or []
        if isinstance(b, dict)
    )
    # @mobile renders the number in the message text, so it is never used where the audience sees masked data
    mobiles = () if payload.get("masked", True) else tuple(str(m) for m in payload.get("mention_mobiles") or [])
    kind: DingKind = "actionCard" if buttons else ("text" if row.kind == "text" else "markdown")
    return Outgoing(
        kind=kind,
        title=str(payload.get("title") or _first_line(row.text)),
        text=row.text,
        mentions=tuple(str(m) for m in payload.get("mentions") or []),
        mobiles=mobiles,
        buttons=buttons,
    )


def command_text(button: Button) -> str:
    """What a typed command for this button looks like: 接单 #7, 回访 #7 满意."""
    return " ".join(p for p in (button.action, f"#{button.code}" if button.code else "", button.args) if p)


def button_url(button: Button) -> str:
    """An actionCard button that makes the officer's client send the typed command into the chat."""
    return "dtmd://dingtalkclient/sendMessage?content=" + quote(command_text(button), safe="")


def with_mentions(text: str, o: Outgoing) -> str:
    """DingTalk only renders an @ when the text also carries "@id" / "@mobile" (PROTOCOLS B2)."""
    missing = [f"@{m}" for m in (*o.mentions, *o.mobiles) if f"@{m}" not in text]
    return f"{text}\n{' '.join(missing)}" if missing else text


def webhook_body(o: Outgoing) -> dict[str, Any]:
    """The JSON for a custom-robot webhook or a sessionWebhook."""
    at = {"atUserIds": list(o.mentions), "atMobiles": list(o.mobiles), "isAtAll": False}
    if o.kind == "text":
        return {"msgtype": "text", "text": {"content": with_mentions(o.text, o)}, "at": at}
    if o.kind == "markdown":
        return {"msgtype": "markdown", "markdown": {"title": o.title, "text": with_mentions(o.text, o)}, "at": at}
    card: dict[str, Any] = {"title": o.title, "text": with_mentions(o.text, o), "btnOrientation": "0"}
    if len(o.buttons) == 1:
        card |= {"singleTitle": o.buttons[0].label, "singleURL": button_url(o.buttons[0])}
    else:
        card["btns"] = [{"title": b.label, "actionURL": button_url(b)} for b in o.buttons]
    return {"msgtype": "actionCard", "actionCard": card, "at": at}


def openapi_message(o: Outgoing) -> tuple[str, str]:
    """(msgKey, msgParam) for robot groupMessages/send and oToMessages/batchSend; msgParam fits 15000 bytes."""
    full = o.text if o.kind == "text" else with_mentions(o.text, o)
    size = len(full.encode("utf-8"))
    limit = size
    while True:
        text = full if limit >= size else _cut_bytes(full, limit) + TRUNCATED
        key, param = _message_param(o, text)
        encoded = json.dumps(param, ensure_ascii=False, separators=(",", ":"))
        excess = len(encoded.encode("utf-8")) - MSG_PARAM_MAX_BYTES
        if excess <= 0 or limit <= 0:
            return key, encoded
        limit = min(limit, size - len(TRUNCATED.encode("utf-8"))) - excess - 16


def _message_param(o: Outgoing, text: str) -> tuple[str, dict[str, str]]:
    if o.kind == "text":
        return "sampleText", {"content": text}
    if o.kind == "markdown" or not o.buttons:
        return "sampleMarkdown", {"title": o.title, "text": text}
    buttons = o.buttons[:5]
    if len(buttons) == 1:
        b = buttons[0]
        return "sampleActionCard", {"title": o.title, "text": text, "singleTitle": b.label, "singleURL": button_url(b)}
    param = {"title": o.title, "text": text}
    for i, b in enumerate(buttons, start=1):
        param[f"actionTitle{i}"], param[f"actionURL{i}"] = b.label, button_url(b)
    return f"sampleActionCard{len(buttons)}", param


def _cut_bytes(text: str, limit: int) -> str:
    return text.encode("utf-8")[: max(limit, 0)].decode("utf-8", "ignore")


def _first_line(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line[:30] or DEFAULT_TITLE
