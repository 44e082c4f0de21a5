"""Outbox rows rendered into WeCom request bodies: byte-limit splitting, mentions, template cards."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.channels.wecom.cards import encode_key

# Limits in UTF-8 bytes (PROTOCOLS A4; app message docs): webhook text 2048 and markdown 4096; the app's
# message/send and appchat/send take 2048 for both.
WEBHOOK_TEXT_BYTES = 2048
WEBHOOK_MARKDOWN_BYTES = 4096
APP_BYTES = 2048
CARD_TITLE_CHARS = 36  # main_title.title: "建议不超过36个字"
CARD_BODY_CHARS = 112  # sub_title_text: "建议不超过112个字"
MAX_BUTTONS = 6
_MOBILE = re.compile(r"^1\d{10}$")
CARD_SEE_ABOVE = "详情见上一条消息，请点击下方按钮处理。"


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def split_utf8(text: str, limit: int) -> list[str]:
    """Split at line ends into chunks of at most `limit` UTF-8 bytes; a longer line is cut between characters.

    Nothing is dropped: "".join(chunks) == text. Each chunk keeps the line end it was cut after."""
    if limit < 4:
        raise ValueError("a limit below 4 bytes cannot hold every character")
    if utf8_len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current, current_len = "", 0
    for line in text.splitlines(keepends=True):
        for piece in _cut_line(line, limit):
            size = utf8_len(piece)
            if current and current_len + size > limit:
                chunks.append(current)
                current, current_len = "", 0
            current += piece
            current_len += size
    if current:
        chunks.append(current)
    return chunks


def _cut_line(line: str, limit: int) -> list[str]:
    if utf8_len(line) <= limit:
        return [line]
    pieces: list[str] = []
    start, size = 0, 0
    for i, ch in enumerate(line):
        width = utf8_len(ch)
        if size + width > limit:
            pieces.append(line[start:i])
            start, size = i, 0
        size += width
    pieces.append(line[start:])
    return pieces


def send_chunks(text: str, limit: int) -> list[str]:
    """Chunks as sent: without the line end at each cut; chunks that are only whitespace are not sent."""
    return [c.rstrip("\n") for c in split_utf8(text, limit) if c.strip()]


# ---- message bodies -----------------------------------------------------------------------------------------


def buttons_of(payload: dict[str, Any]) -> list[dict[str, str]]:
    raw = payload.get("buttons") or []
    return [b for b in raw if isinstance(b, dict) and b.get("action")][:MAX_BUTTONS]


def compose(kind: str, text: str, title: str | None) -> str:
    """The message text with its title on top: bold in markdown, a plain first line otherwise."""
    if not title or text.startswith(title):
        return text
    return f"**{title}**\n{text}" if kind in ("markdown", "card") else f"{title}\n{text}"


def typed_hint(text: str, buttons: Sequence[dict[str, str]], bot_name: str) -> str:
    """Where a card cannot be clicked (group robot, appchat), say what to type instead, unless the text does."""
    commands = [" ".join(x for x in (b["action"], f"#{b.get('code', '')}", b.get("args", "")) if x) for b in buttons]
    if not commands or all(c in text for c in commands):
        return text
    return text + "\n" + f"请 @{bot_name} 回复：" + "｜".join(f"「{c}」" for c in commands)


def webhook_bodies(kind: str, text: str, mentions: Sequence[str]) -> list[dict[str, Any]]:
    """群机器人 webhook/send bodies: text with mentioned_list (user ids, "@all") and mentioned_mobile_list (an
    11-digit mobile), or markdown with <@userid>, which cannot mention by mobile; mentions go with the first part."""
    if kind == "text":
        users = [m for m in mentions if not _MOBILE.match(m)]
        mobiles = [m for m in mentions if _MOBILE.match(m)]
        bodies: list[dict[str, Any]] = []
        for i, chunk in enumerate(send_chunks(text, WEBHOOK_TEXT_BYTES)):
            body: dict[str, Any] = {"content": chunk}
            if i == 0 and users:
                body["mentioned_list"] = users
            if i == 0 and mobiles:
                body["mentioned_mobile_list"] = mobiles
            bodies.append({"msgtype": "text", "text": body})
        return bodies
    suffix = "".join(f"<@{m}>" for m in mentions if not _MOBILE.match(m))
    reserve = utf8_len("\n" + suffix) if suffix else 0
    chunks = send_chunks(text, WEBHOOK_MARKDOWN_BYTES - reserve)
    if suffix and chunks:
        chunks[0] += "\n" + suffix
    return [{"msgtype": "markdown", "markdown": {"content": c}} for c in chunks]


def app_bodies(kind: str, text: str, target: dict[str, Any]) -> list[dict[str, Any]]:
    """message/send or appchat/send bodies (`target` holds touser+agentid or chatid)."""
    msgtype = "text" if kind == "text" else "markdown"
    return [{**target, "msgtype": msgtype, msgtype: {"content": c}, "safe": 0} for c in send_chunks(text, APP_BYTES)]


def card_parts(text: str, title: str | None) -> tuple[str, str, bool]:
    """(title, body, fits): the card shows the whole message only when both fit the card's text fields."""
    lines = text.strip("\n").split("\n")
    head = title or lines[0]
    rest = "\n".join(lines if title else lines[1:]).strip()
    fits = len(head) <= CARD_TITLE_CHARS and len(rest) <= CARD_BODY_CHARS
    if not fits:
        head = head if len(head) <= CARD_TITLE_CHARS else head[: CARD_TITLE_CHARS - 1] + "…"
    return head, rest if fits else CARD_SEE_ABOVE, fits


def button_card(task_id: str, title: str, body: str, buttons: Sequence[dict[str, str]], source: str) -> dict[str, Any]:
    """A button_interaction template card; each button's key encodes the command it stands for."""
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": source},
        "main_title": {"title": title},
        "task_id": task_id,
        "button_list": [
            {
                "text": b.get("label") or b["action"],
                "style": 1 if i == 0 else 2,
                "key": encode_key(b["action"], b.get("code", ""), b.get("args", "")),
            }
            for i, b in enumerate(buttons)
        ],
    }
    if body:
        card["sub_title_text"] = body
    return card
