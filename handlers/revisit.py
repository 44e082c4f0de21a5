"""回访: recording the outcome of a revisit; 不满意 or 反复 reopens the record, the last planned one closes it."""

from __future__ import annotations

from bot import templates
from bot.commands import Command
from bot.context import HandlerContext
from bot.domain import deadlines
from bot.domain.errors import BadCommand, IllegalTransition
from bot.domain.lifecycle import Action, Status
from handlers.common import find_dispute, record_event, require, transition
from jobs.store import JobsStore
from storage.models import Dispute, Reminder
from storage.models_jobs import RevisitOutcome

RESULTS = ("基本满意", "不满意", "满意")  # longest first: 不满意 and 基本满意 contain 满意
NO_RECURRENCE = ("无反复", "没有反复", "没反复", "未反复", "不会反复")
REVISITABLE = (Status.RESOLVED, Status.REVISITING, Status.TRANSFERRED)


def parse_outcome(args: str) -> tuple[str | None, bool]:
    """(result, recurred) from what follows `回访 #7`: 满意/基本满意/不满意, and 反复 unless negated."""
    result = next((r for r in RESULTS if r in args), None)
    recurred = "反复" in args and not any(w in args for w in NO_RECURRENCE)
    return result, recurred


def current_plan(reminders: list[Reminder]) -> list[Reminder]:
    """The revisit rows of the latest plan (a record reopened and resolved again gets a new plan)."""
    revisits = [r for r in reminders if r.kind == "revisit"]
    if not revisits:
        return []
    latest = max(r.created_at for r in revisits)
    return [r for r in revisits if r.created_at == latest]


async def record_revisit(ctx: HandlerContext, cmd: Command) -> None:
    require(ctx, "revisit")
    dispute = await find_dispute(ctx, cmd)
    result, recurred = parse_outcome(cmd.args)
    if result is None and not recurred:
        raise BadCommand(
            f"请写明回访结果，例如「回访 #{dispute.id} 满意」（满意/基本满意/不满意，有反复请加「反复」）。"
        )
    if dispute.status not in REVISITABLE:
        raise IllegalTransition(f"{dispute.code} 当前不在回访阶段，无需登记回访。")
    plan = current_plan(await ctx.uow.reminders.for_dispute(dispute.id))
    # the revisit just reminded about and not yet answered, else the next one planned (a revisit done early)
    slot = next((r for r in plan if r.status == "done" and not r.outcome), None) or next(
        (r for r in plan if r.status == "pending"), None
    )
    now = ctx.clock.now()
    outcome = {"result": result, "recurred": recurred, "note": cmd.args, "at": now.isoformat()}
    if slot is not None:
        slot.status, slot.outcome = "done", outcome
        slot.done_at = slot.done_at or now
    JobsStore(ctx.uow).add_outcome(
        RevisitOutcome(
            dispute_id=dispute.id,
            reminder_id=slot.id if slot else None,
            seq=slot.seq if slot else None,
            result=result,
            recurred=recurred,
            recorded_at=now,
            actor_id=ctx.person.id if ctx.person else None,
        )
    )
    if dispute.status in (Status.RESOLVED, Status.TRANSFERRED):
        await transition(ctx, dispute, Action.START_REVISIT)
    remaining = sum(1 for r in plan if r.status == "pending")
    label = result or "有反复"
    tail = ""
    if result == "不满意" or recurred:
        await transition(ctx, dispute, Action.REOPEN, outcome)
        await ctx.uow.reminders.cancel_pending(dispute.id, ["revisit"])
        await _new_resolve_deadline(ctx, dispute)
        tail = f"新的办结时限：{templates.fmt_time(dispute.resolve_by, ctx.clock.tz)}。"
    elif remaining == 0:
        await transition(ctx, dispute, Action.CLOSE, outcome)
        dispute.closed_at = now
    else:
        await record_event(ctx, dispute, "revisit", detail=outcome)
    await ctx.reply(
        "revisit_recorded",
        lambda p: templates.revisit_recorded(dispute, label, recurred, remaining) + tail,
        dispute_id=dispute.id,
    )


async def _new_resolve_deadline(ctx: HandlerContext, dispute: Dispute) -> None:
    """A reopened record is back in the officer's hands with a fresh resolve_by, and 督办 watches it again."""
    now = ctx.clock.now()
    dispute.resolve_by = deadlines.resolve_by(now, dispute.complexity, ctx.rules.deadlines)  # type: ignore[arg-type]
    await ctx.uow.reminders.cancel_pending(dispute.id, ["resolve_overdue"])
    await ctx.uow.reminders.add(
        Reminder(
            kind="resolve_overdue",
            dispute_id=dispute.id,
            seq=1,
            due_at=dispute.resolve_by,
            status="pending",
            created_at=now,
        )
    )
