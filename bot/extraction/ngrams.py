"""A character n-gram category scorer: the fallback when the keywords of categories.yaml are weak or tied.

It generalises a little beyond exact words: 征迁 shares 征 with 征地 and 征收, 赊 is in 赊账, and many weak hints
(栋, 楼道, 组, 地里, 厂里) add up. The model is a tf-idf centroid per category (Rocchio) over characters and character
pairs, chosen over naive Bayes by cross-validation on the dev set with part of the lexicon hidden (`benchmarks/
extraction.py --cv`): it is steadier on a few hundred short reports.

It learns from two sources: every keyword of categories.yaml (so a station's edits reach it too), and the labelled
reports of the dev set, kept in `ngram_examples.yaml` next to this file (YAML, so that the package data ships it).
Rebuild that file (and the place tagger's model) after the labelled sets change:

    .venv/bin/python -m bot.extraction.learn tests/data/extract_dev.jsonl tests/data/extract_train_*.jsonl

Names (张某, 李某某), digits and the group's own place name are left out of what it learns.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import yaml

if TYPE_CHECKING:
    from bot.extraction.scoring import Case

EXAMPLES_FILE = Path(__file__).resolve().parent / "ngram_examples.yaml"
_RUN = re.compile(r"[\u4e00-\u9fa5]+")
_NOISE = re.compile(r"[\u4e00-\u9fa5]某+[甲乙丙丁]?|某+")  # 张某, 李某某: a name says nothing about the matter
FORMAT = 3
DISPUTE, NONE = "dispute", "none"
RED, NOT_RED = "high", "other"

Example = tuple[str, str, float]  # (category code, text, weight)


@functools.lru_cache(maxsize=8)  # one message is scored by up to four scorers, one after another
def features(text: str) -> frozenset[str]:
    """Distinct CJK characters and character pairs of the text (no pair across punctuation, digits or names)."""
    found: set[str] = set()
    for run in _RUN.findall(_NOISE.sub(" ", text)):
        found.update(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(found)


def largest(values: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.int64]:
    """The positions of the k largest values (in no order). A partial sort of every value is the slow part of the
    neighbours' vote, so the values below the k-th largest of every 16th are set aside first: at least k values are
    at or above it (those k themselves), so the k largest of all are among the rest."""
    if len(values) > 32 * k:
        sample = values[::16]
        floor = np.partition(sample, len(sample) - k)[len(sample) - k]
        kept = np.flatnonzero(values >= floor)
        return kept[np.argpartition(-values[kept], k - 1)[:k]]
    return np.argpartition(-values, k - 1)[:k]


class NgramScorer:
    """Cosine of the text's tf-idf vector with each category's centroid (the normalised sum of its examples'),
    mixed (`share`) with a vote of its `neighbours` most similar labelled examples: the centroid is steady, the
    neighbours catch a category written several different ways (chosen by leave-one-set-out, see the benchmark)."""

    def __init__(
        self, codes: Sequence[str], examples: Iterable[Example], neighbours: int = 0, share: float = 0.0
    ) -> None:
        self.codes = list(codes)
        docs = [(self.codes.index(c), features(t), w) for c, t, w in examples if c in self.codes]
        self._neighbours, self._share = neighbours, share if neighbours > 0 else 0.0
        df: Counter[str] = Counter()
        for _, feats, _ in docs:
            df.update(feats)
        n = len(docs)
        vocab = sorted(df)
        self._index = {f: i for i, f in enumerate(vocab)}
        idf = np.array([math.log((n + 1) / (df[f] + 1)) + 1 for f in vocab], dtype=np.float64)
        # every (example, feature) pair, example by example; each example's tf-idf vector has unit length
        index = self._index
        col = np.array([index[f] for _, feats, _ in docs for f in feats], dtype=np.int64)
        row = np.repeat(np.arange(n), [len(feats) for _, feats, _ in docs])
        norms = np.sqrt(np.bincount(row, weights=idf[col] ** 2, minlength=n))
        norms[norms == 0] = 1.0
        value = idf[col] / norms[row]
        kinds = np.array([k for k, _, _ in docs], dtype=np.int64)
        weights = np.array([w for _, _, w in docs], dtype=np.float64)
        width = len(self.codes)
        centroids = np.bincount(
            col * width + kinds[row], weights=weights[row] * value, minlength=len(vocab) * width
        ).reshape(len(vocab), width)
        lengths = np.sqrt(np.sum(centroids**2, axis=0))
        lengths[lengths == 0] = 1.0
        # a text's score for a category: sum over its known features of idf x centroid weight (cosine up to the
        # text's own length, which is the same for every category)
        self._matrix: npt.NDArray[np.float64] = centroids / lengths * idf[:, None]
        self._idf = idf
        # postings for the neighbours: feature -> (labelled examples holding it, their normalised tf-idf weight),
        # not the keywords; all end to end, feature by feature, each feature's in example order (compressed rows):
        # feature i's are [starts[i], starts[i + 1])
        labelled = weights >= 1.0
        self._labels = kinds[labelled]
        number = np.cumsum(labelled) - 1  # an example's number among the labelled ones
        keep = labelled[row]
        order = np.argsort(col[keep], kind="stable")
        self._starts = np.concatenate([[0], np.cumsum(np.bincount(col[keep], minlength=len(vocab)))]).astype(np.int64)
        self._post_docs = number[row[keep]][order].astype(np.int64)
        self._post_weights = value[keep][order]

    def scores(self, text: str) -> dict[str, float]:
        """code -> cosine similarity of the text with the category's examples (0 when nothing is known)."""
        idx = [i for f in features(text) if (i := self._index.get(f)) is not None]
        if not idx:
            return dict.fromkeys(self.codes, 0.0)
        norm = float(np.sqrt(np.sum(self._idf[idx] ** 2))) or 1.0
        total = self._matrix[idx].sum(axis=0) / norm
        if self._share > 0 and len(self._labels):
            total = (1 - self._share) * total + self._share * self._vote(idx, norm)
        return {c: float(v) for c, v in zip(self.codes, total, strict=True)}

    def _vote(self, idx: list[int], norm: float) -> npt.NDArray[np.float64]:
        """Each category's share of the similarity of the text's `neighbours` nearest labelled examples."""
        # the text's features' postings gathered at once, each weighed by the feature's idf over the text's norm,
        # and summed per example in the order a loop over the features would add them
        ids = np.array(idx, dtype=np.int64)
        starts, sizes = self._starts[ids], self._starts[ids + 1] - self._starts[ids]
        at = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
        weights = self._post_weights[at] * np.repeat(self._idf[ids] / norm, sizes)
        sims = np.bincount(self._post_docs[at], weights=weights, minlength=len(self._labels)).astype(np.float64)
        k = min(self._neighbours, len(sims))
        nearest = largest(sims, k)
        vote = np.zeros(len(self.codes), dtype=np.float64)
        np.add.at(vote, self._labels[nearest], sims[nearest] / k)
        return vote

    def best(self, text: str) -> tuple[str, float] | None:
        """The most similar category and its lead over the runner-up; None when the text says nothing known."""
        ranked = sorted(self.scores(text).items(), key=lambda kv: kv[1], reverse=True)
        if len(ranked) < 2 or ranked[0][1] <= 0:
            return None
        return ranked[0][0], ranked[0][1] - ranked[1][1]


class LogisticScorer:
    """A logistic regression over the same features, for a two-way question (red or not): where the centroids weigh
    every shared character alike, it learns which few characters and pairs tell the kinds apart. It is the red safety
    net's second judge, heard only when it is sure (`risk.red_fallback_logit`): replayed on old holdouts it promised
    more than it gave on fresh ones (docs/extraction.md).

    Trained at start-up, full batch, from zeros with Adam: the same examples give the same weights every time. Each
    example's vector is l2-normalised; the two kinds weigh half each however many examples each has."""

    def __init__(
        self, positive: str, examples: Iterable[Example], epochs: int = 80, l2: float = 1e-4, step: float = 0.05
    ) -> None:
        index: dict[str, int] = {}
        cols: list[int] = []
        starts = [0]
        labels: list[float] = []
        weights: list[float] = []
        for code, text, weight in examples:
            cols.extend(index.setdefault(f, len(index)) for f in features(text))
            starts.append(len(cols))
            labels.append(float(code == positive))
            weights.append(weight)
        self._index = index
        self._w = np.zeros(len(index), dtype=np.float64)
        self._b = 0.0
        y = np.array(labels, dtype=np.float64)
        if not len(y) or y.min() == y.max():
            return  # one kind only: nothing to tell apart, every text scores 0
        col = np.array(cols, dtype=np.int64)
        sizes: npt.NDArray[np.int64] = np.diff(np.array(starts, dtype=np.int64)).astype(np.int64)
        row = np.repeat(np.arange(len(y)), sizes)
        value = np.repeat(1.0 / np.sqrt(np.maximum(sizes, 1)), sizes)  # a binary vector, l2-normalised
        share = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean())) * np.array(weights) / len(y)
        w, b = self._w, 0.0
        m, v, mb, vb = np.zeros_like(w), np.zeros_like(w), 0.0, 0.0
        for t in range(1, epochs + 1):
            z = np.bincount(row, weights=value * w[col], minlength=len(y)) + b
            err = (1.0 / (1.0 + np.exp(-z)) - y) * share
            gw = np.bincount(col, weights=value * err[row], minlength=len(w)) + l2 * w
            gb = float(err.sum())
            m, v = 0.9 * m + 0.1 * gw, 0.999 * v + 0.001 * gw**2
            mb, vb = 0.9 * mb + 0.1 * gb, 0.999 * vb + 0.001 * gb**2
            w -= step * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
            b -= step * (mb / (1 - 0.9**t)) / (math.sqrt(vb / (1 - 0.999**t)) + 1e-8)
        self._w, self._b = w, b

    def score(self, text: str) -> float:
        """The decision value (log-odds) that the text is of the positive kind; 0 is even."""
        idx = [i for f in features(text) if (i := self._index.get(f)) is not None]
        if not idx:
            return self._b
        return float(self._w[idx].sum() / math.sqrt(len(idx)) + self._b)  # over the features it knows


