"""Rebuild what the extractor learns from labelled messages: the n-gram fallbacks' examples and the place tagger.

    .venv/bin/python -m bot.extraction.learn tests/data/extract_dev.jsonl tests/data/extract_train_*.jsonl

Never from a holdout: a holdout is scored once, after the rules are frozen, and only then joins the training sets.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.extraction import ngrams, tagger
from bot.extraction.dialect import Dialect
from bot.extraction.lexicon import load_extraction_rules
from bot.extraction.scoring import load_cases


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
    lexicon = load_extraction_rules()
    read = Dialect(lexicon.dialect).mandarin  # the extractor reads dialect words as Mandarin: so do its lessons
    print(ngrams.write_examples(cases, args.examples, read))
    print(tagger.write_model(lexicon.places, cases, args.sets, args.model, read))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
