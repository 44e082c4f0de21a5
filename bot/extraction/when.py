"""When it happened: relative times (昨天晚上8点, 今天上午, 刚才) resolved against the message's sent_at."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.extraction import nlp
from bot.extraction.cues import CueSet, longest_first
from bot.extraction.lexicon import TimeCues

_HOUR = re.compile(r"\d{1,2}\s*[点时:：]|[一二三四五六七八九十两]{1,3}[点时]")


class TimeFinder:
    def __init__(self, cues: TimeCues, tz: ZoneInfo) -> None:
        self.tz = tz
        self._anchors = CueSet(cues.anchors)
        self._just_now = CueSet(cues.just_now)
        self._periods = [(p, cues.period_hours[p]) for p in longest_first(cues.period_hours)]
        self._days_back = [(head, cues.days_back[head]) for head in longest_first(cues.days_back)]

    def occurred_at(self, text: str, sent_at: datetime) -> datetime | None:
        """The first time tied to a day (今天, 昨晚, 11月20日) or said to be now (刚才); None otherwise."""
        local = sent_at.astimezone(self.tz)
        anchor = self._anchors.first(text)
        now = self._just_now.first(text)
        if now is not None and (anchor is None or now.start < anchor.start):
            return local
        if anchor is None:
            return None
        for span, start, (first, _last) in nlp.time_spans(text, local):
            if start + len(span) <= anchor.start or not self._anchors.any(span):
                continue
            when = datetime.strptime(first, "%Y-%m-%d %H:%M:%S").replace(tzinfo=self.tz)
            if _HOUR.search(span):
                return when
            return when.replace(hour=self._hour(text[start : start + len(span) + 4]), minute=0, second=0)
        # jionlp reads no time at all in 今早下半天, 今早夜快头: the day from the anchor, the hour from what follows
        back = next((d for head, d in self._days_back if anchor.text.startswith(head)), None)
        if back is None:
            return None
        day = (local - timedelta(days=back)).replace(minute=0, second=0, microsecond=0)
        return day.replace(hour=self._hour(text[anchor.start : anchor.start + len(anchor.text) + 4]))

    def _hour(self, said: str) -> int:
        """The hour of the longest part of the day in what was said (下半天 15, 夜快头 18), else midnight."""
        return next((h for p, h in self._periods if p in said), 0)
