"""督办: past accept_by the station leader is alerted (red again every N minutes until someone accepts);
past resolve_by the record goes up one level (三级调解) and whoever answers there is alerted."""

from __future__ import annotations

from bot.domain.errors import IllegalTransition
from bot.messages import Button
from handlers.workflow import escalate
from jobs import texts
from jobs.context import Sweep
from jobs.rates import UNACCEPTED, UNRESOLVED
from storage.models import Dispute, Reminder


async def accept_overdue(sweep: Sweep, reminder: Reminder, dispute: Dispute) -> None:
    if dispute.status not in UNACCEPTED:
        return  # accepted (or moved on) in time for this alert
    rules, tz, now = sweep.services.rules, sweep.services.clock.tz, sweep.now
    route = await sweep.route(dispute.area)
    leader = await sweep.uow.people.by_key(route.leader_key)
    owner = dispute.assignee
    target = route.police_group
    mentions = list(dict.fromkeys(sweep.mention(leader, target.platform) + sweep.mention(owner, target.platform)))
    owner_name, leader_name = owner.name if owner else "值班民警", leader.name if leader else "所领导"
    await sweep.notifier.send(
        target,
        "accept_overdue",
        lambda p: texts.accept_overdue(dispute, rules, tz, now, reminder.seq, owner_name, leader_name, p),
        mentions=mentions,
        buttons=[Button("接单", "接单", str(dispute.id))],
        dispute_id=dispute.id,
    )
    if dispute.risk in sweep.config.overdue.realert_risk:
        every = sweep.config.overdue.realert_delta
        due = reminder.due_at + every * ((now - reminder.due_at) // every + 1)  # next beat after now, never a burst
        sweep.store.add_reminder(
            Reminder(
                kind="accept_overdue",
                dispute_id=dispute.id,
                seq=reminder.seq + 1,
                due_at=due,
                status="pending",
                created_at=now,
            )
        )


async def resolve_overdue(sweep: Sweep, reminder: Reminder, dispute: Dispute) -> None:
    if dispute.status not in UNRESOLVED:
        return  # resolved (or moved on) in time
    rules, tz, now = sweep.services.rules, sweep.services.clock.tz, sweep.now
    try:
        await escalate(sweep.system_context(reminder), dispute, texts.escalation_reason(dispute, tz))
        return
    except IllegalTransition:
        pass  # already at the county level: nothing above it, the leader is told instead
    route = await sweep.route(dispute.area)
    leader = await sweep.uow.people.by_key(route.leader_key)
    target = route.police_group
    leader_name = leader.name if leader else "所领导"
    await sweep.notifier.send(
        target,
        "resolve_overdue",
        lambda p: texts.resolve_overdue_at_top(dispute, rules, tz, now, leader_name, p),
        mentions=sweep.mention(leader, target.platform),
        dispute_id=dispute.id,
    )
