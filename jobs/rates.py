"""The figures of DOMAIN.md §10 over plain facts: 化解率, 按期办结率, 回访满意率, overdue; defined in docs/jobs.md."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.lifecycle import OPEN, Status

RESOLVED_OR_LATER = frozenset({Status.RESOLVED.value, Status.REVISITING.value, Status.CLOSED.value})
NOT_COUNTED = frozenset({Status.WITHDRAWN.value, Status.MERGED.value})  # withdrawn reports and duplicates
OPEN_STATUSES = frozenset(s.value for s in OPEN)
UNACCEPTED = frozenset({Status.REGISTERED.value, Status.DISPATCHED.value})
UNRESOLVED = frozenset({Status.REGISTERED.value, Status.DISPATCHED.value, Status.ACCEPTED.value})
SATISFIED = frozenset({"满意", "基本满意"})
RESULTS = ("满意", "基本满意", "不满意")


@dataclass(frozen=True)
class DisputeFact:
    id: int
    code: str | None
    area: str | None
    category: str
    risk: str
    status: str
    reported_at: datetime
    accept_by: datetime | None = None
    resolve_by: datetime | None = None
    resolved_at: datetime | None = None
    assignee: str | None = None


@dataclass(frozen=True)
class OutcomeFact:
    dispute_id: int
    area: str | None
    result: str | None
    recurred: bool
    recorded_at: datetime


@dataclass(frozen=True)
class RevisitDueFact:
    dispute_id: int
    code: str | None
    area: str | None
    seq: int
    due_at: datetime
    assignee: str | None


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"


def counted(registered: Iterable[DisputeFact]) -> list[DisputeFact]:
    """The records registered in a period that count: everything but withdrawn reports and merged duplicates."""
    return [d for d in registered if d.status not in NOT_COUNTED]


def resolution_rate(registered: Iterable[DisputeFact]) -> Rate:
    """化解率: of the records registered in the period (less withdrawn and merged), the share whose status is
    now resolved, revisiting or closed."""
    cohort = counted(registered)
    return Rate(sum(1 for d in cohort if d.status in RESOLVED_OR_LATER), len(cohort))


def on_time_rate(resolved: Iterable[DisputeFact]) -> Rate:
    """按期办结率: of the records resolved in the period (resolved_at in it), the share resolved at or before
    their resolve_by (a record without a deadline is on time)."""
    pairs = [(d.resolved_at, d.resolve_by) for d in resolved if d.resolved_at is not None]
    return Rate(sum(1 for done, due in pairs if due is None or done <= due), len(pairs))


def satisfaction_rate(outcomes: Iterable[OutcomeFact]) -> Rate:
    """回访满意率: of the revisit outcomes recorded in the period that carry a result, the share 满意 or 基本满意."""
    rated = [o for o in outcomes if o.result in RESULTS]
    return Rate(sum(1 for o in rated if o.result in SATISFIED), len(rated))


def overdue_reason(d: DisputeFact, now: datetime) -> str | None:
    """'accept' when still unaccepted past accept_by, 'resolve' when still unresolved past resolve_by."""
    if d.status in UNACCEPTED and d.accept_by is not None and d.accept_by < now:
        return "accept"
    if d.status in UNRESOLVED and d.resolve_by is not None and d.resolve_by < now:
        return "resolve"
    return None


def count_by(rows: Iterable[DisputeFact], key: Callable[[DisputeFact], str]) -> list[tuple[str, int]]:
    """Counts by a key, largest first, ties in name order."""
    counts = Counter(key(d) for d in rows)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
