"""Side paths of the loop: 转派, 分流, 上提, 转案件, 撤销, 合并."""

from __future__ import annotations

from bot import templates
from bot.commands import Command
from bot.context import HandlerContext
from bot.domain.errors import BadCommand, IllegalTransition, NotFound
from bot.domain.lifecycle import TERMINAL, Action, Status
from bot.messages import Button
from handlers.common import find_dispute, mention_of, record_event, require, station_group, transition


async def reassign_dispute(ctx: HandlerContext, cmd: Command) -> None:
    """转派 #7 @某人 (a platform mention, a person key or a registered name)."""
    require(ctx, "transfer")
    dispute = await find_dispute(ctx, cmd)
    person = None
    for uid in ctx.msg.mentions:
        person = await ctx.uow.people.by_identity(ctx.msg.platform, uid)
        if person:
            break
    if person is None:
        wanted = cmd.args.lstrip("@").strip()
        person = await ctx.uow.people.by_key(wanted) if wanted else None
        if person is None and wanted:
            person = next((p for p in await ctx.uow.people.all() if p.name == wanted), None)
    if person is None or person.role not in ("officer", "leader"):
        raise BadCommand(f"请 @ 要转派的民警，例如「转派 #{dispute.id} @王警官」。")
    await transition(ctx, dispute, Action.REASSIGN, {"to": person.key})
    dispute.assignee_id, dispute.assignee = person.id, person
    target = station_group(ctx, dispute)
    await ctx.notifier.send(
        target,
        "dispatch",
        lambda p: templates.dispatch_notice(dispute, ctx.rules, ctx.clock.tz, person.name, p),
        mentions=mention_of(ctx, person, target.platform),
        buttons=[Button("接单", "接单", str(dispute.id)), Button("反馈", "反馈", str(dispute.id))],
        dispute_id=dispute.id,
    )


async def divert_dispute(ctx: HandlerContext, cmd: Command) -> None:
    """分流 #7 [部门]: non-police disputes go to the department; red ones keep their police owner."""
    require(ctx, "divert")
    dispute = await find_dispute(ctx, cmd)
    department = cmd.args or ctx.rules.routing.departments.get(dispute.category)
    if not department:
        raise BadCommand(f"请写明分流部门，例如「分流 #{dispute.id} 人社局」。")
    await transition(ctx, dispute, Action.TRANSFER, {"department": department})
    dispute.department = department
    keep = "，红色风险仍由责任民警跟进" if dispute.risk == "high" else ""
    await ctx.reply("diverted", lambda p: f"↪️ {dispute.code} 已分流至{department}{keep}。", dispute_id=dispute.id)


async def escalate_dispute(ctx: HandlerContext, cmd: Command) -> None:
    """上提一级 (三级调解): village -> station -> county."""
    require(ctx, "escalate")
    dispute = await find_dispute(ctx, cmd)
    if Status(dispute.status) in TERMINAL or dispute.status == Status.CLOSED:
        raise IllegalTransition(f"{dispute.code} 已结束，不能上提。")
    if dispute.level >= 3:
        raise IllegalTransition(f"{dispute.code} 已在县局调解中心层级，不能再上提。")
    before = dispute.level
    dispute.level += 1
    dispute.updated_at = ctx.clock.now()
    await record_event(ctx, dispute, "escalate", detail={"from_level": before, "to_level": dispute.level})
    level = templates.LEVEL_LABELS[dispute.level]
    await ctx.reply("escalated", lambda p: f"⬆️ {dispute.code} 已上提至{level}。", dispute_id=dispute.id)


async def convert_dispute(ctx: HandlerContext, cmd: Command) -> None:
    require(ctx, "convert")
    dispute = await find_dispute(ctx, cmd)
    await transition(ctx, dispute, Action.CONVERT, {"note": cmd.args})
    await ctx.uow.reminders.cancel_pending(dispute.id, ["revisit", "accept_overdue", "resolve_overdue"])
    await ctx.reply("converted", lambda p: f"⚖️ {dispute.code} 已转为案件办理。", dispute_id=dispute.id)


async def withdraw_dispute(ctx: HandlerContext, cmd: Command) -> None:
    require(ctx, "withdraw")
    dispute = await find_dispute(ctx, cmd)
    await transition(ctx, dispute, Action.WITHDRAW, {"note": cmd.args})
    await ctx.uow.reminders.cancel_pending(dispute.id, ["revisit", "accept_overdue", "resolve_overdue"])
    await ctx.reply("withdrawn", lambda p: f"🗑️ {dispute.code} 已撤销。", dispute_id=dispute.id)


async def merge_dispute(ctx: HandlerContext, cmd: Command) -> None:
    """合并 #8 到 #7: #8 is a duplicate report of #7."""
    require(ctx, "merge")
    duplicate = await find_dispute(ctx, cmd)
    digits = "".join(ch if ch.isdigit() else " " for ch in cmd.args).split()
    if not digits:
        raise BadCommand(f"请写明合并到哪一件，例如「合并 #{duplicate.id} 到 #7」。")
    main = await ctx.uow.disputes.by_number(int(digits[0]))
    if main is None or main.id == duplicate.id:
        raise NotFound(f"没有找到要合并到的纠纷 #{int(digits[0]):04d}。")
    await transition(ctx, duplicate, Action.MERGE, {"into": main.code})
    duplicate.merged_into_id = main.id
    await record_event(ctx, main, "merge_in", detail={"from": duplicate.code})
    await ctx.reply("merged", lambda p: f"🔗 {duplicate.code} 已合并到 {main.code}。", dispute_id=main.id)
