"""Rebuild what the extractor learns from labelled messages: the n-gram fallbacks' examples and the place tagger.

    .venv/bin/python -m bot.extraction.learn tests/data/extract_dev.jsonl tests/data/extract_train_*.jsonl

Never from a holdout: a holdout is scored once, after the rules are frozen, and only then joins the training sets.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.extraction import ngrams, tagger
from bot.extraction.rules import RuleExtractor
from bot.extraction.scoring import load_cases
from config.rules import load_rules
from config.settings import RULES_DIR


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Rebuild the learnt parts of the extractor from labelled sets.")
    ap.add_argument("sets", nargs="+", type=Path, help="labelled JSON-lines files (never a holdout)")
    ap.add_argument("--examples", type=Path, default=ngrams.EXAMPLES_FILE, help="the n-gram examples file to write")
    ap.add_argument("--model", type=Path, default=tagger.MODEL_FILE, help="the place tagger's model to write")
    args = ap.parse_args(argv)
    if any("holdout" in p.name for p in args.sets):
        print("refusing to learn from a holdout set", file=sys.stderr)
        return 2
    cases = [case for path in args.sets for case in load_cases(path)]
    # the extractor as it runs: jieba knows the words it teaches (so the tagger learns from the segmentation it
    # will see), and it reads dialect words as Mandarin (so do its lessons)
    extractor = RuleExtractor(load_rules(RULES_DIR))
    read = extractor.reading
    print(ngrams.write_examples(cases, args.examples, read))
    print(tagger.write_model(extractor.lexicon.places, cases, args.sets, args.model, read))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
