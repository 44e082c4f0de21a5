"""Extraction benchmark: per-field precision/recall, category macro-F1, risk accuracy, red recall, messages/s.

Run: .venv/bin/python benchmarks/extraction.py [tests/data/extract_dev.jsonl ...] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.extraction.scoring import load_cases, score  # noqa: E402
from config.rules import load_rules  # noqa: E402
from config.settings import RULES_DIR  # noqa: E402

TARGETS = {
    "dispute_f1": 0.97,
    "category_macro_f1": 0.92,
    "risk_accuracy": 0.90,
    "red_recall": 1.0,
    "location_accuracy": 0.93,
    "phones_exact": 1.0,
}
DEFAULT_SETS = ["extract_dev.jsonl", "extract_holdout.jsonl", "extract_holdout2.jsonl"]


def _speed(extractor: object, paths: list[Path], seconds: float = 3.0) -> float:
    """Messages per second on one core: every message of the sets, one by one, as the bot sees them."""
    rows = [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [(r["text"], datetime.fromisoformat(r["sent_at"]), r.get("group_area")) for r in rows]
    extract = extractor.extract  # type: ignore[attr-defined]
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text, sent_at, area in items:
            extract(text + " ", sent_at, area)  # a fresh string each round: no cache helps
        done += len(items)
    return done / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("sets", nargs="*", help="labelled JSON-lines files (default: dev, holdout, holdout2)")
    ap.add_argument("--errors", action="store_true", help="print every disagreement with the labels")
    args = ap.parse_args(argv)
    paths = [Path(p) for p in args.sets] or [ROOT / "tests" / "data" / n for n in DEFAULT_SETS]
    paths = [p for p in paths if p.exists()]

    from bot.extraction import nlp
    from bot.extraction.rules import RuleExtractor

    started = time.perf_counter()
    extractor = RuleExtractor(load_rules(RULES_DIR))
    setup = time.perf_counter() - started
    loads = ", ".join(f"{k} {v:.2f}s" for k, v in nlp.LOAD_SECONDS.items())
    print(f"start-up (once per process): {setup:.2f}s  [{loads}]")

    all_met = True
    for path in paths:
        cases = load_cases(path)
        report = score(extractor, cases)
        print(f"\n== {path.name}: {report.cases} cases ({sum(c.expect['is_dispute'] for c in cases)} disputes)")
        for name, value in report.summary().items():
            target = TARGETS[name]
            mark = "ok " if value >= target else "LOW"
            all_met &= value >= target or path.name != "extract_dev.jsonl"
            print(f"  {mark} {name:<20} {value:6.3f}   (target >= {target})")
        print(f"      {'is_dispute':<20} P {report.dispute.precision:.3f}  R {report.dispute.recall:.3f}")
        for name, pr in report.fields.items():
            print(f"      {name:<20} P {pr.precision:.3f}  R {pr.recall:.3f}  exact {report.accuracy(name):.3f}")
        right, total = report.code_refs
        print(f"      {'code references':<20} {right}/{total}")
        for code, pr in sorted(report.categories.items()):
            scores = f"P {pr.precision:.2f} R {pr.recall:.2f} F1 {pr.f1:.2f}"
            print(f"        category {code:<11} {scores}  (n={pr.expected})")
        if args.errors:
            for line in report.errors:
                print("    x", line)
    rate = _speed(extractor, paths)
    print(f"\nspeed: {rate:.0f} messages/s on one core (target >= 500)")
    return 0 if all_met and rate >= 500 else 1


if __name__ == "__main__":
    raise SystemExit(main())
