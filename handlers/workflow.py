"""Side paths of the loop: 转派, 分流, 上提, 转案件, 撤销, 合并."""

from __future__ import annotations

from datetime import datetime

from bot import templates
from bot.commands import Command
from bot.context import HandlerContext
from bot.domain import deadlines
from bot.domain.errors import BadCommand, IllegalTransition, NotFound
from bot.domain.lifecycle import TERMINAL, Action, Status
from config.rules import Complexity, Risk
from handlers.common import find_dispute, mention_of, record_event, require, transition
from handlers.intake import notify_dispatch, notify_diversion
from handlers.plan import schedule_revisits
from handlers.routing import diversion_department, route_for
from storage.models import Dispute


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
    await notify_dispatch(ctx, dispute)


async def divert_dispute(ctx: HandlerContext, cmd: Command) -> None:
    """分流 #7 [部门]: the department handles it and the officer tracks it; red keeps its police owner."""
    require(ctx, "divert")
    dispute = await find_dispute(ctx, cmd)
    department = (
        cmd.args or diversion_department(ctx.rules, dispute) or ctx.rules.routing.departments.get(dispute.category)
    )
    if not department:
        raise BadCommand(f"请写明分流部门，例如「分流 #{dispute.id} 人社局」。")
    if dispute.risk == "high":
        if Status(dispute.status) in TERMINAL or dispute.status == Status.CLOSED:
            raise IllegalTransition(f"{dispute.code} 已结束，不能分流。")
        dispute.department = department
        await record_event(ctx, dispute, "cooperate", detail={"department": department})
        await ctx.reply(
            "diverted",
            lambda p: f"↪️ {dispute.code} 为红色风险，仍由民警主办，已通知{department}协同处置。",
            dispute_id=dispute.id,
        )
        return
    await transition(ctx, dispute, Action.TRANSFER, {"department": department})
    dispute.department = department
    await ctx.uow.reminders.cancel_pending(dispute.id, ["accept_overdue", "resolve_overdue"])
    await schedule_revisits(ctx, dispute)
    await notify_diversion(ctx, dispute, department, await route_for(ctx.uow, ctx.rules, dispute.area))


async def escalate_dispute(ctx: HandlerContext, cmd: Command) -> None:
    """上提一级 (三级调解): village -> station -> county; the next level is told at once."""
    require(ctx, "escalate")
    dispute = await find_dispute(ctx, cmd)
    await escalate(ctx, dispute, cmd.args or "民警申请上提")
    level = templates.LEVEL_LABELS[dispute.level]
    await ctx.reply("escalated", lambda p: f"⬆️ {dispute.code} 已上提至{level}。", dispute_id=dispute.id)


async def escalate(ctx: HandlerContext, dispute: Dispute, reason: str) -> None:
    """Raise the record one level and alert whoever answers at the new level; shared with 督办 jobs."""
    if Status(dispute.status) in TERMINAL or dispute.status == Status.CLOSED:
        raise IllegalTransition(f"{dispute.code} 已结束，不能上提。")
    if dispute.level >= 3:
        raise IllegalTransition(f"{dispute.code} 已在县局调解中心层级，不能再上提。")
    before = dispute.level
    dispute.level += 1
    dispute.updated_at = ctx.clock.now()
    await record_event(
        ctx, dispute, "escalate", detail={"from_level": before, "to_level": dispute.level, "reason": reason}
    )
    route = await route_for(ctx.uow, ctx.rules, dispute.area)
    if dispute.level == 2:
        leader = await ctx.uow.people.by_key(route.leader_key)
        target, who, mentions = (
            route.police_group,
            leader.name if leader else "所领导",
            mention_of(ctx, leader, route.police_group.platform),
        )
    else:
        target, who, mentions = route.county_group or route.police_group, route.county, []
    owner = templates.LEVEL_LABELS[dispute.level]
    await ctx.notifier.send(
        target,
        "escalated_notice",
        lambda p: templates.escalated_notice(dispute, ctx.rules, owner, who, reason, p),
        mentions=mentions,
        dispute_id=dispute.id,
    )


