"""Intake: a free-text report becomes a registered, dispatched dispute record with one reply and one notice."""

from __future__ import annotations

from bot import templates
from bot.context import HandlerContext
from bot.domain import deadlines
from bot.domain.lifecycle import Action, Status
from bot.extraction import Extraction
from bot.extraction.pairing import pair_phones
from bot.messages import Button
from config.rules import Risk
from handlers.common import mention_of, record_event, require, station_group, transition
from storage.models import Dispute, Party, Reminder, SourceMessage


def looks_like_report(ctx: HandlerContext) -> bool:
    return ctx.msg.kind == "text" and ctx.msg.addressed


async def register_dispute(ctx: HandlerContext) -> None:
    area = ctx.group.area if ctx.group else None
    ex = ctx.services.extractor.extract(ctx.msg.text, ctx.msg.sent_at, area)
    if not ex.is_dispute:
        await ctx.reply("not_understood", lambda p: templates.NOT_UNDERSTOOD)
        return
    require(ctx, "report")
    dispute = await _create(ctx, ex)
    await ctx.reply(
        "registered",
        lambda p: templates.registered_reply(dispute, ctx.rules, ctx.clock.tz, p),
        dispute_id=dispute.id,
    )
    await dispatch(ctx, dispute)


async def _create(ctx: HandlerContext, ex: Extraction) -> Dispute:
    rules, now = ctx.rules, ctx.clock.now()
    area_name = ctx.group.area if ctx.group and ctx.group.area else rules.routing.default_area
    area = rules.routing.area_for(area_name)
    risk: Risk = ex.risk if ex.risk in ("high", "medium", "low") else "low"  # type: ignore[assignment]
    complexity = deadlines.default_complexity(risk, rules.deadlines)
    dispute = Dispute(
        category=ex.category or rules.categories.default,
        risk=risk,
        complexity=complexity,
        status=Status.REGISTERED.value,
        level=1,
        summary=ex.summary or ctx.msg.text[:60],
        location=ex.location,
        town=area.town or None,
        area=area_name,
        occurred_at=ex.occurred_at,
        reported_at=ctx.msg.sent_at,
        reporter_id=ctx.person.id if ctx.person else None,
        head_count=ex.head_count,
        amount=ex.amount,
        accept_by=deadlines.accept_by(now, risk, rules.deadlines),
        resolve_by=deadlines.resolve_by(now, complexity, rules.deadlines),
        reasons=ex.reasons,
        missing=ex.missing,
        origin_platform=ctx.msg.platform,
        origin_chat_id=ctx.msg.chat_id,
        updated_at=now,
    )
    phones = pair_phones(ctx.msg.text, ex.parties, ex.phones)
    dispute.parties = [Party(name=name, phone=phones.get(name)) for name in ex.parties]
    if not ex.parties and ex.phones:
        dispute.parties = [Party(name="联系人", phone=ex.phones[0])]
    dispute.sources = [
        SourceMessage(
            platform=ctx.msg.platform,
            chat_id=ctx.msg.chat_id,
            message_id=ctx.msg.message_id,
            text=ctx.msg.text,
            sent_at=ctx.msg.sent_at,
        )
    ]
    await ctx.uow.disputes.add(dispute)
    local_day = ctx.msg.sent_at.astimezone(ctx.clock.tz).strftime("%Y%m%d")
    dispute.code = f"JF-{local_day}-{dispute.id:04d}"
    await record_event(
        ctx,
        dispute,
        "register",
        to_status=Status.REGISTERED.value,
        detail={"category": dispute.category, "risk": dispute.risk, "reasons": ex.reasons},
    )
    return dispute


async def schedule_deadline_reminders(ctx: HandlerContext, dispute: Dispute) -> None:
    """督办 rows: the sweep alerts or escalates if the record is still not accepted / resolved by then."""
    now = ctx.clock.now()
    for kind, due in (("accept_overdue", dispute.accept_by), ("resolve_overdue", dispute.resolve_by)):
        if due is not None:
            await ctx.uow.reminders.add(
                Reminder(kind=kind, dispute_id=dispute.id, seq=1, due_at=due, status="pending", created_at=now)
            )


async def dispatch(ctx: HandlerContext, dispute: Dispute) -> None:
    """派单: the area's responsible officer becomes the assignee and is @-mentioned in the police group."""
    routing = ctx.rules.routing
    officer = await ctx.uow.people.by_key(routing.area_for(dispute.area).officer)
    if officer is None:  # nobody to dispatch to: the station leader hears of it instead
        officer = await ctx.uow.people.by_key(routing.station_for(dispute.area).leader)
    dispute.assignee_id = officer.id if officer else None
    dispute.assignee = officer
    await transition(ctx, dispute, Action.DISPATCH, {"assignee": officer.key if officer else None})
    await schedule_deadline_reminders(ctx, dispute)
    target = station_group(ctx, dispute)
    name = officer.name if officer else "值班民警"
    await ctx.notifier.send(
        target,
        "dispatch",
        lambda p: templates.dispatch_notice(dispute, ctx.rules, ctx.clock.tz, name, p),
        mentions=mention_of(ctx, officer, target.platform),
        buttons=[Button("接单", "接单", str(dispute.id)), Button("反馈", "反馈", str(dispute.id))],
        dispute_id=dispute.id,
    )
