"""Cue lists from the rule files: plain words, or regular expressions written as `re:...`, with negation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

REGEX_PREFIX = "re:"
_CJK = re.compile(r"^[\u4e00-\u9fa5]+$")
_INFIX = "(?:了一|了|过)"
# the quotation marks people type around a name or a word, opening and closing (ASCII ones do both)
OPENING_QUOTES, CLOSING_QUOTES = "“\"「『‘'", "”\"」』’'"


@dataclass(frozen=True)
class Hit:
    cue: str  # as written in the rule file: what officers see among the reasons
    start: int
    text: str  # the words it matched


class CueSet:
    """Finds the cues of one list in a text; a cue right after a negation (没动手) does not fire, unless that
    negation ends a hedge (搞不好就不活了: 'he may well', not 'he may not'); nor does one alone in quotation marks
    (游戏里“打起来”了, 跟物业“对峙”了一晚上: a word held up, not a report of it; a threat quoted in full still
    fires)."""

    def __init__(self, cues: Iterable[str], negations: Iterable[str] = (), hedges: Iterable[str] = ()) -> None:
        self._plain: list[str] = []
        self._regex: list[tuple[str, re.Pattern[str]]] = []
        self._always: list[int] = []  # the `re:` cues, tried on every text
        # the infix forms (below) by their first character: (position among the patterns, second character)
        self._infix: dict[str, list[tuple[int, str]]] = {}
        for cue in dict.fromkeys(c for c in cues if c):
            if cue.startswith(REGEX_PREFIX):
                self._always.append(len(self._regex))
                self._regex.append((cue, re.compile(cue[len(REGEX_PREFIX) :])))
            else:
                self._plain.append(cue)
                if len(cue) == 2 and _CJK.match(cue):
                    # 动手 is also 动了手, 打架 is also 打了一架: the particle people put inside a verb-object pair
                    self._infix.setdefault(cue[0], []).append((len(self._regex), cue[1]))
                    self._regex.append((cue, re.compile(re.escape(cue[0]) + _INFIX + re.escape(cue[1]))))
        self._negations = tuple(n for n in negations if n)
        self._hedges = tuple(h for h in hedges if h)
        self._always_patterns = [self._regex[i] for i in self._always]
        # the plain cues by their first character, as positions in the list: a text is searched only for the cues
        # that start with one of its characters, in the order they were listed
        self._plain_by_first: dict[str, list[int]] = {}
        for i, cue in enumerate(self._plain):
            self._plain_by_first.setdefault(cue[0], []).append(i)
        # whether any plain cue is in a text at all, in one search: most texts hold none of a list's cues
        self._any_plain = re.compile("|".join(map(re.escape, longest_first(self._plain)))) if self._plain else None

    def __bool__(self) -> bool:
        return bool(self._plain or self._regex)

    def hits(self, text: str) -> list[Hit]:
        found: list[Hit] = []
        for cue in self._plain_in(text):
            start = text.find(cue)
            while start >= 0:
                if not self._negated(text, start) and not _scare_quoted(text, start, start + len(cue)):
                    found.append(Hit(cue, start, cue))
                    break
                start = text.find(cue, start + 1)
        for cue, pattern in self._patterns(text):
            if pattern.search(text) is None:
                continue  # most patterns find nothing: one search, no iterator
            for m in pattern.finditer(text):
                if not self._negated(text, m.start()) and not _scare_quoted(text, m.start(), m.end()):
                    found.append(Hit(cue, m.start(), m.group(0)))
                    break
        found.sort(key=lambda h: h.start)
        return found

    def first(self, text: str) -> Hit | None:
        found = self.hits(text)
        return found[0] if found else None

    def any(self, text: str) -> bool:
        plain = self._any_plain is not None and self._any_plain.search(text) is not None
        found = plain or any(p.search(text) for _, p in self._patterns(text))
        return found and ((not self._negations and not _QUOTE_MARKS.intersection(text)) or bool(self.hits(text)))

    def _plain_in(self, text: str) -> list[str]:
        """The plain cues that start with a character of the text, in the order they were listed (none when the text
        holds none of them)."""
        if self._any_plain is None or self._any_plain.search(text) is None:
            return []
        by_first = self._plain_by_first
        chosen = [i for ch in set(text) for i in by_first.get(ch, ())]
        chosen.sort()
        return [self._plain[i] for i in chosen]

    def _patterns(self, text: str) -> list[tuple[str, re.Pattern[str]]]:
        """The regular expressions worth trying on this text, in the order they were listed: the `re:` cues, and
        the infix forms of the two-character cues whose characters it holds, when it holds a 了 or 过 at all."""
        if not self._infix or ("了" not in text and "过" not in text):
            return self._always_patterns
        chars = set(text)
        chosen = [*self._always]
        for first in chars.intersection(self._infix):
            chosen.extend(i for i, second in self._infix[first] if second in chars)
        return [self._regex[i] for i in sorted(chosen)]

    def _negated(self, text: str, start: int) -> bool:
        # 没动手, 没有打起来, 没敢动手: a negation ending at most one character before the cue
        window = text[max(0, start - 4) : start]
        for end in (start, start - 1):
            if window[: len(window) - (start - end)].endswith(self._negations):
                return not (self._hedges and text[max(0, end - 6) : end].endswith(self._hedges))
        return False


_QUOTE_MARKS = frozenset(OPENING_QUOTES + CLOSING_QUOTES)
_SAID = re.compile(r"(说|讲|话|喊|骂|叫|扬言|放话)[^，。；]{0,2}$")


def _scare_quoted(text: str, start: int, end: int) -> bool:
    """The span is all that stands between a pair of quotation marks, and no one is said to have said it (说要“砍死”他
    quotes a threat)."""
    if not (start > 0 and end < len(text) and text[start - 1] in OPENING_QUOTES and text[end] in CLOSING_QUOTES):
        return False
    return _SAID.search(text, max(0, start - 4), start - 1) is None


def longest_first(words: Iterable[str]) -> list[str]:
    return sorted(dict.fromkeys(words), key=len, reverse=True)


def alternation(words: Iterable[str]) -> str:
    """One regular expression for a cue list: plain words escaped, `re:` patterns as written, longest first."""
    parts = [w[len(REGEX_PREFIX) :] if w.startswith(REGEX_PREFIX) else re.escape(w) for w in longest_first(words)]
    return "|".join(f"(?:{p})" for p in parts)


class KeywordScanner:
    """Keywords of several groups (the categories) found leftmost-longest in one pass: a keyword inside a longer
    one that matched there (物业 in 物业公司, 老婆 in 打老婆) does not count. Regular expressions (`re:`) are
    searched on their own. `hits` gives (group, keyword as written, start, matched text), each keyword of a group
    once, in text order."""

    def __init__(self, groups: Iterable[tuple[str, Iterable[str]]]) -> None:
        self._owners: dict[str, list[str]] = {}
        self._regex: list[tuple[str, str, re.Pattern[str]]] = []
        for group, words in groups:
            for word in dict.fromkeys(w for w in words if w):
                if word.startswith(REGEX_PREFIX):
                    self._regex.append((group, word, re.compile(word[len(REGEX_PREFIX) :])))
                else:
                    self._owners.setdefault(word, []).append(group)
        plain = longest_first(self._owners)
        self._plain = re.compile("|".join(re.escape(w) for w in plain)) if plain else None

    def hits(self, text: str) -> list[tuple[str, str, int, str]]:
        found: list[tuple[str, str, int, str]] = []
        seen: set[tuple[str, str]] = set()
        if self._plain is not None:
            for m in self._plain.finditer(text):
                word = m.group(0)
                for group in self._owners[word]:
                    if (group, word) not in seen:
                        seen.add((group, word))
                        found.append((group, word, m.start(), word))
        for group, cue, pattern in self._regex:
            rm = pattern.search(text)
            if rm is not None:
                found.append((group, cue, rm.start(), rm.group(0)))
        found.sort(key=lambda h: h[2])
        return found
