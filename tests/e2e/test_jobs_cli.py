"""`jingwu jobs tick --now ISO` as an operator runs it: real processes on a real SQLite file; each run does all
work due as of that moment, and nothing twice."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.e2e.test_cli import jingwu


def tick(tmp_path: Path, now: str) -> int:
    proc = jingwu("jobs", "tick", "--now", now, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["now"] == now
    return int(result["reminders"])


def outbox(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "jingwu.db") as db:
        return [(t, body.splitlines()[0]) for t, body in db.execute("SELECT template, text FROM outbox ORDER BY id")]


def test_jobs_tick_runs_what_is_due_as_of_now_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'jingwu.db'}"
    demo = jingwu(
        "demo",
        "--interactive",
        "--database",
        url,
        tmp_path=tmp_path,
        stdin="网格员: @警务助手 幸福村3组张某和李某为宅基地吵起来了，张某扬言要拿刀砍人，张某电话13800138000\n",
    )
    assert demo.returncode == 0, demo.stderr
    assert outbox(tmp_path)[-1] == ("dispatch", "【派单】JF-20261123-0001｜红色｜土地山林")

    assert tick(tmp_path, "2026-11-23T09:44:00+08:00") == 0
    assert tick(tmp_path, "2026-11-23T09:45:00+08:00") == 1  # accept_by passed: 督办
    assert tick(tmp_path, "2026-11-23T09:45:00+08:00") == 0  # the same moment again: nothing twice
    assert tick(tmp_path, "2026-11-24T08:30:00+08:00") == 1  # down overnight: one re-alert, not 90
    assert [row for row in outbox(tmp_path) if row[0] not in ("registered", "dispatch")] == [
        ("accept_overdue", "【督办】JF-20261123-0001｜红色｜超时未接单"),
        ("accept_overdue", "【督办·第2次提醒】JF-20261123-0001｜红色｜超时未接单"),
        ("digest_daily", "【每日简报】城关派出所｜11月24日（周二）"),
    ]