async def regrade_dispute(ctx: HandlerContext, cmd: Command) -> None:
    """定级 #7 红/黄/蓝 or 一般/复杂/疑难: the officer corrects risk or complexity; deadlines follow."""
    require(ctx, "feedback")
    dispute = await find_dispute(ctx, cmd)
    scheme = ctx.rules.risk.schemes[ctx.rules.risk.scheme]
    colours: dict[str, Risk] = {scheme.high: "high", scheme.medium: "medium", scheme.low: "low"}
    levels: dict[str, Complexity] = {"一般": "general", "复杂": "complex", "疑难": "difficult"}
    risk = next((r for word, r in colours.items() if word in cmd.args), None)
    complexity = next((c for word, c in levels.items() if word in cmd.args), None)
    if risk is None and complexity is None:
        raise BadCommand(f"请写明风险等级或复杂程度，例如「定级 #{dispute.id} 红」或「定级 #{dispute.id} 疑难」。")
    before = {
        "risk": dispute.risk,
        "complexity": dispute.complexity,
        "accept_by": _iso(dispute.accept_by),
        "resolve_by": _iso(dispute.resolve_by),
    }
    if risk is not None:
        dispute.risk = risk
        dispute.accept_by = deadlines.accept_by(dispute.reported_at, risk, ctx.rules.deadlines)
        if complexity is None:
            complexity = deadlines.default_complexity(risk, ctx.rules.deadlines)
    if complexity is not None:
        dispute.complexity = complexity
        dispute.resolve_by = deadlines.resolve_by(dispute.reported_at, complexity, ctx.rules.deadlines)
    after = {
        "risk": dispute.risk,
        "complexity": dispute.complexity,
        "accept_by": _iso(dispute.accept_by),
        "resolve_by": _iso(dispute.resolve_by),
    }
    await ctx.uow.reminders.reschedule(dispute.id, "accept_overdue", dispute.accept_by)
    await ctx.uow.reminders.reschedule(dispute.id, "resolve_overdue", dispute.resolve_by)
    dispute.updated_at = ctx.clock.now()
    await record_event(ctx, dispute, "regrade", detail={"before": before, "after": after})
    tz = ctx.clock.tz
    await ctx.reply(
        "regraded",
        lambda p: (
            f"🔧 {dispute.code} 已调整为{ctx.rules.risk.colour(dispute.risk)}色、"
            f"{templates.COMPLEXITY_LABELS[dispute.complexity]}；接单时限 {templates.fmt_time(dispute.accept_by, tz)}，"
            f"办结时限 {templates.fmt_time(dispute.resolve_by, tz)}。"
        ),
        dispute_id=dispute.id,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def convert_dispute(ctx: HandlerContext, cmd: Command) -> None:
    await _leave_mediation(ctx, cmd, "convert", Action.CONVERT, "converted", "⚖️ {code} 已转为案件办理。")


async def withdraw_dispute(ctx: HandlerContext, cmd: Command) -> None:
    await _leave_mediation(ctx, cmd, "withdraw", Action.WITHDRAW, "withdrawn", "🗑️ {code} 已撤销。")


async def _leave_mediation(
    ctx: HandlerContext, cmd: Command, permission: str, action: Action, template: str, text: str
) -> None:
    """转案件 and 撤销: the record leaves mediation for good, with the note as given; no reminder of it remains."""
    require(ctx, permission)
    dispute = await find_dispute(ctx, cmd)
    await transition(ctx, dispute, action, {"note": cmd.args})
    await ctx.uow.reminders.cancel_pending(dispute.id, ["revisit", "accept_overdue", "resolve_overdue"])
    await ctx.reply(template, lambda p: text.format(code=dispute.code), dispute_id=dispute.id)


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
