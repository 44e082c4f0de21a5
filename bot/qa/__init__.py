"""Resident Q&A: vetted FAQ answers, emergencies and fraud first, and handing the rest to an officer."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from bot.qa.knowledge import KnowledgeBase, UnfilledPlaceholder, line_of, load_knowledge, render
from bot.qa.rules import QARules, load_qa_rules
from bot.qa.service import Answer, QAService, template_fields
from config.rules import RuleFileError

__all__ = ["Answer", "QAService", "load_qa", "load_qa_uncached"]

FAQ_FILE, QA_FILE = "faq.yaml", "qa.yaml"


def load_qa_uncached(rules_dir: Path) -> QAService:
    """Load faq.yaml and qa.yaml and check that they agree; a problem names the file, the line and the field."""
    kb = load_knowledge(rules_dir / FAQ_FILE)
    path = rules_dir / QA_FILE
    rules = load_qa_rules(path)
    _check_references(path, kb, rules)
    return QAService(kb, rules)


@lru_cache(maxsize=4)
def load_qa(rules_dir: Path) -> QAService:
    """One service per rules directory: the index is built once per process, not per message."""
    return load_qa_uncached(rules_dir)


def _check_references(path: Path, kb: KnowledgeBase, rules: QARules) -> None:
    ids = {e.id for e in kb.entries}
    refs: list[tuple[list[int | str], str]] = [(["legal", "entry"], rules.legal.entry)]
    refs += [(["fraud", "kinds", n, "entry"], k.entry) for n, k in enumerate(rules.fraud.kinds)]
    for loc, entry_id in refs:
        if entry_id not in ids:
            raise RuleFileError(path, line_of(path, loc), _dotted(loc), f"no faq.yaml entry {entry_id!r}")
    for loc_t, (template, fields) in template_fields(rules).items():
        loc = list(loc_t)
        sample = {**kb.placeholders, "station_name": "", **{f: "" for f in fields}}
        try:
            render(template, sample)
        except UnfilledPlaceholder as exc:
            name = re.sub(r"^'|'$", "", str(exc))
            raise RuleFileError(path, line_of(path, loc), _dotted(loc), f"unknown placeholder {{{name}}}") from exc


def _dotted(loc: list[int | str]) -> str:
    return ".".join(str(p) for p in loc)
