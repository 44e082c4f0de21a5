"""回访 reminders: the owner is @-mentioned in the station's police group with one button per outcome."""

from __future__ import annotations

from bot import templates
from bot.domain.lifecycle import Action, Status, next_status
from bot.messages import Button
from jobs.context import SYSTEM, Sweep
from storage.models import Dispute, Reminder, TimelineEvent

OUTCOME_BUTTONS = (("满意", "满意"), ("基本满意", "基本满意"), ("不满意", "不满意"), ("有反复", "反复"))


async def send_revisit(sweep: Sweep, reminder: Reminder, dispute: Dispute) -> None:
    """回访 reminder to the owner in the station's police group, with one button per outcome."""
    if dispute.status not in (Status.RESOLVED, Status.REVISITING, Status.TRANSFERRED):
        return  # reopened, closed or withdrawn since it was planned: nothing to revisit
    if dispute.status in (Status.RESOLVED, Status.TRANSFERRED):
        before = dispute.status
        dispute.status = next_status(before, Action.START_REVISIT).value
        dispute.updated_at = sweep.now
        await sweep.uow.disputes.add_event(
            TimelineEvent(
                dispute_id=dispute.id,
                at=sweep.now,
                action=Action.START_REVISIT.value,
                from_status=before,
                to_status=dispute.status,
                actor_label=SYSTEM,
                detail={"reminder_id": reminder.id},
            )
        )
    total = sweep.cycle_sizes.get((dispute.id, reminder.created_at), reminder.seq)
    target = (await sweep.route(dispute.area)).police_group
    owner = dispute.assignee
    name = owner.name if owner else "责任民警"
    number = str(dispute.id)
    await sweep.notifier.send(
        target,
        "revisit_reminder",
        lambda p: templates.revisit_reminder(dispute, reminder.seq, total, name, p),
        mentions=sweep.mention(owner, target.platform),
        buttons=[Button(label, "回访", number, args) for label, args in OUTCOME_BUTTONS],
        dispute_id=dispute.id,
    )
