"""Platform-neutral inbound and outbound message types; handlers only ever see these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ChatKind = Literal["group", "direct"]
InboundKind = Literal["text", "action", "event"]
OutboundKind = Literal["text", "markdown", "card"]


@dataclass(frozen=True)
class InboundMessage:
    """One message or button click from any platform, as the inbox stores it."""

    platform: str
    message_id: str
    chat_id: str
    sender_id: str
    text: str
    sent_at: datetime
    chat_kind: ChatKind = "group"
    kind: InboundKind = "text"
    sender_name: str | None = None
    addressed: bool = True  # the bot was @-mentioned, or it is a 1:1 chat
    mentions: tuple[str, ...] = ()  # platform user ids mentioned besides the bot
    action: str | None = None  # button verb, e.g. "接单"
    action_code: str | None = None  # the record the button belongs to
    reply: dict[str, Any] = field(default_factory=dict)  # platform reply hints (response_url, ...)

    def payload(self) -> dict[str, Any]:
        return {
            "addressed": self.addressed,
            "mentions": list(self.mentions),
            "action": self.action,
            "action_code": self.action_code,
            "reply": self.reply,
        }

    @classmethod
    def from_row(cls, row: Any) -> InboundMessage:
        p = row.payload or {}
        return cls(
            platform=row.platform,
            message_id=row.message_id,
            chat_id=row.chat_id,
            sender_id=row.sender_id,
            text=row.text,
            sent_at=row.sent_at,
            chat_kind=row.chat_kind,
            kind=row.kind,
            sender_name=row.sender_name,
            addressed=bool(p.get("addressed", True)),
            mentions=tuple(p.get("mentions", ())),
            action=p.get("action"),
            action_code=p.get("action_code"),
            reply=dict(p.get("reply") or {}),
        )


@dataclass(frozen=True)
class Target:
    """Where an outbound message goes: a group chat, or one user 1:1."""

    platform: str
    chat_id: str | None = None
    user_id: str | None = None

    def __post_init__(self) -> None:
        if (self.chat_id is None) == (self.user_id is None):
            raise ValueError("a Target needs exactly one of chat_id or user_id")

    @classmethod
    def parse(cls, spec: str) -> Target:
        """'<platform>:<chat id>' as written in routing.yaml."""
        platform, _, chat = spec.partition(":")
        if not platform or not chat:
            raise ValueError(f"{spec!r} is not '<platform>:<chat id>'")
        return cls(platform, chat_id=chat)


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # the same verb a typed command uses
    code: str  # the record's number
    args: str = ""  # what a typed command would carry after the code, e.g. 满意

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "action": self.action, "code": self.code, "args": self.args}


@dataclass(frozen=True)
class OutboundMessage:
    target: Target
    template: str
    text: str
    kind: OutboundKind = "text"
    title: str | None = None
    mentions: tuple[str, ...] = ()  # platform user ids to @-mention
    buttons: tuple[Button, ...] = ()

    def payload(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "mentions": list(self.mentions),
            "buttons": [b.to_dict() for b in self.buttons],
        }
