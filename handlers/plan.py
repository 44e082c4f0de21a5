"""Planning 回访: reminder rows on the revisit schedule of DOMAIN.md §5, at the configured hour."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.context import HandlerContext
from storage.models import Dispute, Reminder


async def schedule_revisits(ctx: HandlerContext, dispute: Dispute) -> list[int]:
    rules = ctx.rules.revisits
    days = rules.after_resolved_days.get(dispute.risk, [7])  # type: ignore[call-overload]
    hh, mm = (int(x) for x in rules.send_at.split(":"))
    base = ctx.clock.now().astimezone(ctx.clock.tz).date()
    now = ctx.clock.now()
    for seq, n in enumerate(days, start=1):
        due = datetime.combine(base + timedelta(days=n), time(hh, mm), tzinfo=ctx.clock.tz)
        await ctx.uow.reminders.add(
            Reminder(kind="revisit", dispute_id=dispute.id, seq=seq, due_at=due, status="pending", created_at=now)
        )
    return list(days)
