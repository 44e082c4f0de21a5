"""Resident Q&A benchmark: top-1 accuracy, handoff rate, emergency and fraud recall, questions/s (dev and holdout)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.qa import load_qa_uncached  # noqa: E402
from bot.qa.evaluate import Report, evaluate, load_rows  # noqa: E402
from config.settings import RULES_DIR  # noqa: E402

SETS = {"dev": ROOT / "tests/data/faq_dev.jsonl", "holdout": ROOT / "tests/data/faq_holdout.jsonl"}


def summary(name: str, report: Report, qps: float) -> str:
    n = len(report.outcomes)
    return (
        f"{name:8} n={n:3}  top1={report.top1:.3f}  all-kinds={report.accuracy:.3f}  "
        f"handoff_rate={report.handoff_rate:.3f} (faq handed off {report.faq_handed_off:.3f}, "
        f"handoff recall {report.recall('handoff'):.3f})  "
        f"emergency_recall={report.recall('emergency'):.3f} (false alarms {report.false_alarms('emergency')})  "
        f"fraud_recall={report.recall('fraud'):.3f} (false alarms {report.false_alarms('fraud')})  "
        f"legal_referred={report.recall('legal'):.3f}  not_question={report.recall('not_question'):.3f}  "
        f"wrong_answers={report.wrong_answers}  {qps:,.0f} q/s"
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--set", choices=[*SETS, "all"], default="all")
    p.add_argument("--misses", action="store_true", help="list every question scored wrong")
    p.add_argument("--rounds", type=int, default=5, help="passes over the set for the questions/s figure")
    args = p.parse_args()
    started = time.perf_counter()
    service = load_qa_uncached(RULES_DIR)
    print(f"load: {time.perf_counter() - started:.2f} s ({len(service.kb.entries)} entries)")
    for name, path in SETS.items():
        if args.set not in (name, "all"):
            continue
        rows = load_rows(path)
        report = evaluate(service, rows)
        started = time.perf_counter()
        for _ in range(args.rounds):
            for row in rows:
                service.answer(row.text)
        qps = len(rows) * args.rounds / (time.perf_counter() - started)
        print(summary(name, report, qps))
        if args.misses:
            for o in report.misses():
                got = f"{o.answer.kind}/{o.answer.entry_id or '-'} ({o.answer.reason}, {o.answer.score:.2f})"
                print(f"  {o.row.id} want {o.row.expect_kind}/{o.row.expect_entry or '-'} got {got}: {o.row.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
