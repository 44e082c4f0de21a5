"""The FAQ knowledge base and the Q&A rule file: coverage, national numbers only, placeholders, broken files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.qa import load_qa_uncached
from bot.qa.knowledge import NATIONAL_NUMBERS, load_knowledge
from config.rules import RuleFileError
from config.settings import RULES_DIR

# issue line 1: what residents ask a police station, one entry at least for each
REQUIRED_ENTRIES = {
    "户籍": ["hukou-birth-registration", "hukou-move-in", "hukou-move-out", "hukou-split"],
    "身份证": ["idcard-first-application", "idcard-reissue-lost", "idcard-temporary", "idcard-cross-province"],
    "居住证": ["residence-permit-apply", "residence-registration"],
    "出租房屋": ["rental-registration"],
    "出入境": ["exit-passport-apply", "exit-hk-macau-permit"],
    "无犯罪记录证明": ["no-criminal-record-apply"],
    "交管": ["traffic-license-renewal", "traffic-ebike-registration", "traffic-accident-quick"],
    "治安": ["public-noise", "public-neighbor-dispute", "public-missing-person"],
    "反诈": ["fraud-common-types", "fraud-safe-account"],
    "警务室": ["station-contact", "station-office-hours"],
}


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


def test_knowledge_base_covers_what_residents_ask() -> None:
    kb = load_knowledge(RULES_DIR / "faq.yaml")
    assert len(kb.entries) >= 60
    ids = {e.id: e.topic for e in kb.entries}
    for topic, entry_ids in REQUIRED_ENTRIES.items():
        for entry_id in entry_ids:
            assert ids.get(entry_id) == topic, entry_id
    assert len(kb.synonyms) >= 100


def test_answers_write_out_national_numbers_only() -> None:
    kb = load_knowledge(RULES_DIR / "faq.yaml")
    for entry in kb.entries:
        numbers = set(re.findall(r"\d{3,}", entry.answer.replace("交管12123", "")))
        assert numbers <= NATIONAL_NUMBERS, entry.id
    assert all("96110" in e.answer for e in kb.entries if e.topic == "反诈")


def test_every_answer_renders_for_every_station_without_a_brace() -> None:
    qa = load_qa_uncached(RULES_DIR)
    for station in (None, "城关派出所"):
        for entry in qa.kb.entries:
            text = qa.kb.render(entry, station)
            assert "{" not in text and "}" not in text, entry.id
    assert qa.kb.render(qa.kb.entry("station-contact"), "城关派出所").startswith("城关派出所")


def test_a_station_fills_in_its_own_values(rules_copy: Path) -> None:
    faq = rules_copy / "faq.yaml"
    faq.write_text(
        faq.read_text(encoding="utf-8").replace(
            "stations: {}",
            "stations:\n  城关派出所: {station_phone: 0000-00000000, office_hours: 周一至周五 9:00-17:00}",
        ),
        encoding="utf-8",
    )
    qa = load_qa_uncached(rules_copy)
    answer = qa.answer("派出所电话多少", "城关派出所")
    assert answer.entry_id == "station-contact" and answer.text and "0000-00000000" in answer.text
    other = qa.answer("派出所电话多少", "东城派出所")
    assert other.text and "0000-00000000" not in other.text and "派出所值班电话" in other.text


@pytest.mark.parametrize(
    ("old", "new", "where", "problem"),
    [
        ("拿不准请打 96110 咨询。", "拿不准请打 0571-88889999 咨询。", "entries.", "0571"),
        ("办理地点：{service_hall}，时间", "办理地点：{service_window}，时间", "entries.", "service_window"),
        ("  - id: hukou-move-in\n", "  - id: hukou-birth-registration\n", "entries.", "duplicate"),
        ("placeholders:", "placeholders: [", None, "YAML syntax"),
    ],
)
def test_a_broken_faq_file_names_file_line_and_field(
    rules_copy: Path, old: str, new: str, where: str | None, problem: str
) -> None:
    faq = rules_copy / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    assert old in text
    faq.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_qa_uncached(rules_copy)
    e = err.value
    assert e.path == faq and e.line is not None and problem in str(e) and f"{faq}:{e.line}" in str(e)
    lines = faq.read_text(encoding="utf-8").splitlines()
    bad_line = max(n for n, line in enumerate(lines, 1) if new.strip() in line)
    assert abs(bad_line - e.line) <= 8  # the entry's own key (id:, answer:), or where YAML noticed the problem
    if where:
        assert e.field and e.field.startswith(where)


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        ("        - 抢劫|抢钱", "        - 抢劫(|抢钱", "emergency.kinds.0.urgent.5", "regular expression"),
        ("      entry: fraud-brushing", "      entry: fraud-brushes", "fraud.kinds.1.entry", "fraud-brushes"),
        ("请回复「答复 #{code} 答复内容」", "请回复「答复 #{ticket} 答复内容」", "handoff.notice", "{ticket}"),
        ("answer_threshold: 0.24", "answer_threshold: 3", "answer_threshold", "less than or equal to 1"),
    ],
)
def test_a_broken_qa_file_names_file_line_and_field(
    rules_copy: Path, old: str, new: str, field: str, problem: str
) -> None:
    path = rules_copy / "qa.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_qa_uncached(rules_copy)
    e = err.value
    assert e.path == path and e.field == field and problem in str(e)
    assert e.line is not None and f"{path}:{e.line}" in str(e)
    line = path.read_text(encoding="utf-8").splitlines()[e.line - 1]
    last = field.split(".")[-1]
    assert (new.strip() in line) if last.isdigit() else (f"{last}:" in line)
