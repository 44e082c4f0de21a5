"""Digest periods in local time: the latest one due at a moment, its window, and the one before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from jobs.config import DigestKind, DigestRules


@dataclass(frozen=True)
class Period:
    """A digest's period: it reports on [start, end) and falls due at due_at (all aware, local zone)."""

    kind: DigestKind
    key: str
    start: datetime
    end: datetime
    due_at: datetime

    def previous(self) -> Period:
        """The period before, with the same shape (for 'change against last week/month')."""
        if self.kind == "monthly":
            start = _month_start(self.start.date() - timedelta(days=1), self.start.tzinfo)
            return Period("monthly", f"{start:%Y-%m}", start, self.start, _shift_month(self.due_at, -1))
        step = timedelta(days=1 if self.kind == "daily" else 7)
        start, due = self.start - step, self.due_at - step
        return Period(self.kind, _key(self.kind, start, due), start, self.start, due)


def latest_due(kind: DigestKind, rules: DigestRules, now: datetime, tz: ZoneInfo) -> Period:
    """The most recent period of `kind` whose due time is at or before `now`."""
    local = now.astimezone(tz)
    at = rules.schedule(kind).time
    if kind == "daily":
        day = local.date() if local.time() >= at else local.date() - timedelta(days=1)
        due = _local(day, at, tz)
        start = due - timedelta(days=1)
        return Period("daily", _key("daily", start, due), start, due, due)
    if kind == "weekly":
        day = local.date() - timedelta(days=(local.isoweekday() - rules.weekly.weekday) % 7)
        if _local(day, at, tz) > local:
            day -= timedelta(days=7)
        end = _local(day, time(0), tz)
        start = end - timedelta(days=7)
        due = _local(day, at, tz)
        return Period("weekly", _key("weekly", start, due), start, end, due)
    day = local.date().replace(day=rules.monthly.day)
    if _local(day, at, tz) > local:
        day = (day.replace(day=1) - timedelta(days=1)).replace(day=rules.monthly.day)
    end = _local(day.replace(day=1), time(0), tz)
    start = _month_start(day.replace(day=1) - timedelta(days=1), tz)
    return Period("monthly", f"{start:%Y-%m}", start, end, _local(day, at, tz))


def _key(kind: DigestKind, start: datetime, due: datetime) -> str:
    """A daily digest is named by the day it is sent, a weekly one by the first day of the week it covers."""
    return (due if kind == "daily" else start).date().isoformat()


def _local(day: date, at: time, tz: tzinfo | None) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def _month_start(day: date, tz: tzinfo | None) -> datetime:
    return _local(day.replace(day=1), time(0), tz)


def _shift_month(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1)
