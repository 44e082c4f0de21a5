"""The FAQ knowledge base (config/rules/faq.yaml): vetted answers, station placeholders and synonyms, validated."""

# The models here derive from config.rules.Strict, a pydantic model, whose mutable defaults pydantic copies per
# instance; ruff's RUF012 cannot follow a base class across modules (astral-sh/ruff#13630).
# ruff: noqa: RUF012

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import Field, field_validator

from config.rules import RuleFileError, Strict, by_key, load_yaml_model, yaml_line

# The only phone numbers an answer may write out; anything local comes from a placeholder.
NATIONAL_NUMBERS = frozenset({"110", "119", "120", "122", "12345", "12348", "96110", "12110"})
_APP_NAMES = re.compile(r"交管12123")  # an official app's name, not a number to call
_DIGITS = re.compile(r"\d{3,}")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ANY_BRACE = re.compile(r"[{}]")


class FaqEntry(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    topic: str
    questions: list[str] = Field(min_length=1)
    answer: str = Field(min_length=1)
    keywords: list[str] = []  # extra retrieval terms a station may add without writing a question

    @field_validator("answer")
    @classmethod
    def _national_numbers_only(cls, v: str) -> str:
        for number in _DIGITS.findall(_APP_NAMES.sub("", v)):
            if number not in NATIONAL_NUMBERS:
                raise ValueError(
                    f"number {number} is not a national one ({', '.join(sorted(NATIONAL_NUMBERS))}); "
                    "put local numbers in placeholders"
                )
        return v


class KnowledgeBase(Strict):
    placeholders: dict[str, str] = Field(min_length=1)  # the station's values: address, phone, hours ...
    stations: dict[str, dict[str, str]] = {}  # per-station overrides, keyed by the station name in routing.yaml
    synonyms: dict[str, str] = {}
    entries: list[FaqEntry] = Field(min_length=1)

    @field_validator("placeholders")
    @classmethod
    def _filled(cls, v: dict[str, str]) -> dict[str, str]:
        for key, value in v.items():
            if not value.strip() or _ANY_BRACE.search(value):
                raise ValueError(f"placeholder {key!r} needs a plain text value")
        return v

    def entry(self, entry_id: str) -> FaqEntry:
        return by_key(self.entries, entry_id, lambda e: e.id)

    def values_for(self, station: str | None) -> dict[str, str]:
        """Placeholder values for one station: the defaults, its name from routing, then its own overrides."""
        values = dict(self.placeholders)
        if station:
            values["station_name"] = station
            values.update(self.stations.get(station, {}))
        return values

    def render(self, entry: FaqEntry, station: str | None) -> str:
        return render(entry.answer, self.values_for(station))


class UnfilledPlaceholder(KeyError):
    pass


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill every {placeholder}; an unknown one raises instead of reaching a resident as raw braces."""

    def fill(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            raise UnfilledPlaceholder(m.group(1))
        return values[m.group(1)]

    text = _PLACEHOLDER.sub(fill, template).strip()
    if _ANY_BRACE.search(text):
        raise UnfilledPlaceholder(text)
    return text


def load_knowledge(path: Path) -> KnowledgeBase:
    """Load and check faq.yaml; every problem is a RuleFileError naming the file, the line and the field."""
    kb = load_yaml_model(path, KnowledgeBase)
    problems: list[tuple[list[int | str], str]] = []
    seen: set[str] = set()
    for n, entry in enumerate(kb.entries):
        if entry.id in seen:
            problems.append((["entries", n, "id"], f"duplicate entry id {entry.id!r}"))
        seen.add(entry.id)
        for name in _PLACEHOLDER.findall(entry.answer):
            if name not in kb.placeholders:
                problems.append((["entries", n, "answer"], f"unknown placeholder {{{name}}}"))
        if _ANY_BRACE.search(_PLACEHOLDER.sub("", entry.answer)):
            problems.append((["entries", n, "answer"], "unbalanced brace: write placeholders as {name}"))
    for station, overrides in kb.stations.items():
        for key in overrides:
            if key not in kb.placeholders:
                problems.append((["stations", station, key], f"unknown placeholder {key!r}"))
    if problems:
        loc, problem = problems[0]
        raise RuleFileError(path, line_of(path, loc), ".".join(str(p) for p in loc), problem)
    return kb


def line_of(path: Path, loc: list[int | str]) -> int | None:
    """The line of the YAML node at `loc` (mapping keys and sequence indexes), or of its nearest parent."""
    return yaml_line(yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader), loc)
