"""Intake: free-text reports become one registered, dispatched (or diverted) record per dispute; follow-ups
from the same reporter fill it in, and the bot asks one short question per missing field."""

from __future__ import annotations

from datetime import timedelta

from bot import templates
from bot.context import HandlerContext
from bot.domain import deadlines
from bot.domain.lifecycle import Action, Status
from bot.extraction import Extraction
from bot.extraction.pairing import pair_phones
from bot.messages import Button, Target
from config.rules import Risk
from handlers.common import mention_of, record_event, require, transition
from handlers.plan import schedule_revisits
from handlers.routing import AreaRoute, diversion_department, responsible_officer, route_for
from storage.models import Dispute, Party, Reminder, SourceMessage

CARD_PLATFORMS = frozenset({"wecom", "dingtalk"})  # platforms that render buttons in a 1:1 card
_RISK_ORDER = {"low": 0, "medium": 1, "high": 2}
DRAFT_STATES = (Status.REGISTERED.value, Status.DISPATCHED.value, Status.TRANSFERRED.value)


def looks_like_report(ctx: HandlerContext) -> bool:
    return ctx.msg.kind == "text" and ctx.msg.addressed


async def register_dispute(ctx: HandlerContext) -> None:
    area = ctx.group.area if ctx.group else None
    ex = await ctx.services.extractor.aextract(ctx.msg.text, ctx.msg.sent_at, area)
    draft = await _open_draft(ctx)
    if draft is not None and not _is_separate_report(ex, draft):
        await fill_in(ctx, draft, ctx.msg.text)
        return
    if not ex.is_dispute:
        await ctx.reply("not_understood", lambda p: templates.NOT_UNDERSTOOD)
        return
    require(ctx, "report")
    dispute = await _create(ctx, ex)
    route = await assign(ctx, dispute)
    _ask_next(dispute)
    await ctx.reply(
        "registered",
        lambda p: templates.registered_reply(dispute, ctx.rules, ctx.clock.tz, p),
        dispute_id=dispute.id,
    )
    await announce(ctx, dispute, route)


async def _open_draft(ctx: HandlerContext) -> Dispute | None:
    """The reporter's latest record in this chat, if it is recent and still early in the loop."""
    if ctx.person is None:
        return None
    window = timedelta(minutes=ctx.services.settings.merge_window_minutes)
    recent = await ctx.uow.disputes.find(
        status=DRAFT_STATES,
        reporter_id=ctx.person.id,
        chat=(ctx.msg.platform, ctx.msg.chat_id),
        reported_since=ctx.msg.sent_at - window,
        limit=1,
    )
    return recent[0] if recent else None


def _is_separate_report(ex: Extraction, draft: Dispute) -> bool:
    """A second report naming its own parties, none shared with a record that already has named parties, is a
    new dispute; anything else from the same reporter inside the window adds to the record."""
    known = {p.name for p in draft.parties if p.name != "联系人"}
    return ex.is_dispute and bool(ex.parties) and bool(known) and not known.intersection(ex.parties)


async def fill_in(ctx: HandlerContext, dispute: Dispute, text: str) -> None:
    """Merge a follow-up message into a record: new parties, phones, place; risk only ever goes up.
    The record's messages are read together, so "是刘某和孙某" after "有人吵架" is understood."""
    area = ctx.group.area if ctx.group else None
    all_text = "\n".join([*(s.text for s in dispute.sources), text])
    combined = await ctx.services.extractor.aextract(all_text, ctx.msg.sent_at, area)
    changed: list[str] = []
    parties = {p.name: p for p in dispute.parties}
    for name in combined.parties:
        if name not in parties:
            parties[name] = Party(name=name)
            dispute.parties.append(parties[name])
            changed.append(f"当事人{name}")
    known_phones = {p.phone for p in dispute.parties if p.phone}
    paired = pair_phones(all_text, list(parties), combined.phones)
    for phone in combined.phones:
        if phone in known_phones:
            continue
        owner = next((name for name, ph in paired.items() if ph == phone), None)
        slot = parties.get(owner) if owner else None
        if slot is None or slot.phone:
            slot = next((p for p in dispute.parties if not p.phone), None)
        if slot is None:
            slot = Party(name="联系人")
            dispute.parties.append(slot)
        slot.phone = phone
        changed.append("电话")
    if combined.location and combined.location != area and (not dispute.location or dispute.location == area):
        dispute.location = combined.location
        changed.append("地点")
    elif dispute.awaiting_field == "location" and not dispute.location and text.strip():
        dispute.location = text.strip()[:60]
        changed.append("地点")
    if combined.risk and _RISK_ORDER.get(combined.risk, 0) > _RISK_ORDER.get(dispute.risk, 0):
        changed.append(f"风险升为{ctx.rules.risk.colour(combined.risk)}色")
        dispute.risk = combined.risk
        dispute.reasons = combined.reasons
    if combined.occurred_at and not dispute.occurred_at:
        dispute.occurred_at = combined.occurred_at
    if dispute.category == ctx.rules.categories.default and combined.category:
        dispute.category = combined.category
    dispute.sources.append(
        SourceMessage(
            platform=ctx.msg.platform,
            chat_id=ctx.msg.chat_id,
            message_id=ctx.msg.message_id,
            text=text,
            sent_at=ctx.msg.sent_at,
        )
    )
    dispute.missing = _still_missing(dispute)
    dispute.updated_at = ctx.clock.now()
    await record_event(ctx, dispute, "supplement", detail={"note": text, "changed": changed})
    _ask_next(dispute)
    await ctx.reply(
        "supplemented",
        lambda p: templates.supplemented_reply(dispute, changed, p),
        dispute_id=dispute.id,
    )


