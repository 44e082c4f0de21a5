"""Dialect words read as Mandarin before the cue lists see a message (喺 -> 在, 打起身 -> 打起来, 琴日 -> 昨天), and
a message typed in traditional characters read in simplified ones.

Every replacement has the length of what it replaces, so a place or a name found in the Mandarin reading is
cut from the message as written at the same position."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.extraction import nlp
from bot.extraction.cues import REGEX_PREFIX, longest_first


class Dialect:
    def __init__(self, words: dict[str, str]) -> None:
        plain = {w: m for w, m in words.items() if not w.startswith(REGEX_PREFIX)}
        self._plain = plain
        self._patterns = [
            (re.compile(w.removeprefix(REGEX_PREFIX)), m) for w, m in words.items() if w.startswith(REGEX_PREFIX)
        ]
        self._words = re.compile("|".join(re.escape(w) for w in longest_first(list(plain)))) if plain else None
        self._chars = frozenset("".join(plain))  # read as they are, not as the traditional table has them

    def mandarin(self, text: str) -> str:
        """The message in simplified characters (nlp.simplified), with each listed dialect word replaced by its
        Mandarin word of the same length."""
        return self._words_read(nlp.simplified(text, self._chars))

    def _words_read(self, text: str) -> str:
        if self._words is not None:
            text = self._words.sub(lambda m: self._plain[m.group(0)], text)
        for pattern, mandarin in self._patterns:
            text = pattern.sub(_same_length(mandarin), text)
        return text


def _same_length(mandarin: str) -> Callable[[re.Match[str]], str]:
    """A replacement that keeps a match the pattern's Mandarin word is not as long as (positions must not move)."""
    return lambda m: mandarin if len(m.group(0)) == len(mandarin) else m.group(0)


def as_written(found: str | None, reading: str, written: str) -> str | None:
    """What the message says where the Mandarin reading has `found` (the reading's word if it is not there)."""
    if not found or reading == written:
        return found
    at = reading.find(found)
    return written[at : at + len(found)] if at >= 0 else found
