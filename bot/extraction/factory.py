"""One place that builds the extractor the settings ask for: the rule extractor, or the LLM one over it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.extraction.lexicon import load_extraction_rules
from bot.extraction.llm import LLMExtractor, LLMSettings
from bot.extraction.rules import RuleExtractor
from bot.extraction.types import Extraction
from config.rules import Rules


class _HasRulesDir(Protocol):
    @property
    def rules_dir(self) -> Path: ...


def build_extractor(
    settings: _HasRulesDir | None, rules: Rules, tz: ZoneInfo, llm: LLMSettings | None = None
) -> RuleExtractor | LLMExtractor:
    """extraction.yaml from the settings' rules_dir (else the shipped one); the LLM extractor if JINGWU_LLM_ENABLED.

    Loading the word lists and the NLP libraries happens here, once per process (about a second)."""
    lexicon = load_extraction_rules(settings.rules_dir if settings is not None else None)
    rule_extractor = RuleExtractor(rules, tz, lexicon)
    llm = llm if llm is not None else LLMSettings()
    if llm.enabled:
        return LLMExtractor(llm, rule_extractor)
    return rule_extractor


class LazyExtractor:
    """Builds the real extractor on first use, so commands that never extract (admin, jobs, disputes) do not pay
    the NLP libraries' load time; `warm()` pays it up front (what `jingwu serve` does before it listens)."""

    def __init__(self, settings: _HasRulesDir | None, rules: Rules, tz: ZoneInfo) -> None:
        self._args = (settings, rules, tz)
        self._inner: RuleExtractor | LLMExtractor | None = None

    def warm(self) -> RuleExtractor | LLMExtractor:
        if self._inner is None:
            self._inner = build_extractor(*self._args)
        return self._inner

    def extract(self, text: str, sent_at: datetime, area: str | None = None) -> Extraction:
        return self.warm().extract(text, sent_at, area)

    async def aextract(self, text: str, sent_at: datetime, area: str | None = None) -> Extraction:
        return await self.warm().aextract(text, sent_at, area)

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()