def keyword_examples(groups: Iterable[tuple[str, Iterable[str]]], weight: float) -> list[Example]:
    """Each keyword (not the `re:` ones) as a tiny example of its category, weighing `weight`."""
    return [(code, w, weight) for code, words in groups for w in words if not w.startswith("re:")]


@functools.cache
def _load(path: Path) -> dict[str, list[Example]]:
    if not path.exists():
        return {"examples": [], "disputes": [], "reds": []}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("examples"), list):
        raise ValueError(f"{path}: not an n-gram examples file of format {FORMAT}")
    return {
        "examples": [(str(code), str(text), 1.0) for code, text in data["examples"]],
        "disputes": [(DISPUTE if flag else NONE, str(text), 1.0) for flag, text in data.get("disputes") or []],
        "reds": [(RED if flag else NOT_RED, str(text), 1.0) for flag, text in data.get("reds") or []],
    }


def shipped(path: Path = EXAMPLES_FILE) -> Learnt:
    """The examples shipped with the package (ngram_examples.yaml)."""
    data = _load(path)
    return Learnt(list(data["examples"]), list(data["disputes"]), list(data["reds"]))


@dataclass
class Learnt:
    """What the fallbacks learn from labelled messages: reports by category, messages by dispute-or-not, reports by
    red-or-not. Names in the text stay (features() drops them); the group's own area name is blanked out."""

    reports: list[Example] = field(default_factory=list)
    disputes: list[Example] = field(default_factory=list)
    reds: list[Example] = field(default_factory=list)


