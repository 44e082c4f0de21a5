"""Dispute or not, category (DOMAIN.md §6) and risk (§4), each with the cues that decided it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.extraction.cues import REGEX_PREFIX, CueSet, Hit, KeywordScanner
from bot.extraction.lexicon import ExtractionRules
from bot.extraction.ngrams import (
    DISPUTE,
    NONE,
    NOT_RED,
    RED,
    Example,
    Learnt,
    LogisticScorer,
    NgramScorer,
    keyword_examples,
    shipped,
)
from config.rules import Rules

_CLAUSE_END = re.compile(r"[，。；！？,.;!?\s]")


def _clause(text: str, at: int) -> str:
    """The clause around position `at`: from the punctuation or space before it to the one after."""
    starts = [m.end() for m in _CLAUSE_END.finditer(text, 0, at)]
    end = _CLAUSE_END.search(text, at)
    return text[starts[-1] if starts else 0 : end.start() if end else len(text)]


def _sure(margin: float, needed: float | None) -> bool:
    return needed is not None and margin >= needed


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
        neg, hedges = lexicon.risk.negations, lexicon.risk.hedges
        d = lexicon.dispute
        self._conflict = CueSet(d.conflict, neg, hedges)
        self._report = CueSet(d.report)
        self._not_dispute = CueSet(d.not_dispute, neg, hedges)  # 没开会 is no meeting notice
        self._bulletins = CueSet(d.bulletins)
        self._question = CueSet(d.question)
        self._joking = CueSet(d.joking)
        self._asks = CueSet(d.asks)
        self._closed = CueSet(d.closed)
        self._no_quarrel = CueSet(d.no_quarrel)
        self._collective = CueSet(d.collective)
        cats = lexicon.categories
        self._groups = [(c.code, list(c.keywords)) for c in rules.categories.categories]
        self._weights = {(code, k): cats.weight(k) for code, words in self._groups for k in words}
        self._fallback_cfg = cats.fallback
        self._keywords = KeywordScanner(self._groups)
        self.ngrams: NgramScorer | None = None
        self.dispute_ngrams: NgramScorer | None = None
        self._dispute_cfg = d
        self.red_ngrams: NgramScorer | None = None
        self.red_logit: LogisticScorer | None = None
        self.learn_shipped()
        self._cause = [re.compile(c.removeprefix(REGEX_PREFIX)) for c in cats.cause]
        self._cause_bonus = cats.cause_bonus
        self._topic = min(cats.default_weight, cats.strong_weight)  # what a topic word weighs at least
        self._high = CueSet(rules.risk.high, [*neg, *lexicon.risk.near_miss], hedges)
        self._simile = tuple(lexicon.risk.simile)
        self._no_crowd = CueSet(lexicon.risk.no_crowd)
        self._medium = CueSet(rules.risk.medium, neg, hedges)
        self._calm = CueSet(lexicon.risk.calm)
        headed_off = lexicon.risk.headed_off()  # 差点动手: no danger now, but ten people about to fight are a crowd
        self._no_danger = CueSet([*lexicon.risk.calm, *lexicon.risk.red_fallback_veto, *headed_off])
        self._crowd = CueSet([*headed_off, *lexicon.risk.crowd_words], neg, hedges)  # 目前还没有聚集 is no crowd
        self._past = CueSet(lexicon.risk.past)
        self._settled = CueSet(lexicon.risk.settled)

    def learn_shipped(self) -> None:
        """Learn from the examples shipped in ngram_examples.yaml (what start-up does)."""
        self.learn_all(shipped())

    def learn_all(self, learnt: Learnt, hidden: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.learn(learnt.reports, hidden, dispute_examples=learnt.disputes, red_examples=learnt.reds)

    def learn(
        self,
        examples: list[Example],
        hidden: frozenset[tuple[str, str]] = frozenset(),
        dispute_examples: list[Example] | None = None,
        red_examples: list[Example] | None = None,
    ) -> None:
        """(Re)build the keyword scanner and the n-gram fallbacks from the keywords, minus `hidden` ((code, keyword)
        pairs), and these labelled examples. Start-up uses the shipped examples; cross-validation uses a fold's."""
        groups = [(code, [k for k in words if (code, k) not in hidden]) for code, words in self._groups]
        self._keywords = KeywordScanner(groups)
        cfg = self._fallback_cfg
        if cfg.enabled:
            known = keyword_examples(groups, cfg.keyword_weight)
            self.ngrams = NgramScorer(
                [code for code, _ in groups], known + examples, cfg.neighbours, cfg.neighbour_share
            )
        if dispute_examples is not None:
            usable = self._dispute_cfg.fallback and {c for c, _, _ in dispute_examples} == {DISPUTE, NONE}
            self.dispute_ngrams = (
                NgramScorer([DISPUTE, NONE], dispute_examples, cfg.neighbours, cfg.neighbour_share) if usable else None
            )
        if red_examples is not None:
            risk = self.lexicon.risk
            both = {c for c, _, _ in red_examples} == {RED, NOT_RED}
            self.red_ngrams = (
                NgramScorer([RED, NOT_RED], red_examples, cfg.neighbours, cfg.neighbour_share)
                if both and risk.red_fallback_margin is not None
                else None
            )
            self.red_logit = LogisticScorer(RED, red_examples) if both and risk.red_fallback_logit is not None else None

    # ---- dispute or not --------------------------------------------------------------------------------

    def bulletin(self, text: str) -> bool:
        """The message opens with a bulletin's header (【通报】, 【反诈】), which `clean` takes off the text the other
        lists read: a bulletin is no report, whatever quarrel it tells of."""
        return self._bulletins.any(text)

    def dispute(self, text: str, has_party: bool, evidence: float, has_place: bool = False) -> Verdict:
        """`evidence`: the keyword weight of all categories together (a topic word weighs `default_weight`).

        The lists decide; where their decision is soft (a question or notice word's veto, a yes on quarrel words
        alone), the n-gram scorer overturns it when it is sure enough (`overturn_veto`, `overturn_yes`)."""
        if (self._closed.any(text) and not self._renewed(text)) or self._no_quarrel.any(text):
            return Verdict(False)
        high = self._high.hits(text)
        conflict = self._conflict.hits(text) + high
        verdict, soft = self._listed(text, conflict, bool(high), has_party, evidence, has_place)
        if not soft or self.dispute_ngrams is None:
            return verdict
        cfg = self._dispute_cfg
        best = self.dispute_ngrams.best(text)
        if best is None:
            return verdict
        label, margin = best
        said = conflict or has_party or evidence > 0  # something of a dispute is there to turn a veto
        if not verdict.is_dispute and label == DISPUTE and said and _sure(margin, cfg.overturn_veto):
            return Verdict(True, conflict)
        if verdict.is_dispute and label == NONE and _sure(margin, cfg.overturn_yes):
            return Verdict(False)
        return verdict

    def _renewed(self, text: str) -> bool:
        """After the last word saying the matter was settled, it flared up again: 去年调解签了协议，今天上午李某又把界桩
        拔了，两家又吵起来."""
        rest = text[max((h.start + len(h.text) for h in self._closed.hits(text)), default=0) :]
        return any(w in rest for w in self._dispute_cfg.renewed) and self._conflict.any(rest)

    def _listed(
        self, text: str, conflict: list[Hit], high: bool, has_party: bool, evidence: float, has_place: bool
    ) -> tuple[Verdict, bool]:
        """The word lists' decision, and whether it is soft (one the n-gram scorer may overturn)."""
        many = self._collective.any(text)  # 村民们有意见: many people are a party too
        cues = len({h.cue for h in conflict})
        strong = cues >= self._dispute_cfg.override_conflicts  # 业委会三年没公示…吵翻了: a notice word, but a quarrel
        if self._not_dispute.any(text) and not (strong and has_party):
            return Verdict(False), True
        if self._joking.any(text) and not has_party and not self._asks.any(text):
            return Verdict(False), False  # 我老婆说再打游戏就跟我离婚😂
        located = has_place and strong  # 御景花园地库…撞碎了就走了…我要找他赔 (a question, but a report)
        if self._question.any(text) and not (conflict and (has_party or many or high or located)):
            return Verdict(False), True  # 请问装修噪音几点以后不许施工: asking, not reporting
        if conflict and (has_party or many or evidence > 0 or len(conflict) >= 2):
            return Verdict(True, conflict), not (has_party or high)
        if evidence >= self._topic and has_party and self._report.any(text):
            return Verdict(True, self._report.hits(text)), False
        if evidence >= 1.5 * self._topic and has_party:
            return Verdict(True), False  # 赵某家的羊吃了李某某的白菜: a named party and the matter, no quarrel word
        if (has_party or has_place or evidence > 0 or conflict) and self.looks_like_dispute(text):
            return Verdict(True, conflict), False  # 说了好几回了他家里的还说我小气: the labelled messages it resembles
        return Verdict(False), False

    def _now(self, text: str, hits: list[Hit]) -> list[Hit]:
        """The red cues that tell of danger now: in a report that says an old matter was dealt with (派出所早处理完了),
        not those in a clause about that past (前年打过一架, 年前那次两家打架)."""
        if not hits or not self._settled.any(text):
            return hits
        return [h for h in hits if not self._past.any(_clause(text, h.start))]

    def _likeness(self, text: str, hit: Hit) -> bool:
        """The cue is what things were like, not what happened: 每年过年都跟要打起来似的."""
        end = hit.start + len(hit.text)
        return bool(self._simile) and text[end : end + 6].lstrip("了啦").startswith(self._simile)

    def looks_red(self, text: str) -> bool:
        """The safety net for red wording no list has: a report long enough to judge, that says nothing of calm or a
        false alarm, which either learnt judge finds like the labelled red reports: the centroids nearer them than
        the others by the margin, or the logistic regression's log-odds at its threshold."""
        risk = self.lexicon.risk
        if len(text) < risk.red_fallback_min_chars or self._no_danger.any(text):
            return False  # too short to judge, or it says there is no danger now (劝开了, 以为打起来了)
        if self.red_ngrams is not None and risk.red_fallback_margin is not None:
            best = self.red_ngrams.best(text)
            if best is not None and best[0] == RED and best[1] >= risk.red_fallback_margin:
                return True
        return (
            self.red_logit is not None
            and risk.red_fallback_logit is not None
            and self.red_logit.score(text) >= risk.red_fallback_logit
        )

    def looks_like_dispute(self, text: str) -> bool:
        """The n-gram scorer finds the text nearer the labelled disputes than the other messages, by the margin."""
        if self.dispute_ngrams is None:
            return False
        best = self.dispute_ngrams.best(text)
        return best is not None and best[0] == DISPUTE and best[1] >= self._dispute_cfg.fallback_margin

    # ---- category ----------------------------------------------------------------------------------------

    def category_scores(self, text: str) -> dict[str, tuple[float, int, list[str]]]:
        """code -> (weight, first position, keywords found) for every category with a keyword in the text.

        Keywords match leftmost-longest (物业公司 is not also 物业); each keyword counts once per category."""
        causes = [m.group(1) for p in self._cause for m in p.finditer(text)]
        scores: dict[str, tuple[float, int, list[str]]] = {}
        for code, cue, start, matched in self._keywords.hits(text):
            bonus = self._cause_bonus if any(matched in c for c in causes) else 1.0
            total, first, cues = scores.get(code, (0.0, start, []))
            shown = matched if cue.startswith(REGEX_PREFIX) else cue  # officers read 牛吃了, not the regex
            scores[code] = (total + self._weights[(code, cue)] * bonus, min(first, start), [*cues, shown])
        return scores

    def category(self, scores: dict[str, tuple[float, int, list[str]]], text: str = "") -> tuple[str, list[str]]:
        """The best category by keyword weight; the n-gram fallback adds one vote (`fallback.weight`) to the
        category it prefers by at least `fallback.min_margin`, so it decides ties and reports with no keyword."""
        guess = self.fallback(text) if text else None
        if guess is not None:
            total, first, cues = scores.get(guess, (0.0, len(text), []))
            scores = {**scores, guess: (total + self._fallback_cfg.weight, first, cues)}
        if not scores:
            return self.rules.categories.default, []
        code = max(scores, key=lambda c: (scores[c][0], -scores[c][1]))
        name = self.rules.categories.by_code(code).name
        words = scores[code][2][:4]
        if code == guess:
            words = [*words, "相近用语"]
        return code, [f"类别:{name}({'、'.join(words)})"]

    def fallback(self, text: str) -> str | None:
        """The n-gram scorer's category if it leads the runner-up by `fallback.min_margin`, else None."""
        if self.ngrams is None or self._fallback_cfg.weight <= 0:
            return None
        best = self.ngrams.best(text)
        if best is None or best[1] < self._fallback_cfg.min_margin:
            return None
        return best[0]

    # ---- risk --------------------------------------------------------------------------------------------

    def risk(self, text: str, head_count: int | None, amount: int | None) -> Grade:
        cfg = self.lexicon.risk
        colour = self.rules.risk.colour
        high = [h.text for h in self._now(text, self._high.hits(text)) if not self._likeness(text, h)]
        crowd = head_count is not None and head_count >= cfg.crowd_size
        if crowd and self._crowd.any(text) and not self._no_crowd.any(text):
            high.append(f"{head_count}人聚集")
        if high:
            return Grade("high", [f"{colour('high')}:{c}" for c in dict.fromkeys(high)])
        if self.looks_red(text):
            return Grade("high", [f"{colour('high')}:与以往红色纠纷相近，请核实"])
        medium = [h.text for h in self._medium.hits(text)]
        if head_count is not None and head_count >= cfg.crowd_size:
            medium.append(f"{head_count}人")  # many parties, though not gathered (yet)
        if amount is not None and amount >= cfg.medium_amount:
            medium.append(f"金额{amount}元")
        if medium:
            return Grade("medium", [f"{colour('medium')}:{c}" for c in dict.fromkeys(medium)])
        calm = [h.cue for h in self._calm.hits(text)]
        return Grade("low", [f"{colour('low')}:{c}" for c in calm] or [f"{colour('low')}:未见风险信号"])
