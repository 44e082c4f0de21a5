"""Scoring the Q&A service on a labelled question set (tests/data/faq_*.jsonl): the figures the benchmark prints."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.qa.service import Answer, QAService

REFERRAL_NUMBER = "12348"  # a legal question is handled well when it is pointed here, not answered


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    expect_kind: str  # faq | emergency | fraud | handoff | legal | not_question
    expect_entry: str | None


@dataclass
class Outcome:
    row: Labelled
    answer: Answer
    correct: bool


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.row.expect_kind == kind]

    @staticmethod
    def _share(items: list[Outcome]) -> float:
        return sum(o.correct for o in items) / len(items) if items else 1.0

    @property
    def top1(self) -> float:
        """FAQ questions answered with exactly the expected entry."""
        return self._share(self.of_kind("faq"))

    @property
    def accuracy(self) -> float:
        return self._share(self.outcomes)

    def recall(self, kind: str) -> float:
        return self._share(self.of_kind(kind))

    def false_alarms(self, kind: str) -> int:
        return sum(1 for o in self.outcomes if o.answer.kind == kind and o.row.expect_kind != kind)

    @property
    def handoff_rate(self) -> float:
        return sum(o.answer.kind == "handoff" for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    @property
    def faq_handed_off(self) -> float:
        """FAQ questions the bot did not dare answer (passed to an officer instead)."""
        faq = self.of_kind("faq")
        return sum(o.answer.kind == "handoff" for o in faq) / len(faq) if faq else 0.0

    @property
    def wrong_answers(self) -> int:
        """Questions answered from the FAQ with an entry that does not fit: the costly mistake."""
        return sum(1 for o in self.outcomes if o.answer.kind == "faq" and not o.correct)

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]


def load_rows(path: Path) -> list[Labelled]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            rows.append(Labelled(d["id"], d["text"], d["expect_kind"], d.get("expect_entry")))
    return rows


def is_correct(service: QAService, row: Labelled, answer: Answer) -> bool:
    if row.expect_kind == "faq":
        return answer.kind == "faq" and answer.entry_id == row.expect_entry
    if row.expect_kind == "legal":  # `jingwu ask` says "faq" with a referral entry (12348 / 司法所 / 调解)
        return (
            answer.kind == "faq"
            and answer.entry_id is not None
            and REFERRAL_NUMBER in service.kb.entry(answer.entry_id).answer
        )
    return answer.kind == row.expect_kind


def evaluate(service: QAService, rows: Iterable[Labelled], station: str | None = None) -> Report:
    report = Report()
    for row in rows:
        answer = service.answer(row.text, station)
        report.outcomes.append(Outcome(row, answer, is_correct(service, row, answer)))
    return report
