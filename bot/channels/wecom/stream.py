"""The 智能机器人's passive stream replies: open on the message, answered from memory on each refresh callback.

The outbox hands a finished reply to the stream and counts it as sent only once a refresh callback has carried
it out; a stream that is gone (6 minutes, restart, idle) makes the outbox use response_url instead. The state
lives in this process: a second process behind the same URL would answer refreshes for unknown ids with
finish:true, and its replies would go by response_url."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

from bot.clock import Clock

HandOver = Literal["handed", "delivered", "unavailable"]
IDLE_TEXT = "已收到，处理结果将另行回复。"


@dataclass
class StreamState:
    stream_id: str
    user: str
    opened: float
    content: str | None = None  # the reply handed over by the outbox
    owner: int | None = None  # the outbox row it came from
    delivered: bool = False  # a refresh callback carried `content` out with finish:true
    finished: bool = False


class StreamRegistry:
    def __init__(
        self, clock: Clock, *, ttl: float, per_user: int, idle: float, placeholder: str, idle_text: str = IDLE_TEXT
    ) -> None:
        self.clock, self.ttl, self.per_user, self.idle = clock, ttl, per_user, idle
        self.placeholder, self.idle_text = placeholder, idle_text
        self._streams: dict[str, StreamState] = {}

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _expired(self, state: StreamState, now: float) -> bool:
        return now - state.opened >= self.ttl

    def _sweep(self, now: float) -> None:
        for sid in [sid for sid, st in self._streams.items() if now - st.opened >= 2 * self.ttl]:
            del self._streams[sid]

    @staticmethod
    def stream_id_for(msg_id: str) -> str:
        """Stable per message, so that a redelivered callback answers with the same stream."""
        return "jw" + hashlib.sha256(msg_id.encode("utf-8")).hexdigest()[:30]

    def open(self, msg_id: str, user: str) -> StreamState | None:
        """Open (or find again) the stream for a message; None when the user already has the most in flight."""
        now = self._now()
        self._sweep(now)
        sid = self.stream_id_for(msg_id)
        existing = self._streams.get(sid)
        if existing is not None:
            return existing
        in_flight = sum(
            1 for st in self._streams.values() if st.user == user and not st.finished and not self._expired(st, now)
        )
        if in_flight >= self.per_user:
            return None
        state = StreamState(stream_id=sid, user=user, opened=now)
        self._streams[sid] = state
        return state

    def first_frame(self, state: StreamState) -> dict[str, Any]:
        return _frame(state.stream_id, False, self.placeholder)

    def refresh(self, stream_id: str) -> dict[str, Any]:
        """The answer to a stream-refresh callback; unknown or expired ids finish with empty content."""
        now = self._now()
        state = self._streams.get(stream_id)
        if state is None or self._expired(state, now):
            if state is not None:
                state.finished = True
            return _frame(stream_id, True, "")
        if state.content is not None:
            state.delivered = state.finished = True
            return _frame(stream_id, True, state.content)
        if state.finished or now - state.opened >= self.idle:
            state.finished = True
            return _frame(stream_id, True, self.idle_text)
        return _frame(stream_id, False, self.placeholder)

    def hand_over(self, stream_id: str, outbox_id: int, content: str) -> HandOver:
        """Give a reply to the stream. 'handed': wait for a refresh; 'delivered': a refresh carried it out;
        'unavailable': the stream is gone, finished or taken by another reply, so use response_url."""
        now = self._now()
        state = self._streams.get(stream_id)
        if state is None:
            return "unavailable"
        if state.owner == outbox_id:
            if state.delivered:
                return "delivered"
            return "unavailable" if state.finished or self._expired(state, now) else "handed"
        if state.owner is not None or state.finished or self._expired(state, now):
            return "unavailable"
        state.content, state.owner = content, outbox_id
        return "handed"


def _frame(stream_id: str, finish: bool, content: str) -> dict[str, Any]:
    return {"msgtype": "stream", "stream": {"id": stream_id, "finish": finish, "content": content}}
