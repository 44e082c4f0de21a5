"""回访: recording the outcome of a revisit; 不满意 or 反复 reopens the record, the last one closes it."""

from __future__ import annotations

from bot import templates
from bot.commands import Command
from bot.context import HandlerContext
from bot.domain.errors import BadCommand, IllegalTransition
from bot.domain.lifecycle import Action, Status
from handlers.common import find_dispute, record_event, require, transition

RESULTS = ("基本满意", "不满意", "满意")  # longest first: 不满意 and 基本满意 contain 满意


async def record_revisit(ctx: HandlerContext, cmd: Command) -> None:
    require(ctx, "revisit")
    dispute = await find_dispute(ctx, cmd)
    result = next((r for r in RESULTS if r in cmd.args), None)
    if result is None:
        raise BadCommand(
            f"请写明回访结果，例如「回访 #{dispute.id} 满意」（满意/基本满意/不满意，有反复请加「反复」）。"
        )
    recurred = "反复" in cmd.args and "无反复" not in cmd.args and "没有反复" not in cmd.args
    if dispute.status not in (Status.RESOLVED, Status.REVISITING):
        raise IllegalTransition(f"{dispute.code} 当前不在回访阶段，无需登记回访。")
    reminders = [r for r in await ctx.uow.reminders.for_dispute(dispute.id) if r.kind == "revisit"]
    slot = next((r for r in reminders if r.status == "done" and not r.outcome), None) or next(
        (r for r in reminders if r.status == "pending"), None
    )
    now = ctx.clock.now()
    outcome = {"result": result, "recurred": recurred, "note": cmd.args, "at": now.isoformat()}
    if slot is not None:
        slot.status, slot.outcome = "done", outcome
        slot.done_at = slot.done_at or now
    if dispute.status == Status.RESOLVED:
        await transition(ctx, dispute, Action.START_REVISIT)
    remaining = sum(1 for r in reminders if r.status == "pending")
    if result == "不满意" or recurred:
        await transition(ctx, dispute, Action.REOPEN, outcome)
        await ctx.uow.reminders.cancel_pending(dispute.id, ["revisit"])
    elif remaining == 0:
        await transition(ctx, dispute, Action.CLOSE, outcome)
        dispute.closed_at = now
    else:
        await record_event(ctx, dispute, "revisit", detail=outcome)
    await ctx.reply(
        "revisit_recorded",
        lambda p: templates.revisit_recorded(dispute, result, recurred, remaining),
        dispute_id=dispute.id,
    )
