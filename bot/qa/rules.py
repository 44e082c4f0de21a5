"""The Q&A rule file (config/rules/qa.yaml): emergency, fraud, legal and small-talk patterns, replies, thresholds."""

# The models here derive from config.rules.Strict, a pydantic model, whose mutable defaults pydantic copies per
# instance; ruff's RUF012 cannot follow a base class across modules (astral-sh/ruff#13630).
# ruff: noqa: RUF012

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field

from bot.qa.retrieval import Weights
from config.rules import Strict, load_yaml_model


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from exc
    return pattern


Regex = Annotated[str, AfterValidator(_compiles)]  # checked one by one, so an error names the pattern's own line


def _any(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


class _Patterns(Strict):
    """A group of patterns that fires when any one of them is found."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    @staticmethod
    def search(compiled: re.Pattern[str] | None, *texts: str) -> bool:
        return compiled is not None and any(compiled.search(t) for t in texts)


class EmergencyKind(_Patterns):
    id: str
    label: str
    numbers: list[str] = Field(min_length=1)
    advice: str
    urgent: list[Regex] = []  # an emergency whatever the framing
    cues: list[Regex] = []  # an emergency unless the message is framed as a question about procedure

    @cached_property
    def urgent_re(self) -> re.Pattern[str] | None:
        return _any(self.urgent)

    @cached_property
    def cues_re(self) -> re.Pattern[str] | None:
        return _any(self.cues)


class EmergencyRules(_Patterns):
    hypothetical: Regex = "(?!)"  # 万一/如果: with a question and nothing said to be happening, not an emergency
    present: Regex = "(?!)"
    not_now: list[Regex] = []
    kinds: list[EmergencyKind] = Field(min_length=1)
    reply: str
    alert: str

    @cached_property
    def not_now_re(self) -> re.Pattern[str] | None:
        return _any(self.not_now)

    @cached_property
    def hypothetical_re(self) -> re.Pattern[str]:
        return re.compile(self.hypothetical)

    @cached_property
    def present_re(self) -> re.Pattern[str]:
        return re.compile(self.present)


class FraudKind(_Patterns):
    id: str
    label: str
    entry: str  # the faq.yaml entry whose answer explains this scam
    cues: list[Regex] = Field(min_length=1)

    @cached_property
    def cues_re(self) -> re.Pattern[str] | None:
        return _any(self.cues)


class FraudRules(_Patterns):
    verify: list[Regex] = []
    involved: list[Regex] = []
    not_now: list[Regex] = []
    kinds: list[FraudKind] = Field(min_length=1)
    reply: str
    alert: str

    @cached_property
    def verify_re(self) -> re.Pattern[str] | None:
        return _any(self.verify)

    @cached_property
    def involved_re(self) -> re.Pattern[str] | None:
        return _any(self.involved)

    @cached_property
    def not_now_re(self) -> re.Pattern[str] | None:
        return _any(self.not_now)


class SmallTalk(_Patterns):
    id: str
    reply: str | None = None  # None: the bot stays quiet
    patterns: list[Regex] = Field(min_length=1)

    @cached_property
    def patterns_re(self) -> re.Pattern[str] | None:
        return _any(self.patterns)


class Redirect(_Patterns):
    """Questions the bot must not answer itself: they go to an officer with this reply."""

    patterns: list[Regex] = Field(min_length=1)
    reply: str

    @cached_property
    def patterns_re(self) -> re.Pattern[str] | None:
        return _any(self.patterns)


class LegalRules(_Patterns):
    entry: str
    topics: list[Regex] = []  # legal advice when asked as a question
    cues: list[Regex] = Field(min_length=1)  # legal advice however it is put (能赔多少, 能赢吗)

    @cached_property
    def cues_re(self) -> re.Pattern[str] | None:
        return _any(self.cues)

    @cached_property
    def topics_re(self) -> re.Pattern[str] | None:
        return _any(self.topics)


class HandoffTexts(Strict):
    reply: str
    notice: str
    answer: str


class RetrievalWeights(Strict):
    words: float = Field(default=1.0, ge=0)
    chars: float = Field(default=0.5, ge=0)
    pinyin: float = Field(default=0.5, ge=0)
    answer: float = Field(default=0.3, ge=0)
    key_penalty: float = Field(default=0.5, gt=0, le=1)

    def weights(self) -> Weights:
        return Weights(self.words, self.chars, self.pinyin, self.answer, self.key_penalty)


class QARules(_Patterns):
    answer_threshold: float = Field(ge=0, le=1)
    legal_override: float = Field(ge=0, le=1)
    answer_roles: list[str] = Field(min_length=1)
    emergency: EmergencyRules
    fraud: FraudRules
    ask_officer: Regex
    small_talk: list[SmallTalk] = []
    others_data: Redirect
    case_status: Redirect
    legal: LegalRules
    handoff: HandoffTexts
    faq_footer: str = ""
    question_cues: Regex
    retrieval: RetrievalWeights = RetrievalWeights()
    words: list[str] = []
    key_terms: list[str] = []
    stopwords: list[str] = []

    @cached_property
    def ask_officer_re(self) -> re.Pattern[str]:
        return re.compile(self.ask_officer)

    @cached_property
    def question_re(self) -> re.Pattern[str]:
        return re.compile(self.question_cues)


def load_qa_rules(path: Path) -> QARules:
    return load_yaml_model(path, QARules)
