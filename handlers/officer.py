"""Officer commands: 接单, 反馈, 办结, 查, 补充, 我的待办, 帮助 (typed or clicked, same handlers)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot import templates
from bot.commands import Command
from bot.context import HandlerContext
from bot.domain.errors import BadCommand, IllegalTransition, PermissionDenied
from bot.domain.lifecycle import OPEN, STATUS_LABELS, Action, Status
from bot.extraction.pairing import pair_phones
from bot.outbox import POLICE_ROLES
from handlers.common import find_dispute, record_event, require, transition
from storage.models import Dispute, Party, Reminder, SourceMessage

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
            "progress", lambda p: f"已记录 {dispute.code} 的处置进展：{p.text(note)}", dispute_id=dispute.id
        )
        return
    await transition(ctx, dispute, Action.RESOLVE, {"outcome": note})
    dispute.outcome = note
    dispute.resolved_at = ctx.clock.now()
    await ctx.uow.reminders.cancel_pending(dispute.id, ["resolve_overdue"])
    days = await schedule_revisits(ctx, dispute)
    await ctx.reply("resolved", lambda p: templates.resolved_reply(dispute, days), dispute_id=dispute.id)


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
    """补充/进展: new facts fill the record's missing fields; every change is a timeline event."""
    require(ctx, "supplement")
    dispute = await find_dispute(ctx, cmd)
    own = ctx.person is not None and dispute.reporter_id == ctx.person.id
    if not own and ctx.role not in POLICE_ROLES:
        raise PermissionDenied("您只能补充自己上报的纠纷。其他情况请 @包村民警。")
    if not cmd.args:
        raise BadCommand(f"请写明补充内容，例如「补充 #{dispute.id} 对方电话13800000000」。")
    ex = ctx.services.extractor.extract(cmd.args, ctx.msg.sent_at, None)
    changed: list[str] = []
    known = {p.name for p in dispute.parties}
    phones = pair_phones(cmd.args, ex.parties, ex.phones)
    for name in ex.parties:
        if name not in known:
            dispute.parties.append(Party(name=name, phone=phones.get(name)))
            changed.append(f"当事人:{name}")
    unpaired = [ph for ph in ex.phones if ph not in phones.values() and ph not in {p.phone for p in dispute.parties}]
    for phone in unpaired:
        slot = next((p for p in dispute.parties if not p.phone), None)
        if slot is None:
            dispute.parties.append(Party(name="联系人", phone=phone))
        else:
            slot.phone = phone
        changed.append("电话")
    if ex.location and not dispute.location:
        dispute.location = ex.location
        changed.append("地点")
    dispute.sources.append(
        SourceMessage(
            platform=ctx.msg.platform,
            chat_id=ctx.msg.chat_id,
            message_id=ctx.msg.message_id,
            text=ctx.msg.text,
            sent_at=ctx.msg.sent_at,
        )
    )
    dispute.missing = [
        f
        for f in dispute.missing
        if not (
            (f == "location" and dispute.location)
            or (f == "parties" and any(p.name != "联系人" for p in dispute.parties))
            or (f == "phones" and any(p.phone for p in dispute.parties))
        )
    ]
    dispute.updated_at = ctx.clock.now()
    await record_event(ctx, dispute, "supplement", detail={"note": cmd.args, "changed": changed})
    still = "、".join(templates.FIELD_LABELS.get(f, f) for f in dispute.missing)
    await ctx.reply(
        "supplemented",
        lambda p: f"已补充 {dispute.code}。" + (f"仍缺：{still}。" if still else "信息已齐全。"),
        dispute_id=dispute.id,
    )


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
