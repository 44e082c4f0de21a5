"""The dispute lifecycle (DOMAIN.md §3) as one explicit state machine."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.errors import IllegalTransition


class Status(StrEnum):
    REGISTERED = "registered"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    REVISITING = "revisiting"
    CLOSED = "closed"
    TRANSFERRED = "transferred"
    CONVERTED = "converted"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"


class Action(StrEnum):
    DISPATCH = "dispatch"
    REASSIGN = "reassign"
    ACCEPT = "accept"
    RESOLVE = "resolve"
    START_REVISIT = "start_revisit"
    CLOSE = "close"
    TRANSFER = "transfer"
    CONVERT = "convert"
    WITHDRAW = "withdraw"
    MERGE = "merge"
    REOPEN = "reopen"


STATUS_LABELS: dict[Status, str] = {
    Status.REGISTERED: "已登记",
    Status.DISPATCHED: "已派单",
    Status.ACCEPTED: "已接单",
    Status.RESOLVED: "已化解",
    Status.REVISITING: "回访中",
    Status.CLOSED: "已办结",
    Status.TRANSFERRED: "已分流",
    Status.CONVERTED: "已转案件",
    Status.WITHDRAWN: "已撤销",
    Status.MERGED: "已合并",
}

ACTION_LABELS: dict[Action, str] = {
    Action.DISPATCH: "派单",
    Action.REASSIGN: "转派",
    Action.ACCEPT: "接单",
    Action.RESOLVE: "反馈化解",
    Action.START_REVISIT: "开始回访",
    Action.CLOSE: "办结",
    Action.TRANSFER: "分流",
    Action.CONVERT: "转案件",
    Action.WITHDRAW: "撤销",
    Action.MERGE: "合并",
    Action.REOPEN: "重新办理",
}

_OPEN_EARLY = (Status.REGISTERED, Status.DISPATCHED, Status.ACCEPTED)

# (from, action) -> to. Anything not listed is illegal. `reopen` is the side path of §3: a revisit finds the
# dispute recurred, and the record goes back to `accepted` with a `reopen` timeline event.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.REGISTERED, Action.DISPATCH): Status.DISPATCHED,
    (Status.DISPATCHED, Action.REASSIGN): Status.DISPATCHED,
    (Status.ACCEPTED, Action.REASSIGN): Status.DISPATCHED,
    (Status.DISPATCHED, Action.ACCEPT): Status.ACCEPTED,
    (Status.ACCEPTED, Action.RESOLVE): Status.RESOLVED,
    (Status.RESOLVED, Action.START_REVISIT): Status.REVISITING,
    (Status.TRANSFERRED, Action.START_REVISIT): Status.REVISITING,
    (Status.RESOLVED, Action.CLOSE): Status.CLOSED,
    (Status.REVISITING, Action.CLOSE): Status.CLOSED,
    (Status.TRANSFERRED, Action.CLOSE): Status.CLOSED,
    (Status.RESOLVED, Action.REOPEN): Status.ACCEPTED,
    (Status.REVISITING, Action.REOPEN): Status.ACCEPTED,
    (Status.CLOSED, Action.REOPEN): Status.ACCEPTED,
    **{(s, Action.TRANSFER): Status.TRANSFERRED for s in _OPEN_EARLY},
    **{(s, Action.CONVERT): Status.CONVERTED for s in _OPEN_EARLY},
    **{(s, Action.WITHDRAW): Status.WITHDRAWN for s in _OPEN_EARLY},
    **{(s, Action.MERGE): Status.MERGED for s in _OPEN_EARLY},
}

TERMINAL: frozenset[Status] = frozenset({Status.CONVERTED, Status.WITHDRAWN, Status.MERGED})
OPEN: frozenset[Status] = frozenset({Status.REGISTERED, Status.DISPATCHED, Status.ACCEPTED, Status.TRANSFERRED})


def next_status(current: Status | str, action: Action) -> Status:
    """The status after `action`, or IllegalTransition with a Chinese explanation."""
    status = Status(current)
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(
            f"该纠纷当前状态为「{STATUS_LABELS[status]}」，不能{ACTION_LABELS[action]}。可发送「查 编号」查看进展。"
        ) from None


def allowed_actions(current: Status | str) -> list[Action]:
    status = Status(current)
    return [a for (s, a) in TRANSITIONS if s == status]
