"""Turning a colloquial question into retrieval tokens: normalisation, synonyms, words, character and pinyin pairs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import pairwise

import rjieba
from pypinyin import lazy_pinyin

from bot.mentions import MENTION

_NON_WORD = re.compile(r"[^\w]+")  # punctuation, emoji and symbols become spaces
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_DIGIT_RUN = re.compile(r"(\d+)")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, @mentions and everything that is not a letter or digit removed."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_NON_WORD.sub(" ", MENTION.sub(" ", folded)).split())


def bigrams(items: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in pairwise(items)] if len(items) > 1 else list(items)


class Analyzer:
    """One segmenter with the knowledge base's own words, and the synonym table applied before it."""

    def __init__(self, synonyms: Mapping[str, str], words: Iterable[str], stopwords: Iterable[str]) -> None:
        self._synonyms = {normalize(k): normalize(v) for k, v in synonyms.items() if normalize(k)}
        # canonical terms map to themselves, so the longest match keeps 港澳通行证 whole instead of reading
        # its prefix 港澳通行 as the misspelling and doubling the 证
        self._synonyms.update({v: v for v in list(self._synonyms.values()) if v})
        keys = sorted(self._synonyms, key=len, reverse=True)
        self._synonym_re = re.compile("|".join(re.escape(k) for k in keys)) if keys else None
        self._stop = frozenset(stopwords)
        chars = sorted((w for w in self._stop if len(w) == 1), reverse=True)
        self._stop_re = re.compile("[" + "".join(re.escape(c) for c in chars) + "]+") if chars else None
        self._jieba = rjieba.Jieba()
        for word in {*self._synonyms.values(), *(normalize(w) for w in words)}:
            for part in word.split():
                if len(part) > 1:
                    self._jieba.add_word(part, None, None)

    def canonical(self, text: str) -> str:
        """Normalised text with every colloquial, dialect or misspelt term replaced by its canonical form."""
        body = normalize(text)
        if self._synonym_re is not None:
            body = self._synonym_re.sub(lambda m: self._synonyms[m.group(0)], body)
        return _DIGIT_RUN.sub(r" \1 ", body).strip()  # 满16岁 -> 满 16 岁: the number is a word of its own

    def words(self, canonical: str) -> list[str]:
        return [w for w in self._jieba.cut(canonical, True) if w.strip() and w not in self._stop]

    def _runs(self, canonical: str) -> list[str]:
        """Runs of Chinese characters with the stop words cut out, so pairs do not span 的/了/吗."""
        runs: list[str] = []
        for run in _CJK.findall(canonical):
            runs.extend(r for r in self._stop_re.split(run) if r) if self._stop_re else runs.append(run)
        return runs

    def char_pairs(self, canonical: str) -> list[str]:
        """Character bigrams within each run of Chinese characters: robust to segmentation mistakes."""
        out: list[str] = []
        for run in self._runs(canonical):
            out.extend(bigrams(list(run)))
        return out

    def pinyin_pairs(self, canonical: str) -> list[str]:
        """Toneless pinyin bigrams: homophone typos (护找/护照, 身份正/身份证) land on the same tokens."""
        out: list[str] = []
        for run in self._runs(canonical):
            out.extend(bigrams([_syllable(ch) for ch in run]))
        return out


@lru_cache(maxsize=8192)
def _syllable(ch: str) -> str:
    """One character's most common reading: the same everywhere, so a question and an entry always agree."""
    return lazy_pinyin(ch)[0]
