"""Retrieval copes with colloquial, dialect and misspelt questions, and knows when it does not know."""

from __future__ import annotations

import pytest

from bot.qa import QAService, load_qa
from bot.qa.text import normalize
from config.settings import RULES_DIR


@pytest.fixture(scope="module")
def qa() -> QAService:
    return load_qa(RULES_DIR)


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        # synonyms from faq.yaml: colloquial names and common misspellings
        ("暂住证咋个办", "residence-permit-apply"),
        ("良民证去哪开", "no-criminal-record-apply"),
        ("新买的电驴咋上牌照", "traffic-ebike-registration"),
        ("户口薄丢了咋整", "hukou-book-lost"),
        # homophone typos that no synonym lists: the pinyin pairs still meet the entry
        ("户口布丢了怎么补", "hukou-book-lost"),
        ("驾使证快到期了怎么换", "traffic-license-renewal"),
        ("无犯罪记录正明在哪开", "no-criminal-record-apply"),
        # full-width characters, emoji and @mentions do not matter
        ("@警务助手 护照在哪办？？😭", "exit-passport-apply"),
        ("ＥＴＣ要重新认证发了个网址 是骗子吗", "fraud-link"),
    ],
)
def test_colloquial_and_misspelt_questions_find_their_entry(qa: QAService, text: str, entry: str) -> None:
    a = qa.answer(text)
    assert (a.kind, a.entry_id) == ("faq", entry), a.matches[:2]
    assert a.score >= qa.rules.answer_threshold


def test_the_document_asked_about_wins(qa: QAService) -> None:
    assert qa.answer("孩子办身份证要家长到场吗").entry_id == "idcard-minor"
    assert qa.answer("孩子办护照要家长到场吗").entry_id == "exit-minor"
    assert qa.answer("居住证丢了怎么补").entry_id == "residence-permit-lost"
    assert qa.answer("驾驶证丢了怎么补").entry_id == "traffic-license-lost"


@pytest.mark.parametrize(
    "text", ["派出所招不招辅警", "今年小麦什么时候收割好", "我想申请个持枪证", "村里的路灯是派出所管吗"]
)
def test_below_the_threshold_the_question_goes_to_an_officer(qa: QAService, text: str) -> None:
    a = qa.answer(text)
    assert (a.kind, a.reason, a.text) == ("handoff", "low_confidence", None)
    assert a.score < qa.rules.answer_threshold


def test_normalize_folds_width_case_and_symbols() -> None:
    assert normalize("＠警务助手　ＥＴＣ认证！！👍") == "etc认证"
    assert normalize("身份证   丢了？") == "身份证 丢了"
    # an @-name typed without a space ends at punctuation: the question after it is kept
    assert normalize("@民警，身份证丢了怎么补办") == "身份证丢了怎么补办"