def _still_missing(dispute: Dispute) -> list[str]:
    have = {
        "location": bool(dispute.location),
        "parties": any(p.name != "联系人" for p in dispute.parties),
        "phones": any(p.phone for p in dispute.parties),
    }
    return [f for f in dispute.missing if not have.get(f, False)]


def _ask_next(dispute: Dispute) -> None:
    dispute.awaiting_field = dispute.missing[0] if dispute.missing else None


async def _create(ctx: HandlerContext, ex: Extraction) -> Dispute:
    rules, now = ctx.rules, ctx.clock.now()
    area_name = ctx.group.area if ctx.group and ctx.group.area else rules.routing.default_area
    route = await route_for(ctx.uow, rules, area_name)
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
        town=route.town,
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
    for phone in ex.phones:
        if phone not in phones.values():
            slot = next((p for p in dispute.parties if not p.phone), None)
            if slot is None:
                dispute.parties.append(Party(name="联系人", phone=phone))
            else:
                slot.phone = phone
    for number in ex.id_numbers:
        slot = next((p for p in dispute.parties if not p.id_number), None)
        if slot is not None:
            slot.id_number = number
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


async def assign(ctx: HandlerContext, dispute: Dispute) -> AreaRoute:
    """派单 to the area's officer, or 分流 to the department for 非公安主责 categories (red keeps a police owner).
    Only the record changes here; `announce` sends the notices once the reporter has had the reply."""
    route = await route_for(ctx.uow, ctx.rules, dispute.area)
    officer = await responsible_officer(ctx.uow, route)
    dispute.assignee_id, dispute.assignee = (officer.id, officer) if officer else (None, None)
    department = diversion_department(ctx.rules, dispute)
    if department and dispute.risk != "high":
        await transition(ctx, dispute, Action.TRANSFER, {"department": department})
        dispute.department = department
        await schedule_revisits(ctx, dispute)  # a diverted dispute is tracked and revisited like a resolved one
        return route
    dispute.department = department  # a red 非公安主责 dispute: police own it, the department works alongside
    await transition(
        ctx, dispute, Action.DISPATCH, {"assignee": officer.key if officer else None, "department": department}
    )
    await schedule_deadline_reminders(ctx, dispute)
    return route


async def announce(ctx: HandlerContext, dispute: Dispute, route: AreaRoute) -> None:
    if dispute.status == Status.TRANSFERRED and dispute.department:
        await notify_diversion(ctx, dispute, dispute.department, route)
    else:
        await notify_dispatch(ctx, dispute, route)


async def notify_diversion(ctx: HandlerContext, dispute: Dispute, department: str, route: AreaRoute) -> None:
    """分流 notice: the department handles it; the area officer still tracks it and it is still revisited."""
    officer = dispute.assignee
    name = officer.name if officer else "责任民警"
    await ctx.notifier.send(
        route.police_group,
        "diverted_notice",
        lambda p: templates.diverted_notice(dispute, ctx.rules, department, name, p),
        mentions=mention_of(ctx, officer, route.police_group.platform),
        dispute_id=dispute.id,
    )


async def notify_dispatch(ctx: HandlerContext, dispute: Dispute, route: AreaRoute | None = None) -> None:
    """The 派单 notice in the police work group with the officer @-mentioned, and a 1:1 card with buttons."""
    route = route or await route_for(ctx.uow, ctx.rules, dispute.area)
    officer = dispute.assignee
    name = officer.name if officer else "值班民警"
    buttons = [Button("接单", "接单", str(dispute.id)), Button("反馈", "反馈", str(dispute.id))]
    target = route.police_group
    await ctx.notifier.send(
        target,
        "dispatch",
        lambda p: templates.dispatch_notice(dispute, ctx.rules, ctx.clock.tz, name, p),
        mentions=mention_of(ctx, officer, target.platform),
        buttons=buttons,
        dispute_id=dispute.id,
    )
    uid = ctx.uow.people.identity(officer, target.platform) if officer else None
    if uid and target.platform in CARD_PLATFORMS:
        await ctx.notifier.send(
            Target(target.platform, user_id=uid),
            "dispatch_card",
            lambda p: templates.dispatch_notice(dispute, ctx.rules, ctx.clock.tz, name, p),
            kind="card",
            title=f"【派单】{dispute.code}",
            buttons=buttons,
            dispute_id=dispute.id,
        )
