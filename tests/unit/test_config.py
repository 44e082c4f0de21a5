"""Settings from the environment and a settings file; rule files that report file, line and field."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config.rules import RuleFileError, load_rules
from config.settings import RULES_DIR, Settings, SettingsFileError


def test_shipped_rules_load() -> None:
    rules = load_rules(RULES_DIR)
    assert {c.code for c in rules.categories.categories} >= {
        "family",
        "neighbor",
        "land",
        "labor",
        "property",
        "consumer",
        "debt",
        "traffic",
        "medical",
        "damage",
        "demolition",
        "other",
    }
    assert rules.risk.colour("high") == "红"
    assert rules.deadlines.accept_delta("high").total_seconds() == 15 * 60
    assert rules.revisits.after_resolved_days["high"] == [1, 3, 7, 30]
    assert rules.routing.area_for("幸福村").officer == "officer-wang"
    assert rules.roles.allows("officer", "accept") and not rules.roles.allows("grid_worker", "accept")


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JINGWU_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    monkeypatch.setenv("JINGWU_PORT", "9000")
    s = Settings()
    assert s.database_url == "postgresql+asyncpg://u@h/db" and s.port == 9000 and not s.is_sqlite


def test_settings_file_then_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    f = tmp_path / "jingwu.yaml"
    f.write_text("port: 9100\nbot_name: 小警\n", encoding="utf-8")
    monkeypatch.setenv("JINGWU_SETTINGS_FILE", str(f))
    assert Settings().port == 9100 and Settings().bot_name == "小警"
    monkeypatch.setenv("JINGWU_PORT", "9200")
    assert Settings().port == 9200


def test_settings_file_toml_and_unknown_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    f = tmp_path / "jingwu.toml"
    f.write_text('log_level = "DEBUG"\n', encoding="utf-8")
    monkeypatch.setenv("JINGWU_SETTINGS_FILE", str(f))
    assert Settings().log_level == "DEBUG"
    f.write_text('lgo_level = "DEBUG"\n', encoding="utf-8")
    with pytest.raises(SettingsFileError, match="lgo_level"):
        Settings()


def _broken(tmp_path: Path, filename: str, content: str) -> Path:
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules_dir)
    (rules_dir / filename).write_text(content, encoding="utf-8")
    return rules_dir


@pytest.mark.parametrize(
    ("filename", "content", "line", "field"),
    [
        (
            "deadlines.yaml",
            "accept_within: {high: 15m, medium: 2h, low: 24h}\nresolve_within_days:\n  general: seven\n"
            "  complex: 15\n  difficult: 60\ncomplexity_from_risk: {high: complex, medium: complex, low: general}\n",
            3,
            "resolve_within_days.general",
        ),
        (
            "routing.yaml",
            "areas:\n  幸福村: {town: 城关镇, station: 城关派出所}\nstations:\n"
            "  城关派出所: {leader: l, police_group: 'console:p'}\n",
            2,
            "areas.幸福村.officer",
        ),
        (
            "revisits.yaml",
            "after_resolved_days:\n  high: [1, 3]\n  medium: [7]\n  low: [7]\nsend_at: 9点\n",
            5,
            "send_at",
        ),
        (
            "categories.yaml",
            "default: other\ncategories:\n  - code: other\n    name: 其他\n    colour: red\n",
            5,
            "categories.0.colour",
        ),
        (
            "risk.yaml",
            "schemes: {three_colour: {high: 红, medium: 黄, low: 蓝}}\nwords: {weapon: [刀]}\n"
            "high:\n  - 're:拿着{wepon}'\nmedium: []\n",
            3,
            "high",
        ),
        (
            "risk.yaml",
            "schemes: {three_colour: {high: 红, medium: 黄, low: 蓝}}\nhigh: []\nmedium:\n  - 're:(上访'\n",
            3,
            "medium",
        ),
    ],
)
def test_broken_rule_file_names_file_line_field(
    tmp_path: Path, filename: str, content: str, line: int, field: str
) -> None:
    rules_dir = _broken(tmp_path, filename, content)
    with pytest.raises(RuleFileError) as err:
        load_rules(rules_dir)
    assert err.value.path.name == filename and err.value.line == line and err.value.field == field
    assert f"{filename}:{line}: {field}:" in str(err.value)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    rules_dir = _broken(tmp_path, "risk.yaml", "scheme: three_colour\nschemes: {three_colour: {high: 红\nhigh: []\n")
    with pytest.raises(RuleFileError) as err:
        load_rules(rules_dir)
    assert err.value.path.name == "risk.yaml" and err.value.line is not None and "YAML" in str(err.value)


def test_bad_duration_is_reported(tmp_path: Path) -> None:
    rules_dir = _broken(
        tmp_path,
        "deadlines.yaml",
        "accept_within: {high: soon, medium: 2h, low: 24h}\nresolve_within_days: {general: 7, complex: 15, "
        "difficult: 60}\ncomplexity_from_risk: {high: complex, medium: complex, low: general}\n",
    )
    with pytest.raises(RuleFileError, match=r"deadlines.yaml:1: accept_within: .*soon"):
        load_rules(rules_dir)


def test_broken_rule_file_stops_startup(tmp_path: Path) -> None:
    rules_dir = _broken(tmp_path, "roles.yaml", "roles:\n  officer: {name: 民警}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "jobs", "tick", "--now", "2026-11-23T09:00+08:00"],
        env={
            "JINGWU_RULES_DIR": str(rules_dir),
            "JINGWU_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "roles.yaml:2: roles.officer.can: Field required" in proc.stderr
    assert not (tmp_path / "x.db").exists()
