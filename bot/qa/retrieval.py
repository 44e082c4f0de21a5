"""Ranking FAQ entries for a question: BM25 (bm25s) over words, character and pinyin pairs, with a confidence."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
import numpy.typing as npt

from bot.qa.knowledge import KnowledgeBase
from bot.qa.text import Analyzer

FloatArray = npt.NDArray[np.float64]
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import and logs every index build


@dataclass(frozen=True)
class Weights:
    words: float = 1.0
    chars: float = 0.5
    pinyin: float = 0.5
    answer: float = 0.3
    key_penalty: float = 0.5  # for an entry about other document types than the question names


@dataclass(frozen=True)
class Match:
    entry_id: str
    score: float  # the combined BM25 score used for ranking
    confidence: float  # 0..1: how much of the question the entry accounts for


@dataclass(frozen=True)
class _Query:
    words: list[str]
    chars: list[str]
    pinyin: list[str]
    keys: frozenset[str]


class _Field:
    """One BM25 index over one kind of token, plus document frequencies for the confidence."""

    def __init__(self, docs: Sequence[list[str]]) -> None:
        self.index = bm25s.BM25(method="lucene")
        self.index.index([d or [""] for d in docs], show_progress=False)
        self.size = len(docs)
        self.df: Counter[str] = Counter(t for d in docs for t in set(d))

    def scores(self, tokens: list[str]) -> FloatArray:
        known = [t for t in tokens if t in self.df]
        if not known:
            return np.zeros(self.size)
        return np.asarray(self.index.get_scores(known), dtype=np.float64)

    def idf(self, token: str) -> float:
        """Unknown tokens weigh most: a question about something the base never mentions is not covered."""
        return math.log(1 + (self.size + 1) / (self.df.get(token, 0) + 0.5))


class Retriever:
    def __init__(
        self, kb: KnowledgeBase, analyzer: Analyzer, weights: Weights | None = None, key_terms: Sequence[str] = ()
    ) -> None:
        self.kb, self.analyzer, self.weights = kb, analyzer, weights or Weights()
        self.key_terms = sorted({analyzer.canonical(t) for t in key_terms if analyzer.canonical(t)})
        self.entry_ids = [e.id for e in kb.entries]
        self._doc_entry: list[int] = []
        q_words: list[list[str]] = []
        q_chars: list[list[str]] = []
        q_pinyin: list[list[str]] = []
        self._entry_vocab: list[set[str]] = []
        answers: list[list[str]] = []
        self._entry_keys: list[frozenset[str]] = []
        for n, entry in enumerate(kb.entries):
            texts = [*entry.questions, *entry.keywords]
            headline = " ".join(analyzer.canonical(t) for t in texts)
            self._entry_keys.append(frozenset(k for k in self.key_terms if k in headline))
            vocab: set[str] = set()
            for text in texts:
                c = analyzer.canonical(text)
                q_words.append(analyzer.words(c))
                q_chars.append(analyzer.char_pairs(c))
                q_pinyin.append(analyzer.pinyin_pairs(c))
                vocab.update(q_words[-1], q_chars[-1], q_pinyin[-1])
                self._doc_entry.append(n)
            answer = analyzer.canonical(entry.answer)
            answers.append(analyzer.words(answer))
            vocab.update(answers[-1])
            self._entry_vocab.append(vocab)
        self._words, self._chars, self._pinyin = _Field(q_words), _Field(q_chars), _Field(q_pinyin)
        self._answers = _Field(answers)
        self._doc_entry_arr = np.asarray(self._doc_entry)

    def analyze(self, text: str) -> _Query:
        c = self.analyzer.canonical(text)
        keys = frozenset(k for k in self.key_terms if k in c)
        return _Query(self.analyzer.words(c), self.analyzer.char_pairs(c), self.analyzer.pinyin_pairs(c), keys)

    def search(self, text: str, k: int = 3) -> list[Match]:
        q = self.analyze(text)
        if not (q.words or q.chars):
            return []
        w = self.weights
        per_doc = (
            w.words * self._words.scores(q.words)
            + w.chars * self._chars.scores(q.chars)
            + w.pinyin * self._pinyin.scores(q.pinyin)
        )
        per_entry = np.zeros(len(self.entry_ids))
        np.maximum.at(per_entry, self._doc_entry_arr, per_doc)
        per_entry += w.answer * self._answers.scores(q.words)
        agreement = np.asarray([self._agreement(q.keys, keys) for keys in self._entry_keys])
        per_entry *= agreement
        order = np.argsort(-per_entry, kind="stable")[:k]
        return [
            Match(self.entry_ids[i], float(per_entry[i]), float(agreement[i]) * self.coverage(q, int(i)))
            for i in order
            if per_entry[i] > 0
        ]

    def _agreement(self, asked: frozenset[str], entry_keys: frozenset[str]) -> float:
        """An entry about other documents than the ones asked about (护照 for a 身份证 question) ranks lower;
        an entry about no document in particular, or about one of those asked, keeps its score."""
        return self.weights.key_penalty if asked and entry_keys and not asked & entry_keys else 1.0

    def coverage(self, q: _Query, entry: int) -> float:
        """IDF-weighted share of the question's words and pinyin pairs that the entry also uses."""
        vocab = self._entry_vocab[entry]
        total = covered = 0.0
        for tokens, field in ((q.words, self._words), (q.pinyin, self._pinyin)):
            for t in tokens:
                weight = field.idf(t)
                total += weight
                covered += weight if t in vocab else 0.0
        return covered / total if total else 0.0
