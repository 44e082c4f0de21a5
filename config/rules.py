"""Editable rule files (YAML in config/rules): loaded, validated, and reported with file, line and field."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
Risk = Literal["high", "medium", "low"]
Complexity = Literal["general", "complex", "difficult"]
RISKS: tuple[Risk, ...] = ("high", "medium", "low")


class RuleFileError(ValueError):
    """A rule file is missing, unparsable or invalid; the message names the file, the line and the field."""

    def __init__(self, path: Path, line: int | None, field: str | None, problem: str) -> None:
        self.path, self.line, self.field, self.problem = path, line, field, problem
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {field + ': ' if field else ''}{problem}")


class Strict(BaseModel):
    """The base of every rule-file model: unknown keys are errors (a typo never passes silently), values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def by_key(items: Iterable[T], key: str, key_of: Callable[[T], str]) -> T:
    """The first of `items` whose key is `key`; KeyError(key) when there is none."""
    for item in items:
        if key_of(item) == key:
            return item
    raise KeyError(key)


# ---- categories.yaml -------------------------------------------------------------------------------------


class Category(Strict):
    code: str = Field(pattern=r"^[a-z_]+$")
    name: str
    responsibility: Literal["police", "non_police", "rescue"] = "police"
    keywords: list[str] = []


class CategoryRules(Strict):
    categories: list[Category]
    default: str = "other"

    @model_validator(mode="after")
    def _unique_codes(self) -> CategoryRules:
        codes = [c.code for c in self.categories]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate category code(s): {', '.join(dupes)}")
        if self.default not in codes:
            raise ValueError(f"default category {self.default!r} is not defined")
        return self

    def by_code(self, code: str) -> Category:
        return by_key(self.categories, code, lambda c: c.code)


# ---- risk.yaml -------------------------------------------------------------------------------------------


class ColourScheme(Strict):
    high: str
    medium: str
    low: str


_WORD_LIST = re.compile(r"\{([a-z_]+)\}")


class RiskRules(Strict):
    scheme: str = "three_colour"
    schemes: dict[str, ColourScheme]
    # named word lists (weapon, harm_verb, ...): `{weapon}` in a `re:` cue stands for any word of `words.weapon`, so
    # a station adds a word once and every pattern that names the list knows it
    words: dict[str, list[str]] = {}
    high: list[str]
    medium: list[str]

    @field_validator("high", "medium")
    @classmethod
    def _expand_words(cls, cues: list[str], info: ValidationInfo) -> list[str]:
        words: dict[str, list[str]] = info.data.get("words") or {}
        return [_expand_cue(c, words) for c in cues]

    @model_validator(mode="after")
    def _scheme_exists(self) -> RiskRules:
        if self.scheme not in self.schemes:
            raise ValueError(f"scheme {self.scheme!r} is not one of {', '.join(self.schemes)}")
        return self

    def colour(self, risk: str | None) -> str:
        if risk is None:
            return "未定级"
        return str(getattr(self.schemes[self.scheme], risk))


