"""Officer commands: 接单, 反馈, 办结, 查, 补充, 我的待办, 帮助 (typed or clicked, same handlers)."""

from __future__ import annotations

from bot import templates
from bot.commands import Command
from bot.context import HandlerContext
from bot.domain.errors import BadCommand, IllegalTransition, PermissionDenied
from bot.domain.lifecycle import OPEN, STATUS_LABELS, Action, Status
from bot.outbox import POLICE_ROLES
from handlers.common import find_dispute, record_event, require, transition
from handlers.intake import fill_in
from handlers.plan import schedule_revisits

UNRESOLVED_WORDS = ("未化解", "没有化解", "调解不成", "调解未成", "无法化解", "未调解成功")


async def accept_dispute(ctx: HandlerContext, cmd: Command) -> None:
    require(ctx, "accept")
    dispute = await find_dispute(ctx, cmd)
    if dispute.status == Status.ACCEPTED and dispute.assignee_id is not None:
        who = dispute.assignee.name if dispute.assignee else "其他民警"
        raise IllegalTransition(f"{dispute.code} 已由 {who} 接单，无需重复接单。")
    await transition(ctx, dispute, Action.ACCEPT)
    assert ctx.person is not None
    dispute.assignee_id, dispute.assignee = ctx.person.id, ctx.person
    dispute.accepted_at = ctx.clock.now()
    await ctx.uow.reminders.cancel_pending(dispute.id, ["accept_overdue"])
    await ctx.reply(
        "accepted",
        lambda p: templates.accepted_reply(dispute, ctx.person.name if ctx.person else "", ctx.clock.tz),
        dispute_id=dispute.id,
    )


async def feedback_dispute(ctx: HandlerContext, cmd: Command) -> None:
    require(ctx, "feedback")
    dispute = await find_dispute(ctx, cmd)
    note = cmd.args.strip()
    if not note:
        raise BadCommand(f"请写明处置结果，例如「反馈 #{dispute.id} 已化解 双方达成调解协议」。")
    if any(w in note for w in UNRESOLVED_WORDS):
        await record_event(ctx, dispute, "progress", detail={"note": note})
        await ctx.reply(
            "progress", lambda p: f"已记录 {dispute.code} 的处置进展：{p.free_text(note)}", dispute_id=dispute.id
        )
        return
    await transition(ctx, dispute, Action.RESOLVE, {"outcome": note})
    dispute.outcome = note
    dispute.resolved_at = ctx.clock.now()
    await ctx.uow.reminders.cancel_pending(dispute.id, ["resolve_overdue"])
    days = await schedule_revisits(ctx, dispute)
    await ctx.reply("resolved", lambda p: templates.resolved_reply(dispute, days, p), dispute_id=dispute.id)


async def close_dispute(ctx: HandlerContext, cmd: Command) -> None:
    require(ctx, "close")
    dispute = await find_dispute(ctx, cmd)
    await transition(ctx, dispute, Action.CLOSE, {"note": cmd.args} if cmd.args else None)
    dispute.closed_at = ctx.clock.now()
    await ctx.uow.reminders.cancel_pending(dispute.id, ["revisit", "accept_overdue", "resolve_overdue"])
    await ctx.reply("closed", lambda p: templates.closed_reply(dispute), dispute_id=dispute.id)


async def query_dispute(ctx: HandlerContext, cmd: Command) -> None:
    dispute = await find_dispute(ctx, cmd)
    own = ctx.person is not None and dispute.reporter_id == ctx.person.id
    if not (ctx.rules.roles.allows(ctx.role, "query") or (own and ctx.rules.roles.allows(ctx.role, "query_own"))):
        raise PermissionDenied("您只能查看自己上报的纠纷。如需了解进展，请联系包村民警。")
    events = await ctx.uow.disputes.timeline(dispute.id)
    await ctx.reply(
        "detail",
        lambda p: templates.detail(dispute, ctx.rules, ctx.clock.tz, events, p),
        dispute_id=dispute.id,
    )


async def supplement_dispute(ctx: HandlerContext, cmd: Command) -> None:
    """补充/进展 #7 ...: the reporter or police add facts; missing fields are filled, all in the timeline."""
    require(ctx, "supplement")
    dispute = await find_dispute(ctx, cmd)
    own = ctx.person is not None and dispute.reporter_id == ctx.person.id
    if not own and ctx.role not in POLICE_ROLES:
        raise PermissionDenied("您只能补充自己上报的纠纷。其他情况请 @包村民警。")
    if not cmd.args:
        raise BadCommand(f"请写明补充内容，例如「补充 #{dispute.id} 对方电话13800000000」。")
    await fill_in(ctx, dispute, cmd.args)


async def my_todo(ctx: HandlerContext, cmd: Command) -> None:
    if ctx.person is None or ctx.role not in POLICE_ROLES:
        raise PermissionDenied("「我的待办」仅供民警使用。上报纠纷请直接描述情况。")
    rows = await ctx.uow.disputes.find(
        status=[*(s.value for s in OPEN), Status.RESOLVED.value, Status.REVISITING.value],
        assignee_id=ctx.person.id,
    )
    tz = ctx.clock.tz
    lines = [f"📌 {ctx.person.name} 的待办（{len(rows)} 件）："] + [
        f"{d.code}｜{ctx.rules.risk.colour(d.risk)}｜{STATUS_LABELS[Status(d.status)]}｜"
        f"办结时限 {templates.fmt_time(d.resolve_by, tz)}"
        for d in rows
    ]
    await ctx.reply("todo", lambda p: "\n".join(lines) if rows else "暂无待办。")


async def show_help(ctx: HandlerContext, cmd: Command) -> None:
    await ctx.reply("help", lambda p: templates.HELP)
