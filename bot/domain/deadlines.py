"""Deadlines (DOMAIN.md §5): accept_by from risk, resolve_by from complexity in Chinese working days."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar
import chinese_calendar.constants

from config.rules import Complexity, DeadlineRules, Risk

log = logging.getLogger(__name__)


_CALENDAR_YEARS = frozenset(d.year for d in chinese_calendar.constants.holidays)


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """Official calendar (holidays and adjusted working weekends); Mon–Fri for a year it has no data for yet
    (update the chinesecalendar package each December, when the State Council publishes the next year)."""
    if day.year in _CALENDAR_YEARS:
        return bool(chinese_calendar.is_workday(day))
    log.warning("no public-holiday data for %s; counting Monday to Friday as working days", day.year)
    return day.weekday() < 5


def add_working_days(start: datetime, days: int) -> datetime:
    """The same clock time `days` working days after `start` (a holiday start counts from the next workday)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_workday(current.date()):
            remaining -= 1
    return current


def accept_by(reported_at: datetime, risk: Risk, rules: DeadlineRules) -> datetime:
    return reported_at + rules.accept_delta(risk)


def default_complexity(risk: Risk, rules: DeadlineRules) -> Complexity:
    return rules.complexity_from_risk[risk]


def resolve_by(start: datetime, complexity: Complexity, rules: DeadlineRules) -> datetime:
    days = rules.resolve_within_days[complexity]
    if rules.working_days:
        return add_working_days(start, days)
    return start + timedelta(days=days)
