"""The default rule extractor: cue lists from config/rules, jionlp for numbers and times, jieba for words."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import SHANGHAI
from bot.extraction import contacts, nlp
from bot.extraction.classify import Classifier
from bot.extraction.contacts import id_checksum_ok
from bot.extraction.cues import REGEX_PREFIX
from bot.extraction.dialect import Dialect, as_written
from bot.extraction.lexicon import FILE_NAME, ExtractionRules, load_extraction_rules
from bot.extraction.numbers import Counter
from bot.extraction.parties import PartyFinder
from bot.extraction.places import PlaceFinder, canonical
from bot.extraction.refs import is_follow_up
from bot.extraction.tagger import MODEL_FILE, PlaceTagger
from bot.extraction.types import REQUIRED_FIELDS, Extraction
from bot.extraction.when import TimeFinder
from bot.mentions import MENTION
from bot.privacy import HALF_WIDTH
from config.rules import RuleFileError, Rules

log = logging.getLogger(__name__)

__all__ = ["RuleExtractor", "clean", "id_checksum_ok", "summarize"]

_MENTION = re.compile(rf"{MENTION.pattern}\s*")
_HEADER = r"【([^】]{0,12})】"  # 【矛盾纠纷】, 【马坊村6组】
_PREFIX = re.compile(rf"^\s*(?:{_HEADER}|\[[^\]]{{0,12}}\]|(?:报告|上报)[:：]|(?:报告|上报)(?=\s))\s*", re.M)


def clean(text: str) -> str:
    """The report without @mentions and a leading 【矛盾纠纷】 / 报告： on any line."""
    return _PREFIX.sub("", _unmentioned(text)).strip()


def _unmentioned(text: str) -> str:
    return _MENTION.sub("", text.translate(HALF_WIDTH)).strip()


def summarize(body: str, limit: int = 80) -> str:
    """The first sentences of the report, up to `limit` characters, cut at a sentence end where possible."""
    body = re.sub(r"\s*\n\s*", "；", body)
    if len(body) <= limit:
        return body
    cut = max(body.rfind(p, 0, limit) for p in "。！!？?；;")
    return body[: cut + 1] if cut > 10 else body[:limit] + "…"


def _with_sides(parties: list[str], sides: list[str]) -> list[str]:
    """The people found, then the businesses that are a side, in the order written, without repeats."""
    return list(dict.fromkeys([*parties, *(s for s in sides if not any(s in p or p in s for p in parties))]))


class RuleExtractor:
    """Deterministic, fast and editable: every cue it uses lives in config/rules; the libraries load once."""

    def __init__(self, rules: Rules, tz: ZoneInfo = SHANGHAI, lexicon: ExtractionRules | None = None) -> None:
        self.rules, self.tz = rules, tz
        self.lexicon = lexicon or load_extraction_rules()
        self.load_seconds = nlp.warm_up()
        places = self.lexicon.places
        time = self.lexicon.time
        time_words = [w for w in [*time.anchors, *time.period_hours] if not w.startswith(REGEX_PREFIX)]
        # 今早, 昨晚 and 那间 (门口那间网吧) stay whole words, so that no place name starts with their last character
        whole = [*(w for w in time_words if len(w) > 1), *places.whole]
        # the station's own places: those it lists in extraction.yaml and the areas it routes
        places = places.model_copy(update={"known": [*places.known, *rules.routing.areas]})
        nlp.add_words(
            [*places.venues, *places.areas, *places.details, *self.lexicon.parties.roles, *places.known, *whole],
            split=places.split,
        )
        codes = [c.code for c in rules.categories.categories]
        if unknown := sorted(set(self.lexicon.parties.business_sides) - set(codes)):
            problem = f"unknown categories {unknown}; categories.yaml has {codes}"
            raise RuleFileError(Path(FILE_NAME), None, "parties.business_sides", problem)
        self._classifier = Classifier(rules, self.lexicon)
        self._places = PlaceFinder(places, time_words, self.lexicon.parties.roles)
        self.tagger: PlaceTagger | None = None  # the learnt judge of the rules' places and its own
        if places.tagger_prior > 0:
            if MODEL_FILE.exists():
                self.tagger = PlaceTagger(places, prior=places.tagger_prior)
            else:
                log.warning("place tagger model %s is missing: places come from the rules alone", MODEL_FILE.name)
        self._parties = PartyFinder(self.lexicon.parties, set(places.generic))
        self._counter = Counter(self.lexicon.counts)
        self._dialect = Dialect(self.lexicon.dialect)
        self._time = TimeFinder(self.lexicon.time, tz)

    @property
    def classifier(self) -> Classifier:
        """Dispute, category and risk decisions (the benchmark's cross-validation retrains its fallback)."""
        return self._classifier

    def reading(self, text: str) -> str:
        """The text with its dialect words in Mandarin, each as long as the word it replaces."""
        return self._dialect.mandarin(text)

    def extract(self, text: str, sent_at: datetime, area: str | None = None) -> Extraction:
        unmentioned = _unmentioned(text)  # a bulletin's header is read here, before clean() takes it off
        written = _PREFIX.sub("", unmentioned).strip()  # what clean(text) gives
        header = _PREFIX.match(unmentioned)
        if header and header.group(1) and self._places.names_only_a_place(header.group(1)):
            written = f"{header.group(1)}：{written}"  # 【马坊村6组】贺某某欠…: the header says where
        id_numbers, id_spans = contacts.id_numbers(written)
        phones = contacts.phones(written, id_spans)
        body = self.reading(written)  # what the lists read; names and places are cut from `written`
        parties = self._parties.find(body)
        scores = self._classifier.category_scores(body)
        candidates = self._places.candidates(body, area)
        place = self._places.find(body, candidates)
        verdict = self._classifier.dispute(body, bool(parties), sum(s[0] for s in scores.values()), place is not None)
        if not verdict.is_dispute or is_follow_up(body) or self._classifier.bulletin(unmentioned):
            # a message about a record named by its code adds to that record, and a bulletin reports nothing here
            return Extraction(is_dispute=False, phones=phones, id_numbers=id_numbers)
        category, reasons = self._classifier.category(scores, body)
        # in a labour or consumer report a named business is a side, unless two people are the sides already
        # (好再来饭店门口两桌客人…王某和李某: where it happened); elsewhere only when it acts (蜀香园火锅扣了她工资)
        named = category in self.lexicon.parties.business_sides and len(parties) < 2
        parties = _with_sides(parties, self._places.sides(body, candidates, named, alone=not parties))
        amount = self._counter.amount(body)
        head_count = self._counter.head_count(body)
        grade = self._classifier.risk(body, head_count, amount)
        if self.tagger is not None and not self._places.quoted(place, candidates):
            place = self._places.trim(self.tagger.choose(body, place, [p.text for p in candidates]))
        result = Extraction(
            is_dispute=True,
            category=category,
            risk=grade.risk,
            location=self._places.several_groups(
                canonical(self._places.in_area(as_written(place, body, written), body, area, candidates)), body
            )
            or area,
            parties=[as_written(p, body, written) or p for p in parties],
            phones=phones,
            id_numbers=id_numbers,
            occurred_at=self._time.occurred_at(body, sent_at),
            summary=summarize(written),
            amount=amount,
            head_count=head_count,
            reasons=[*reasons, *grade.reasons],
        )
        result.missing = [f for f in REQUIRED_FIELDS if not getattr(result, f)]
        return result

    async def aextract(self, text: str, sent_at: datetime, area: str | None = None) -> Extraction:
        """The same, for callers that also accept the LLM extractor (which must not block the event loop)."""
        return self.extract(text, sent_at, area)

    async def aclose(self) -> None:
        """Nothing to release; here so that callers can close any extractor the same way."""