def _expand_cue(cue: str, words: dict[str, list[str]]) -> str:
    """A `re:` cue with its `{name}` word lists written out, checked to compile; a plain cue as it is."""
    if not cue.startswith("re:"):
        return cue

    def alternation(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in words:
            raise ValueError(f"cue {cue!r} names the word list {{{name}}}, which `words` does not define")
        listed = sorted(dict.fromkeys(w for w in words[name] if w), key=len, reverse=True)
        return "(?:" + "|".join(re.escape(w) for w in listed) + ")"

    pattern = _WORD_LIST.sub(alternation, cue[3:])
    try:
        re.compile(pattern)
    except re.error as e:
        raise ValueError(f"cue {cue!r} is not a valid regular expression: {e}") from e
    return "re:" + pattern


# ---- deadlines.yaml --------------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|h|d)\s*$")


def parse_duration(value: str) -> timedelta:
    m = _DURATION.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a duration like 15m, 2h or 1d")
    n, unit = int(m.group(1)), m.group(2)
    return {"m": timedelta(minutes=n), "min": timedelta(minutes=n), "h": timedelta(hours=n)}.get(
        unit, timedelta(days=n)
    )


class DeadlineRules(Strict):
    accept_within: dict[Risk, str]
    resolve_within_days: dict[Complexity, int]
    complexity_from_risk: dict[Risk, Complexity]
    working_days: bool = True

    @field_validator("accept_within")
    @classmethod
    def _durations(cls, v: dict[Risk, str]) -> dict[Risk, str]:
        for text in v.values():
            parse_duration(text)
        return v

    def accept_delta(self, risk: Risk) -> timedelta:
        return parse_duration(self.accept_within[risk])


# ---- revisits.yaml ---------------------------------------------------------------------------------------


class RevisitRules(Strict):
    after_resolved_days: dict[Risk, list[int]]
    send_at: str = Field(default="09:00", pattern=r"^\d{2}:\d{2}$")


# ---- routing.yaml ----------------------------------------------------------------------------------------


class Area(Strict):
    town: str = ""
    station: str
    officer: str  # person key of the 包村民警


class Station(Strict):
    leader: str  # person key
    police_group: str  # "<platform>:<chat id>"
    county: str = "县局调解中心"
    county_group: str | None = None  # "<platform>:<chat id>" of the county bureau's work group, if any


class RoutingRules(Strict):
    areas: dict[str, Area] = Field(min_length=1)
    stations: dict[str, Station]
    departments: dict[str, str] = {}
    default_area: str | None = None

    def area_for(self, name: str | None) -> Area:
        """The named area, else the default one: every record has a station that answers for it."""
        found = self.areas.get(name or "")
        return found or self.areas.get(self.default_area or "") or next(iter(self.areas.values()))

    def station_for(self, area_name: str | None) -> Station:
        return self.stations[self.area_for(area_name).station]

    @model_validator(mode="after")
    def _stations_exist(self) -> RoutingRules:
        for name, area in self.areas.items():
            if area.station not in self.stations:
                raise ValueError(f"area {name!r} names unknown station {area.station!r}")
        return self


# ---- roles.yaml ------------------------------------------------------------------------------------------


class Role(Strict):
    name: str
    can: list[str]


class RoleRules(Strict):
    roles: dict[str, Role]

    def allows(self, role: str, action: str) -> bool:
        r = self.roles.get(role)
        return r is not None and (action in r.can or "*" in r.can)


class Rules(Strict):
    """All rule files, loaded once at start-up and passed to whoever needs them."""

    categories: CategoryRules
    risk: RiskRules
    deadlines: DeadlineRules
    revisits: RevisitRules
    routing: RoutingRules
    roles: RoleRules


_FILES: dict[str, tuple[str, type[Strict]]] = {
    "categories": ("categories.yaml", CategoryRules),
    "risk": ("risk.yaml", RiskRules),
    "deadlines": ("deadlines.yaml", DeadlineRules),
    "revisits": ("revisits.yaml", RevisitRules),
    "routing": ("routing.yaml", RoutingRules),
    "roles": ("roles.yaml", RoleRules),
}


def load_rules(rules_dir: Path) -> Rules:
    parts: dict[str, Any] = {}
    for key, (filename, model) in _FILES.items():
        parts[key] = load_yaml_model(rules_dir / filename, model)
    return Rules(**parts)


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Parse one YAML file into `model`; any problem becomes a RuleFileError naming file, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(path, None, None, f"cannot read file ({exc.strerror})") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise RuleFileError(path, line, None, f"YAML syntax error: {exc.problem}") from exc
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        field = ".".join(str(p) for p in loc) or None
        line = yaml_line(node, loc) or (node.start_mark.line + 1 if node is not None else None)
        raise RuleFileError(path, line, field, err["msg"]) from exc


def yaml_line(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """The line of the YAML node at `loc` (mapping keys and sequence indexes), or of its nearest parent on that
    path; None when not even the first step is found."""
    line = None
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if str(key_node.value) == str(part):
                    child, line = value_node, key_node.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
