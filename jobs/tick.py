"""All due work as of one moment: reminders swept into the outbox, then the outbox drained."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from jobs.reminders import sweep_reminders

if TYPE_CHECKING:
    from bot.app import Bot


@dataclass(frozen=True)
class TickResult:
    reminders: int
    sent: int


async def run_due(bot: Bot, now: datetime | None = None) -> TickResult:
    reminders = await sweep_reminders(bot.uow_factory, bot.rules, bot.clock, now=now)
    sent = await bot.dispatcher.drain()
    return TickResult(reminders=reminders, sent=sent)
