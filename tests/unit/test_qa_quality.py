"""Quality on the dev set, asserted: the figures benchmarks/qa.py prints must not fall below these."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.qa import QAService, load_qa
from bot.qa.evaluate import Report, evaluate, load_rows
from config.settings import RULES_DIR

DEV = Path(__file__).resolve().parents[1] / "data" / "faq_dev.jsonl"


@pytest.fixture(scope="module")
def report() -> Report:
    service: QAService = load_qa(RULES_DIR)
    return evaluate(service, load_rows(DEV))


def test_the_dev_set_is_large_and_labelled() -> None:
    rows = load_rows(DEV)
    assert len(rows) >= 150
    assert {r.expect_kind for r in rows} == {"faq", "emergency", "fraud", "handoff", "legal", "not_question"}
    assert all((r.expect_entry is not None) == (r.expect_kind == "faq") for r in rows)


def test_every_emergency_is_caught(report: Report) -> None:
    missed = [o.row.text for o in report.of_kind("emergency") if not o.correct]
    assert missed == []
    assert report.false_alarms("emergency") <= 2


def test_scams_in_progress_are_caught(report: Report) -> None:
    assert report.recall("fraud") >= 0.95
    assert report.false_alarms("fraud") <= 3


def test_faq_questions_get_the_right_entry(report: Report) -> None:
    assert report.top1 >= 0.88
    assert report.wrong_answers <= 20  # answered with an entry that does not fit (handoffs are not counted here)


def test_the_rest_is_handed_off_referred_or_left_alone(report: Report) -> None:
    assert report.recall("handoff") >= 0.75
    assert report.faq_handed_off <= 0.08
    assert report.recall("legal") >= 0.9
    assert report.recall("not_question") >= 0.9
