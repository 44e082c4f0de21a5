"""A learnt place tagger: a linear-chain CRF (CRFsuite) that marks the scene of a dispute character by character.

The rule finder (places.py) knows the shapes a station listed; a new author names places in shapes no list has
(老韩家铁锅炖, 榆双公路8公里处, 马蹄峪村后山松树林). The tagger learns from every labelled report in tests/data which
characters make up the scene, from the characters around them, jieba's words and their parts of speech, and whether
a word ends in one of the cue lists of extraction.yaml. The extractor takes the tagger's place over the rules' only
when the two differ and the tagger is sure (`places.learnt_trust`); leave-one-set-out in `benchmarks/extraction.py
--by-set` retrains it per set and shows what it adds on an author it has not seen.

The model ships as `place_tagger.crfsuite` next to this file, with `place_tagger.json` naming the data it was
trained on. Rebuild both (and the n-gram examples) after the labelled sets change:

    .venv/bin/python -m bot.extraction.learn tests/data/extract_dev.jsonl tests/data/extract_train_*.jsonl
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.extraction import nlp
from bot.extraction.cues import REGEX_PREFIX, alternation
from bot.extraction.lexicon import PlaceCues
from bot.extraction.places import DEFAULT_UNITS, Units, normalise, same_place

if TYPE_CHECKING:
    from bot.extraction.scoring import Case

MODEL_FILE = Path(__file__).resolve().parent / "place_tagger.crfsuite"
MANIFEST_FILE = MODEL_FILE.with_suffix(".json")
FEATURES_VERSION = 1
# L1/L2 weights and iterations, chosen by leave-one-set-out (benchmarks/extraction.py --by-set)
TRAINING = {"c1": 0.1, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}
_BEGIN, _INSIDE, _OUT = "B", "I", "O"


class _Lists:
    """The cue lists of extraction.yaml as one index from word to the lists that hold it, so that what ends a word
    or starts at a character is a few dictionary lookups."""

    def __init__(self, cues: PlaceCues) -> None:
        plain = [d for d in cues.details if not d.startswith(REGEX_PREFIX)]
        named = {
            "venue": [*cues.venues, *cues.standalone],
            "office": cues.offices,
            "area": cues.areas,
            "road": cues.roads,
            "compound": cues.compounds,
            "hamlet": cues.hamlets,
            "detail": plain,
        }
        self.index: dict[str, tuple[str, ...]] = {}
        for name, words in named.items():
            for word in words:
                if name not in self.index.get(word, ()):
                    self.index[word] = (*self.index.get(word, ()), name)
        self.longest = max(map(len, self.index), default=1)
        # what a listed word can start with: its first two characters (a one-character word, itself)
        self.heads = {word[:2] for word in self.index}
        self.generic, self.stop = set(cues.generic), set(cues.stop)

    def ending(self, word: str) -> list[str]:
        """The lists one of whose words ends this word."""
        found: list[str] = []
        for k in range(1, min(len(word), self.longest) + 1):
            found.extend(n for n in self.index.get(word[-k:], ()) if n not in found)
        return found

    def starting(self, text: str, at: int) -> list[str]:
        """The lists one of whose words starts at `at` (two characters or more, or what is left of the text)."""
        found: list[str] = []
        if text[at : at + 2] not in self.heads:
            return found
        for k in range(2, self.longest + 1):
            found.extend(n for n in self.index.get(text[at : at + k], ()) if n not in found)
            if at + k >= len(text):
                break
        return found


class PlaceTagger:
    """Marks the place in a report; `choose` settles between its place and the rule finder's."""

    def __init__(self, cues: PlaceCues, model: Path | None = MODEL_FILE, prior: float = 2.0) -> None:
        self._lists = _Lists(cues)
        self.units = Units.of(cues)
        self._ours = tuple(cues.ours)
        self._goes_on = re.compile(alternation(cues.not_a_place) or "(?!)")
        self.prior = prior
        self._tagger: Any = None
        if model is not None:
            self._tagger = _open(model)

    def features(self, text: str) -> list[list[str]]:
        """One list of feature strings per character of the text (numbers already as digits: `Units.digits`)."""
        words: list[tuple[str, str, str, list[str]]] = []  # per character: word, position in it, tag, lists
        for word in nlp.segment(text):
            tag, ends = nlp.word_tag(word)[:2], self._lists.ending(word)
            for k in range(len(word)):
                pos = "S" if len(word) == 1 else "B" if k == 0 else "E" if k == len(word) - 1 else "M"
                words.append((word, pos, tag, ends))
        out: list[list[str]] = []
        # the characters as the features name them, two places of padding each side: chars[i + 2] is text[i]
        chars = ["<s>", "<s>", *("D" if ch.isdigit() else ch for ch in text), "</s>", "</s>"]
        lists = self._lists
        for i in range(len(text)):
            word, pos, tag, ends = words[i]
            prev2, prev, c, nxt, next2 = chars[i : i + 5]
            f = [
                "bias",
                f"c={c}",
                f"c-1={prev}",
                f"c+1={nxt}",
                f"c-2={prev2}",
                f"c+2={next2}",
                f"c-1c={prev}{c}",
                f"cc+1={c}{nxt}",
                f"c-2c-1={prev2}{prev}",
                f"c+1c+2={nxt}{next2}",
                f"wp={pos}",
                f"wt={tag}",
                f"wpt={pos}{tag}",
                f"wend={word[-1]}{pos}",
                f"wstart={word[0]}{pos}",
            ]
            if len(word) <= 4:
                f.append(f"w={word}")
            f.extend(f"suf_{name}{pos}" for name in ends)
            if word in lists.generic:
                f.append("generic")
            if word in lists.stop:
                f.append("stop")
            f.extend(f"next_{name}" for name in lists.starting(text, i + 1))
            out.append(f)
        return out

    def choose(self, body: str, ruled: str | None, others: Iterable[str] = ()) -> str | None:
        """The place the model finds most probable: the rules' choice (worth `prior` times its probability), the
        rules' other candidates, the spans the model marks itself, or no place at all when the rules found none.
        Each is weighed by the probability of the whole labelling that marks that span and nothing else."""
        if self._tagger is None or not body:
            return ruled
        units = self.units
        text = units.digits(body)
        ruled_span = _locate(text, ruled, units)
        if ruled is not None and ruled_span is None:
            return ruled  # a place the text holds only in pieces (“观江壹号”小区): the model cannot weigh it
        self._tagger.set(self.features(text))
        # the rules' choice first, so that a tie keeps it
        spans = [ruled_span] if ruled_span is not None else []
        marked = [p for span in _spans(self._tagger.tag()) for p in _clean_span(text, *span)]
        for span in [*(_locate(text, o, units) for o in others), *marked]:
            if span is not None and span not in spans:
                spans.append(span)
        none = [_OUT] * len(text)
        # no place at all is an option only when the lists found none either: a place they named is not made up
        nothing = self._tagger.probability(none) * self.prior if ruled is None else -1.0
        best: tuple[float, tuple[int, int] | None] = (nothing, None)
        for start, end in spans:
            labels = [*none]
            labels[start] = _BEGIN
            labels[start + 1 : end] = [_INSIDE] * (end - start - 1)
            weight = self.prior if (start, end) == ruled_span else 1.0
            chance = self._tagger.probability(labels) * weight
            if chance > best[0]:
                best = (chance, (start, end))
        if best[1] is None:
            return None
        return self.settle(text, best[1], ruled, ruled_span)

    def settle(
        self, text: str, span: tuple[int, int], ruled: str | None, ruled_span: tuple[int, int] | None
    ) -> str | None:
        """The model's span as a place, within what the lists know: where a name starts, how much detail follows
        it, and that no person or head count goes on from it (extraction.yaml places.not_a_place)."""
        units = self.units
        if ruled_span is not None and ruled_span[0] < span[0] < ruled_span[1]:
            # the lists know where a name starts (霞光路与兴港路交叉口, not 港路交叉口): the model may only lengthen it
            span = (ruled_span[0], max(span[1], ruled_span[1]))
        place = normalise(text[span[0] : span[1]], units)
        if ruled is not None and (same_place(ruled, place, units) or _head_of(span, ruled_span)):
            # the model picks which place; the detail grammar says how much of what follows belongs to it
            # (柏杨村4组大堰塘, where the model stops at 4组)
            return ruled
        if ruled is not None and self._ours and place.startswith(self._ours):
            return ruled  # 咱屯3组: “our village's 3组” is the group's own, which the rules read (靠山屯3组)
        if ruled_span is not None and span[0] == ruled_span[0] and self._goes_on.search(text[ruled_span[1] : span[1]]):
            return ruled  # 金桂社区孙大妈76, 景秀社区幼儿园家长群, 双溪口村笋农: what the model added names people
        return place


