"""What every handler needs: finding a record, checking a role, applying a transition with its timeline event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.commands import Command
from bot.context import HandlerContext
from bot.domain.errors import BadCommand, NotFound, PermissionDenied
from bot.domain.lifecycle import Action, Status, next_status
from bot.messages import Target
from storage.models import Dispute, Person, TimelineEvent

ROLE_HINTS = {
    "accept": "只有民警可以接单，请联系责任民警或所领导。",
    "feedback": "只有民警或调解员可以反馈结果。",
    "close": "只有民警可以办结纠纷。",
    "revisit": "只有民警可以登记回访结果。",
    "query": "您没有查看该纠纷的权限。如需了解进展，请联系包村民警。",
    "supplement": "您只能补充自己上报的纠纷。其他情况请 @包村民警。",
}


def require(ctx: HandlerContext, action: str) -> None:
    if not ctx.rules.roles.allows(ctx.role, action):
        raise PermissionDenied(ROLE_HINTS.get(action, "您没有执行该操作的权限，发送「帮助」查看可用指令。"))


async def find_dispute(ctx: HandlerContext, cmd: Command) -> Dispute:
    if cmd.number is None:
        raise BadCommand(f"请带上纠纷编号，例如「{cmd.verb} #7」。")
    dispute = await ctx.uow.disputes.by_number(cmd.number)
    if dispute is None:
        raise NotFound(f"没有找到编号 #{cmd.number:04d} 的纠纷，请核对编号，或发送「我的待办」查看。")
    return dispute


async def record_event(
    ctx: HandlerContext,
    dispute: Dispute,
    action: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    await ctx.uow.disputes.add_event(
        TimelineEvent(
            dispute_id=dispute.id,
            at=ctx.clock.now(),
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor_id=ctx.person.id if ctx.person else None,
            actor_label=ctx.actor_label,
            source_platform=ctx.msg.platform,
            source_message_id=ctx.msg.message_id,
            detail=detail or {},
        )
    )


async def transition(
    ctx: HandlerContext, dispute: Dispute, action: Action, detail: dict[str, Any] | None = None
) -> Status:
    """Move `dispute` through the state machine and append the timeline event, or raise IllegalTransition."""
    before = dispute.status
    after = next_status(before, action)
    dispute.status = after.value
    dispute.updated_at = ctx.clock.now()
    await record_event(ctx, dispute, action.value, from_status=before, to_status=after.value, detail=detail)
    return after


def station_group(ctx: HandlerContext, dispute: Dispute) -> Target:
    return Target.parse(ctx.rules.routing.station_for(dispute.area).police_group)


def mention_of(ctx: HandlerContext, person: Person | None, platform: str) -> list[str]:
    if person is None:
        return []
    uid = ctx.uow.people.identity(person, platform)
    return [uid] if uid else []


def now(ctx: HandlerContext) -> datetime:
    return ctx.clock.now()
