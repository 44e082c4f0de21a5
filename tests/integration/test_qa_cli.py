"""`jingwu ask`: text lines or JSON lines in, one JSON line out each, with exactly the contract's four keys."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.qa.cli import add_ask_parser, ask
from config.rules import RuleFileError
from config.settings import RULES_DIR, Settings

KEYS = {"kind", "answer", "entry_id", "score"}


def run(
    *lines: str, station: str | None = None, settings: Settings | None = None
) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    code = ask(settings or Settings(), station, io.StringIO("\n".join(lines) + "\n"), out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_ask_contract() -> None:
    code, results = run(
        "身份证丢了咋补",
        json.dumps({"text": "楼下有人拿刀砍人 快来"}, ensure_ascii=False),
        "",
        json.dumps({"text": "有个自称公安局的让我把钱转到安全账户"}, ensure_ascii=False),
        "村里过年想放烟花 要去派出所审批吗",
        "离婚了财产怎么分",
        "谢谢警官",
        "收到",
        "{not json",
        json.dumps({"question": "no text key"}),
    )
    assert code == 0 and len(results) == 9
    faq, emergency, fraud, handoff, legal, thanks, ack, bad_json, no_text = results
    for r in results[:7]:
        assert set(r) == KEYS and isinstance(r["score"], float) and 0 <= r["score"] <= 1
    assert (faq["kind"], faq["entry_id"]) == ("faq", "idcard-reissue-lost") and "补领" in str(faq["answer"])
    assert emergency["kind"] == "emergency" and emergency["entry_id"] is None and "110" in str(emergency["answer"])
    assert (fraud["kind"], fraud["entry_id"]) == ("fraud", "fraud-safe-account") and "96110" in str(fraud["answer"])
    assert handoff == {"kind": "handoff", "answer": None, "entry_id": None, "score": handoff["score"]}
    assert float(str(handoff["score"])) < 0.24
    # legal advice: kind "faq" with the referral entry (12348 / 司法所 / 调解), never an opinion
    assert (legal["kind"], legal["entry_id"]) == ("faq", "legal-consult-handoff") and "12348" in str(legal["answer"])
    assert thanks["kind"] == "not_question" and thanks["answer"]
    assert ack == {"kind": "not_question", "answer": None, "entry_id": None, "score": 1.0}
    assert "line 9" in str(bad_json["error"]) and "line 10" in str(no_text["error"])


def test_answers_are_rendered_for_the_station() -> None:
    _, (default,) = run("派出所在哪")
    assert str(default["answer"]).startswith("城关派出所")  # the default area's station
    code, _ = run("派出所在哪", station="没有这个所")
    assert code == 2


def test_a_broken_rule_file_stops_ask_with_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    faq = rules / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("{service_hall}", "{service_hal}", 1), encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"faq\.yaml:\d+: entries\.\d+\.answer: unknown placeholder"):
        run("身份证丢了", settings=Settings(rules_dir=rules))


def test_the_subcommand_parses() -> None:
    parser = argparse.ArgumentParser(prog="jingwu")
    add_ask_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["ask", "--station", "城关派出所"])
    assert args.station == "城关派出所" and callable(args.run)


def test_jingwu_ask_as_a_process(tmp_path: Path) -> None:
    from bot.cli import build_parser

    if "ask" not in build_parser()._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
        pytest.skip("`jingwu ask` is not wired into bot/cli.py yet (see the qa report)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGWU_")}
    env["JINGWU_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'jingwu.db'}"
    lines = ["护照在哪办", json.dumps({"text": "着火了 快来人"}, ensure_ascii=False)]
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    first, second = (json.loads(x) for x in proc.stdout.splitlines())
    assert set(first) == KEYS and first["kind"] == "faq" and second["kind"] == "emergency"
    assert "DEBUG" not in proc.stderr and "Traceback" not in proc.stderr