def learnt_from(cases: Iterable[Case], read: Callable[[str], str] = str) -> Learnt:
    """The examples of labelled cases (bot/extraction/scoring.py), each as the extractor reads it (`read`: the
    dialect words in Mandarin); a follow-up to a record is neither kind."""
    from bot.extraction.rules import clean

    out = Learnt()
    for case in cases:
        if "update_code" in case.expect:
            continue
        text = read(clean(case.text))
        text = text.replace(case.area, " ") if case.area else text
        out.disputes.append((DISPUTE if case.expect.get("is_dispute") else NONE, text, 1.0))
        code = case.expect.get("category")
        if case.expect.get("is_dispute") and isinstance(code, str):
            out.reports.append((code, text, 1.0))
            out.reds.append((RED if case.expect.get("risk") == "high" else NOT_RED, text, 1.0))
    return out


def _quoted(text: str) -> str:
    return json.dumps(re.sub(r"\s+", " ", text).strip(), ensure_ascii=False)  # a YAML double-quoted scalar


def write_examples(cases: Iterable[Case], out: Path = EXAMPLES_FILE, read: Callable[[str], str] = str) -> str:
    """Write the fallbacks' examples file from labelled cases; returns a line saying what it holds."""
    learnt = learnt_from(cases, read)
    lines = [
        "# Generated by `python -m bot.extraction.learn tests/data/extract_dev.jsonl tests/data/extract_train_*.jsonl`",
        "# from the labelled messages; the fallbacks (bot/extraction/ngrams.py) learn from it. Do not edit by hand.",
        f"format: {FORMAT}",
        "examples:",
    ]
    for code, text, _ in learnt.reports:
        lines.append(f"  - [{code}, {_quoted(text)}]")
    lines.append("disputes:")
    for code, text, _ in learnt.disputes:
        lines.append(f"  - [{int(code == DISPUTE)}, {_quoted(text)}]")
    lines.append("reds:")
    for code, text, _ in learnt.reds:
        lines.append(f"  - [{int(code == RED)}, {_quoted(text)}]")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"{out}: {len(learnt.reports)} labelled reports, {len(learnt.disputes)} labelled messages"
