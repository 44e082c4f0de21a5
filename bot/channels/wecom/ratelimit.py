"""In-process sliding-window rate limit per group robot (20 messages a minute), with a rest after 45009."""

from __future__ import annotations

from collections import deque

from bot.clock import Clock


class RateLimiter:
    """At most `limit` sends per `window` seconds per key. State lives in this process only: two processes
    sharing one robot key each allow the full rate, and WeCom's 45009 then makes both rest (`penalize`)."""

    def __init__(self, clock: Clock, limit: int, window: float = 60.0) -> None:
        self.clock, self.limit, self.window = clock, limit, window
        self._sent: dict[str, deque[float]] = {}
        self._resting_until: dict[str, float] = {}

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def reserve(self, key: str) -> float:
        """Take a slot now and return 0, or return how many seconds to wait (taking nothing)."""
        now = self._now()
        rest = self._resting_until.get(key, 0.0) - now
        if rest > 0:
            return rest
        sent = self._sent.setdefault(key, deque())
        while sent and sent[0] <= now - self.window:
            sent.popleft()
        if len(sent) >= self.limit:
            return max(sent[0] + self.window - now, 0.001)
        sent.append(now)
        return 0.0

    def release(self, key: str) -> None:
        """Give back the last slot: the request it was for never reached WeCom."""
        sent = self._sent.get(key)
        if sent:
            sent.pop()

    def penalize(self, key: str, seconds: float) -> None:
        """WeCom said 45009 (api freq out of limit): send nothing on this key for `seconds`."""
        self._resting_until[key] = max(self._resting_until.get(key, 0.0), self._now() + seconds)
