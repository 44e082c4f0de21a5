"""Dispute or not, category (DOMAIN.md §6) and risk (§4), each with the cues that decided it."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.extraction.cues import CueSet, Hit
from bot.extraction.lexicon import ExtractionRules
from config.rules import Rules


@dataclass
class Verdict:
    is_dispute: bool
    why: list[Hit] = field(default_factory=list)


@dataclass
class Grade:
    risk: str
    reasons: list[str]


class Classifier:
    def __init__(self, rules: Rules, lexicon: ExtractionRules) -> None:
        self.rules, self.lexicon = rules, lexicon
        neg = lexicon.risk.negations
        d = lexicon.dispute
        self._conflict = CueSet(d.conflict, neg)
        self._report = CueSet(d.report)
        self._not_dispute = CueSet(d.not_dispute, neg)  # 没开会 is no meeting notice
        self._question = CueSet(d.question)
        self._closed = CueSet(d.closed)
        self._collective = CueSet(d.collective)
        weights, default = lexicon.categories.weights, lexicon.categories.default_weight
        self._categories = [
            (c.code, CueSet(c.keywords), {k: weights.get(k, default) for k in c.keywords})
            for c in rules.categories.categories
        ]
        self._high = CueSet(rules.risk.high, neg)
        self._medium = CueSet(rules.risk.medium, neg)
        self._calm = CueSet(lexicon.risk.calm)
        self._crowd = CueSet(lexicon.risk.crowd_words)

    # ---- dispute or not --------------------------------------------------------------------------------

    def dispute(self, text: str, has_party: bool, category_hits: int) -> Verdict:
        if self._not_dispute.any(text) or self._closed.any(text):
            return Verdict(False)
        conflict = self._conflict.hits(text) + self._high.hits(text)
        if self._question.any(text) and not (conflict and has_party):
            return Verdict(False)
        has_party = has_party or self._collective.any(text)  # 村民们有意见: many people are a party too
        if conflict and (has_party or category_hits or len(conflict) >= 2):
            return Verdict(True, conflict)
        if category_hits and has_party and self._report.any(text):
            return Verdict(True, self._report.hits(text))
        if category_hits >= 2 and has_party:
            return Verdict(True)
        return Verdict(False)

    # ---- category ----------------------------------------------------------------------------------------

    def category_scores(self, text: str) -> dict[str, tuple[float, int, list[str]]]:
        """code -> (weight, first position, keywords found) for every category with a keyword in the text."""
        scores: dict[str, tuple[float, int, list[str]]] = {}
        for code, cues, weights in self._categories:
            hits = cues.hits(text)
            if hits:
                scores[code] = (sum(weights.get(h.cue, 1.0) for h in hits), hits[0].start, [h.cue for h in hits])
        return scores

    def category(self, scores: dict[str, tuple[float, int, list[str]]]) -> tuple[str, list[str]]:
        if not scores:
            return self.rules.categories.default, []
        code = max(scores, key=lambda c: (scores[c][0], -scores[c][1]))
        name = self.rules.categories.by_code(code).name
        return code, [f"类别:{name}({'、'.join(scores[code][2][:4])})"]

    # ---- risk --------------------------------------------------------------------------------------------

    def risk(self, text: str, head_count: int | None, amount: int | None) -> Grade:
        cfg = self.lexicon.risk
        colour = self.rules.risk.colour
        high = [h.text for h in self._high.hits(text)]
        if head_count is not None and head_count >= cfg.crowd_size and self._crowd.any(text):
            high.append(f"{head_count}人聚集")
        if high:
            return Grade("high", [f"{colour('high')}:{c}" for c in dict.fromkeys(high)])
        medium = [h.text for h in self._medium.hits(text)]
        if head_count is not None and head_count >= cfg.crowd_size:
            medium.append(f"{head_count}人")  # many parties, though not gathered (yet)
        if amount is not None and amount >= cfg.medium_amount:
            medium.append(f"金额{amount}元")
        if medium:
            return Grade("medium", [f"{colour('medium')}:{c}" for c in dict.fromkeys(medium)])
        calm = [h.cue for h in self._calm.hits(text)]
        return Grade("low", [f"{colour('low')}:{c}" for c in calm] or [f"{colour('low')}:未见风险信号"])
