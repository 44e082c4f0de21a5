"""jobs.yaml (a broken file names file, line and field), the JINGWU_JOBS_ settings, quiet hours and digest periods
in local time across week, month and year ends."""

from __future__ import annotations

import shutil
from datetime import datetime, time
from pathlib import Path

import pytest

from bot.clock import SHANGHAI
from config.rules import RuleFileError
from config.settings import RULES_DIR
from jobs.config import DigestRules, JobsConfig, JobsSettings, QuietHours, load_jobs_config
from jobs.periods import latest_due


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def rules_dir_with(tmp_path: Path, jobs_yaml: str) -> Path:
    shutil.copytree(RULES_DIR, tmp_path / "rules")
    (tmp_path / "rules" / "jobs.yaml").write_text(jobs_yaml, encoding="utf-8")
    return tmp_path / "rules"


def test_shipped_file_matches_the_issue() -> None:
    config = load_jobs_config(RULES_DIR)
    assert (config.quiet_hours.start, config.quiet_hours.end, config.quiet_hours.except_risk) == (
        "22:00",
        "07:00",
        ["high"],
    )
    assert config.digests.daily.time == time(8, 30)
    assert (config.digests.weekly.weekday, config.digests.weekly.time) == (1, time(9, 0))
    assert config.digests.monthly.day == 1
    assert config.overdue.realert_delta.total_seconds() == 15 * 60


@pytest.mark.parametrize(
    ("body", "where", "field"),
    [
        ('digests:\n  daily: {at: "8.30"}\n', ":2", "digests.daily.at"),
        ("overdue:\n  realert_every: 30s\n", ":2", "overdue.realert_every"),
        ('quiet_hours:\n  start: "22:00"\n  except_risk: [purple]\n', ":3", "quiet_hours.except_risk.0"),
        ('digests:\n  weekly: {weekday: 8, at: "09:00"}\n', ":2", "digests.weekly.weekday"),
        ('digest:\n  daily: {at: "08:30"}\n', ":1", "digest"),
        ("digests: [\n", ":2", None),
    ],
)
def test_a_broken_file_names_file_line_and_field(tmp_path: Path, body: str, where: str, field: str | None) -> None:
    with pytest.raises(RuleFileError) as err:
        load_jobs_config(rules_dir_with(tmp_path, body))
    assert str(err.value).startswith(f"{tmp_path / 'rules' / 'jobs.yaml'}{where}:")
    assert err.value.field == field


def test_a_digest_in_the_quiet_hours_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="daily digest at 23:00 falls in the quiet hours"):
        load_jobs_config(rules_dir_with(tmp_path, 'digests:\n  daily: {at: "23:00"}\n'))


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JINGWU_JOBS_SWEEP_BATCH", "25")
    monkeypatch.setenv("JINGWU_JOBS_ITEM_DELAY_SECONDS", "0.5")
    s = JobsSettings()
    assert (s.sweep_batch, s.item_delay_seconds) == (25, 0.5)
    assert (s.sweep_interval_seconds, s.misfire_grace_seconds) == (30, 300)


def test_quiet_hours_wrap_past_midnight() -> None:
    q = QuietHours()
    assert [q.contains(time(h, m)) for h, m in ((21, 59), (22, 0), (3, 0), (6, 59), (7, 0), (12, 0))] == [
        False,
        True,
        True,
        True,
        False,
        False,
    ]
    day = QuietHours(start="12:00", end="13:00")
    assert day.contains(time(12, 30)) and not day.contains(time(13, 0))
    assert not JobsConfig(quiet_hours=QuietHours(start="00:00", end="00:00")).quiet_hours.contains(time(3))


@pytest.mark.parametrize(
    ("now", "kind", "key", "start", "end", "due"),
    [
        ("2026-11-24T08:29", "daily", "2026-11-23", "2026-11-22T08:30", "2026-11-23T08:30", "2026-11-23T08:30"),
        ("2026-11-24T08:30", "daily", "2026-11-24", "2026-11-23T08:30", "2026-11-24T08:30", "2026-11-24T08:30"),
        ("2026-11-30T08:59", "weekly", "2026-11-16", "2026-11-16T00:00", "2026-11-23T00:00", "2026-11-23T09:00"),
        ("2026-11-30T09:00", "weekly", "2026-11-23", "2026-11-23T00:00", "2026-11-30T00:00", "2026-11-30T09:00"),
        ("2026-12-03T12:00", "weekly", "2026-11-23", "2026-11-23T00:00", "2026-11-30T00:00", "2026-11-30T09:00"),
        ("2026-12-01T09:29", "monthly", "2026-10", "2026-10-01T00:00", "2026-11-01T00:00", "2026-11-01T09:30"),
        ("2026-12-01T09:30", "monthly", "2026-11", "2026-11-01T00:00", "2026-12-01T00:00", "2026-12-01T09:30"),
        ("2027-01-01T10:00", "monthly", "2026-12", "2026-12-01T00:00", "2027-01-01T00:00", "2027-01-01T09:30"),
        ("2027-01-01T08:00", "daily", "2026-12-31", "2026-12-30T08:30", "2026-12-31T08:30", "2026-12-31T08:30"),
    ],
)
def test_latest_period_due(now: str, kind: str, key: str, start: str, end: str, due: str) -> None:
    p = latest_due(kind, DigestRules(), at(now), SHANGHAI)  # type: ignore[arg-type]
    assert (p.key, p.start, p.end, p.due_at) == (key, at(start), at(end), at(due))
    assert p.previous().end == p.start


def test_previous_periods() -> None:
    rules = DigestRules()
    march = latest_due("monthly", rules, at("2026-04-02T10:00"), SHANGHAI)
    assert (march.key, march.previous().key, march.previous().start) == ("2026-03", "2026-02", at("2026-02-01T00:00"))
    assert march.previous().due_at == at("2026-03-01T09:30")
    january = latest_due("monthly", rules, at("2027-02-01T09:30"), SHANGHAI)
    assert january.previous().key == "2026-12"
    week = latest_due("weekly", rules, at("2026-11-30T09:00"), SHANGHAI)
    assert (week.previous().key, week.previous().due_at) == ("2026-11-16", at("2026-11-23T09:00"))
    day = latest_due("daily", rules, at("2026-11-24T09:00"), SHANGHAI)
    assert (day.previous().key, day.previous().start) == ("2026-11-23", at("2026-11-22T08:30"))


def test_a_friday_week_and_a_mid_month_report() -> None:
    rules = DigestRules.model_validate({"weekly": {"weekday": 5, "at": "17:00"}, "monthly": {"day": 15, "at": "10:00"}})
    week = latest_due("weekly", rules, at("2026-11-27T17:00"), SHANGHAI)  # a Friday
    assert (week.start, week.end) == (at("2026-11-20T00:00"), at("2026-11-27T00:00"))
    assert week.due_at == at("2026-11-27T17:00")
    month = latest_due("monthly", rules, at("2026-11-14T10:00"), SHANGHAI)
    assert (month.key, month.due_at) == ("2026-09", at("2026-10-15T10:00"))
