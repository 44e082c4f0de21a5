"""Per-robot send budget: at most N messages in any 60 s, and a penalty pause after DingTalk's 130101."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from bot.clock import Clock

WINDOW = timedelta(seconds=60)


class RobotRateLimiter:
    """A sliding one-minute window per robot key; `reserve` either takes a slot or says how long to wait."""

    def __init__(self, clock: Clock, per_minute: int, penalty_seconds: float) -> None:
        self.clock, self.per_minute, self.penalty = clock, per_minute, timedelta(seconds=penalty_seconds)
        self._sent: dict[str, deque[datetime]] = {}
        self._blocked_until: dict[str, datetime] = {}

    def reserve(self, key: str) -> float | None:
        """Take a slot for one message now; returns None, or the seconds to wait before asking again."""
        now = self.clock.now()
        blocked = self._blocked_until.get(key)
        if blocked is not None:
            if now < blocked:
                return (blocked - now).total_seconds()
            del self._blocked_until[key]
        sent = self._sent.setdefault(key, deque())
        while sent and sent[0] <= now - WINDOW:
            sent.popleft()
        if len(sent) >= self.per_minute:
            return max((sent[0] + WINDOW - now).total_seconds(), 0.001)
        sent.append(now)
        return None

    def penalize(self, key: str) -> float:
        """DingTalk answered 130101 (too fast): stop this robot for the penalty period; returns its seconds."""
        self._blocked_until[key] = self.clock.now() + self.penalty
        return self.penalty.total_seconds()
