"""The `jingwu` command line as a user runs it: real processes, a real SQLite file."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from config.settings import RULES_DIR


def jingwu(
    *args: str, tmp_path: Path, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGWU_")}
    env["JINGWU_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'jingwu.db'}"
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=tmp_path,
    )


def test_demo_prints_the_whole_loop(tmp_path: Path) -> None:
    proc = jingwu("demo", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    order = [
        "[幸福村警民群] 张晓梅（网格员）：",
        "[幸福村警民群] 🤖 警务助手：",
        "✅ 已登记矛盾纠纷 JF-20261123-0001",
        "当事人：张某（138****8000）、李某（138****8111）",
        "[城关派出所工作群] 🤖 警务助手：",
        "【派单】JF-20261123-0001｜红色｜土地山林",
        "@王建国 请在 11-23 09:45 前接单",
        "👮 王建国 已接单 JF-20261123-0001",
        "📝 JF-20261123-0001 已反馈化解",
        "⏰ 时间来到 2026-11-24 09:30",
        "【回访提醒】JF-20261123-0001（第1/4次）",
        "☎️ JF-20261123-0001 回访结果：满意。还有 3 次回访。",
    ]
    positions = [out.index(line) for line in order]
    assert positions == sorted(positions)
    resident_part = out[out.index("[幸福村警民群] 🤖") : out.index("[城关派出所工作群] 🤖")]
    assert "13800138000" not in resident_part
    assert "Traceback" not in proc.stderr and "INFO" not in proc.stderr
    assert not (tmp_path / "jingwu.db").exists()  # the demo runs on its own throwaway database


def test_interactive_demo_from_a_pipe(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "网格员: @警务助手 阳光社区3栋楼上漏水，楼下王女士和楼上陈某吵起来了",
            "民警: 接单 ＃１",
            "民警: 反馈 #1 已化解 物业维修了管道",
            "/time +7d",
            "所长: 我的待办",
            "群众: 你好",
        ]
    )
    proc = jingwu("demo", "--interactive", tmp_path=tmp_path, stdin=script + "\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "输入「角色: 内容」" not in out  # no prompt banner when stdin is a pipe
    assert "✅ 已登记矛盾纠纷 JF-20261123-0001" in out and "👮 王建国 已接单" in out
    assert "⏰ 时间来到 2026-11-30 09:30" in out and "【回访提醒】JF-20261123-0001（第1/1次）" in out
    assert "暂无待办。" in out and "我是城关派出所的警务助手" in out  # a resident's greeting gets a greeting


def test_db_upgrade_jobs_tick_and_disputes(tmp_path: Path) -> None:
    up = jingwu("db", "upgrade", tmp_path=tmp_path)
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert up.returncode == 0 and f"database at revision {head}" in up.stdout
    url = f"sqlite+aiosqlite:///{tmp_path / 'jingwu.db'}"
    demo = jingwu(
        "demo",
        "--interactive",
        "--database",
        url,
        tmp_path=tmp_path,
        stdin=(
            "网格员: 幸福村2组赵某和钱某因为借钱不还吵架，赵某电话13800138200\n民警: 接单 1\n"
            "民警: 反馈 1 已化解 钱某写了还款计划\n"
        ),
    )
    assert demo.returncode == 0, demo.stderr
    tick = jingwu("jobs", "tick", "--now", "2026-11-30T09:05:00+08:00", tmp_path=tmp_path)
    assert tick.returncode == 0, tick.stderr
    # the revisit (7 days after 反馈) and, on that Monday, the daily 08:30 and weekly 09:00 digests
    assert json.loads(tick.stdout) == {"now": "2026-11-30T09:05:00+08:00", "reminders": 1, "digests": 2, "sent": 0}
    again = jingwu("jobs", "tick", "--now", "2026-11-30T09:06:00+08:00", tmp_path=tmp_path)
    assert json.loads(again.stdout)["reminders"] == json.loads(again.stdout)["digests"] == 0  # each goes out once

    listed = jingwu("disputes", "list", "--json", tmp_path=tmp_path)
    (record,) = json.loads(listed.stdout)
    assert record["code"] == "JF-20261123-0001" and record["category"] == "debt" and record["status"] == "revisiting"
    shown = jingwu("disputes", "show", "#0001", "--json", tmp_path=tmp_path)
    detail = json.loads(shown.stdout)
    assert [e["action"] for e in detail["timeline"]] == ["register", "dispatch", "accept", "resolve", "start_revisit"]
    assert detail["parties"][0] == {"name": "赵某", "role": None, "phone": "13800138200"}
    plain = jingwu("disputes", "list", tmp_path=tmp_path)
    assert "JF-20261123-0001" in plain.stdout and "回访中" in plain.stdout
    missing = jingwu("disputes", "show", "JF-20261123-0099", tmp_path=tmp_path)
    assert missing.returncode == 1 and "没有找到纠纷" in missing.stderr


def test_extract_contract(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "text": "幸福村张某和李某因为宅基地打起来了，张某电话13800138000，昨天晚上8点",
                "sent_at": "2026-11-20T09:12:00+08:00",
            },
            ensure_ascii=False,
        ),
        "今天巡查无异常",
        "{not json",
    ]
    proc = jingwu("extract", tmp_path=tmp_path, stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    first, second, third = (json.loads(x) for x in proc.stdout.splitlines())
    assert first == {
        "is_dispute": True,
        "category": "land",
        "risk": "high",
        "location": "幸福村",
        "parties": ["张某", "李某"],
        "phones": ["13800138000"],
        "occurred_at": "2026-11-19T20:00:00+08:00",
        "summary": first["summary"],
        "missing": [],
    }
    assert set(first) == {
        "is_dispute",
        "category",
        "risk",
        "location",
        "parties",
        "phones",
        "occurred_at",
        "summary",
        "missing",
    }
    assert second["is_dispute"] is False and second["category"] is None
    assert "error" in third and "line 3" in third["error"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_health_checks(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGWU_")}
    env["JINGWU_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    body = json.loads(resp.read())
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"serve did not come up: {proc.stderr.read() if proc.stderr else ''}")
                time.sleep(0.2)
        assert body == {"status": "ok", "inbox_pending": 0}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_rules_dir_is_shipped_with_the_package() -> None:
    assert (RULES_DIR / "categories.yaml").exists()