def _head_of(span: tuple[int, int] | None, outer: tuple[int, int] | None) -> bool:
    """The span is the start of the outer one (柏杨村4组 of 柏杨村4组大堰塘)."""
    return span is not None and outer is not None and span[0] == outer[0] and span[1] <= outer[1]


def _open(model: Path) -> Any:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    return tagger


def _locate(text: str, place: str | None, units: Units) -> tuple[int, int] | None:
    if not place:
        return None
    place = units.digits(place)
    at = text.find(place)
    return (at, at + len(place)) if at >= 0 else None


def _clean_span(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A marked span cut at punctuation and spaces (快来人！北柳行村 is 北柳行村): the pieces worth weighing."""
    pieces, at = [], start
    for i in range(start, end + 1):
        if i == end or not (text[i].isalnum()):
            if i > at:
                pieces.append((at, i))
            at = i + 1
    return pieces


def _spans(labels: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, label in enumerate([*labels, _OUT]):
        if label != _INSIDE and start is not None:
            spans.append((start, i))
            start = None
        if label == _BEGIN:
            start = i
    return spans


def labels_for(text: str, place: str | None, area: str | None, units: Units = DEFAULT_UNITS) -> list[str] | None:
    """B/I/O per character for a labelled place, None when the label is not in the text (and is not the group's
    area, which a report that names no place gets)."""
    labels = [_OUT] * len(text)
    if place is None:
        return labels
    place = normalise(place, units)
    at, size = text.find(place), len(place)
    if at < 0:  # 青岗镇佳佳乐超市 labelled, 佳佳乐超市 written
        for k in range(1, len(place) - 1):
            at = text.find(place[k:])
            if at >= 0 and same_place(place, place[k:], units):
                size = len(place) - k
                break
            at = -1
    if at < 0:
        return labels if area is not None and same_place(place, area, units) else None
    labels[at] = _BEGIN
    labels[at + 1 : at + size] = [_INSIDE] * (size - 1)
    return labels


def sequences(
    tagger: PlaceTagger, cases: Iterable[Case], read: Callable[[str], str] = str
) -> Iterator[tuple[list[list[str]], list[str]]]:
    """Training pairs from labelled reports: disputes only (a non-dispute has no place to learn). The labels are
    found in the message as written, the features come from it as the extractor reads it (`read`, which keeps
    every character where it is)."""
    from bot.extraction.rules import clean

    for case in cases:
        if not case.expect.get("is_dispute") or "category" not in case.expect:
            continue
        written = clean(case.text)
        text, reading = tagger.units.digits(written), tagger.units.digits(read(written))
        labels = labels_for(text, case.expect.get("location"), case.area, tagger.units)
        if labels is not None and len(reading) == len(text):
            yield tagger.features(reading), labels


def train(cues: PlaceCues, cases: Iterable[Case], model: Path, read: Callable[[str], str] = str) -> int:
    """Fit a model on the cases and write it to `model`; returns how many reports it learnt from."""
    import pycrfsuite

    featurizer = PlaceTagger(cues, model=None)
    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    for feats, labels in sequences(featurizer, cases, read):
        trainer.append(feats, labels)
        count += 1
    trainer.set_params(TRAINING)
    trainer.train(str(model))
    return count


def trained_on(cues: PlaceCues, cases: Iterable[Case], prior: float, read: Callable[[str], str] = str) -> PlaceTagger:
    """A tagger fitted on these cases only (the benchmark's leave-one-set-out)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.crfsuite"
        train(cues, cases, path, read)
        return PlaceTagger(cues, model=path, prior=prior)  # CRFsuite reads the whole file when it opens


def digest(paths: Iterable[Path]) -> dict[str, str]:
    """sha256 of each labelled set by file name: what the manifest records and the test compares."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(paths)}


def write_model(
    cues: PlaceCues,
    cases: Iterable[Case],
    sets: Iterable[Path],
    model: Path = MODEL_FILE,
    read: Callable[[str], str] = str,
) -> str:
    """Train on the cases and write the model with its manifest; returns a line saying what it learnt."""
    count = train(cues, cases, model, read)
    manifest = {"format": FEATURES_VERSION, "reports": count, "sets": digest(sets)}
    model.with_suffix(".json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return f"{model}: learnt from {count} labelled reports ({model.stat().st_size // 1024} KiB)"
