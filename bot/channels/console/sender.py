"""The console sender: prints each outbound message with its target group, and keeps what it printed."""

from __future__ import annotations

from collections.abc import Callable

from bot.channels.console.settings import PLATFORM, DemoWorld
from storage.models import OutboxMessage


class ConsoleSender:
    platform = PLATFORM

    def __init__(self, world: DemoWorld, bot_name: str, write: Callable[[str], None] = print) -> None:
        self.world, self.bot_name, self.write = world, bot_name, write
        self.sent: list[OutboxMessage] = []

    def _target_name(self, message: OutboxMessage) -> str:
        if message.chat_id:
            return next((g.name for g in self.world.groups if g.chat_id == message.chat_id), message.chat_id)
        person = next((p for p in self.world.people if p.key == message.user_id), None)
        return f"私聊 {person.name if person else message.user_id}"

    async def send(self, message: OutboxMessage) -> None:
        self.sent.append(message)
        lines = [f"[{self._target_name(message)}] 🤖 {self.bot_name}："]
        lines += [f"    {line}" for line in message.text.splitlines()]
        buttons = (message.payload or {}).get("buttons") or []
        if buttons:
            lines.append("    " + "  ".join(f"[{b['label']}]" for b in buttons))
        self.write("\n".join(lines))
