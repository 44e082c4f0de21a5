"""The reminder sweep: due reminder rows are claimed and turned into outbox messages in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from bot import templates
from bot.clock import Clock
from bot.domain.lifecycle import Action, Status, next_status
from bot.messages import Button, Target
from bot.outbox import Notifier
from config.rules import Rules
from storage.models import Dispute, Reminder, TimelineEvent
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


async def sweep_reminders(
    uow_factory: UnitOfWorkFactory,
    rules: Rules,
    clock: Clock,
    *,
    now: datetime | None = None,
    batch: int = 200,
) -> int:
    """Send every reminder due at `now`, oldest first; returns how many went out. Safe to run concurrently:
    a reminder is claimed, handled and marked done in one transaction."""
    now = now or clock.now()
    total = 0
    while True:
        async with uow_factory() as uow:
            due = await uow.reminders.claim_due(now, batch)
            if not due:
                return total
            notifier = Notifier(uow, clock)
            for reminder in due:
                await _handle(uow, notifier, rules, clock, reminder, now)
                reminder.status, reminder.done_at = "done", now
            await uow.commit()
            total += len(due)


async def _handle(
    uow: UnitOfWork, notifier: Notifier, rules: Rules, clock: Clock, reminder: Reminder, now: datetime
) -> None:
    dispute = await uow.disputes.get(reminder.dispute_id)
    if dispute is None:
        return
    if reminder.kind == "revisit":
        await _revisit(uow, notifier, rules, clock, reminder, dispute, now)
    else:
        log.warning("reminder %s has unknown kind %r; marked done", reminder.id, reminder.kind)


async def _revisit(
    uow: UnitOfWork,
    notifier: Notifier,
    rules: Rules,
    clock: Clock,
    reminder: Reminder,
    dispute: Dispute,
    now: datetime,
) -> None:
    if dispute.status not in (Status.RESOLVED, Status.REVISITING, Status.TRANSFERRED):
        return  # reopened, closed or withdrawn since it was planned: nothing to revisit
    if dispute.status in (Status.RESOLVED, Status.TRANSFERRED):
        before = dispute.status
        dispute.status = next_status(before, Action.START_REVISIT).value
        await uow.disputes.add_event(
            TimelineEvent(
                dispute_id=dispute.id,
                at=now,
                action=Action.START_REVISIT.value,
                from_status=before,
                to_status=dispute.status,
                actor_label="系统",
                detail={"reminder_id": reminder.id},
            )
        )
    total = len([r for r in await uow.reminders.for_dispute(dispute.id) if r.kind == "revisit"])
    target = Target.parse(rules.routing.station_for(dispute.area).police_group)
    owner = dispute.assignee
    uid = uow.people.identity(owner, target.platform) if owner else None
    await notifier.send(
        target,
        "revisit_reminder",
        lambda p: templates.revisit_reminder(dispute, reminder.seq, total, owner.name if owner else "责任民警", p),
        mentions=[uid] if uid else [],
        buttons=[
            Button("满意", "回访", str(dispute.id), "满意"),
            Button("不满意", "回访", str(dispute.id), "不满意"),
        ],
        dispute_id=dispute.id,
    )
