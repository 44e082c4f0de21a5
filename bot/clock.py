"""An injected, timezone-aware clock: the system clock in production, a manual one in tests and the demo."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    tz: ZoneInfo

    def now(self) -> datetime: ...


class SystemClock:
    def __init__(self, tz: ZoneInfo = SHANGHAI) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class ManualClock:
    """A clock that only moves when told to; what the demo's `/time` and the tests use."""

    def __init__(self, start: datetime, tz: ZoneInfo = SHANGHAI) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self.tz = tz
        self._now = start.astimezone(tz)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.tz)
        self._now = when.astimezone(self.tz)

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta
