"""Console input lines (`<persona>: <text>`) become neutral inbound messages."""

from __future__ import annotations

import re
from datetime import datetime

from bot.channels.console.settings import PLATFORM, DemoWorld
from bot.messages import InboundMessage

_LINE = re.compile(r"^\s*([^:：]{1,16})\s*[:：]\s*(.*)$")


class ConsoleInputError(ValueError):
    pass


def parse_line(line: str, world: DemoWorld, seq: int, sent_at: datetime, bot_name: str) -> InboundMessage:
    m = _LINE.match(line)
    if not m:
        raise ConsoleInputError("请按「角色: 内容」输入，例如「网格员: 报告一起纠纷……」，或「/time +1d」调整时间。")
    persona, text = m.group(1).strip(), m.group(2).strip()
    person = world.persona(persona)
    if person is None:
        names = "、".join(p.persona for p in world.people)
        raise ConsoleInputError(f"没有角色「{persona}」。可用角色：{names}。")
    text = re.sub(rf"^@{re.escape(bot_name)}\s*", "", text)
    return InboundMessage(
        platform=PLATFORM,
        message_id=f"console-{seq}",
        chat_id=person.group,
        sender_id=person.key,
        sender_name=person.name,
        text=text,
        sent_at=sent_at,
        chat_kind="group",
        addressed=True,
    )
