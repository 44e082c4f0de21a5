"""Shared JSON helpers for DingTalk callback parsing: load an object, read typed fields, dump compact JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, TypeAlias

EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})
JsonBody: TypeAlias = str | bytes | Mapping[str, Any]


class MalformedCallback(ValueError):
    """A callback body is not JSON or lacks a required field (answer HTTP 400)."""


def load_object(body: JsonBody, what: str) -> dict[str, Any]:
    if isinstance(body, Mapping):
        return dict(body)
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise MalformedCallback(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise MalformedCallback(f"{what} is not a JSON object")
    return value


def embedded_object(obj: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    raw = obj.get(key)
    if raw is None or raw == "":
        return EMPTY
    if not isinstance(raw, str):
        raise MalformedCallback(f"field {key!r} is not a JSON string")
    return MappingProxyType(load_object(raw, f"field {key!r}"))


def req_str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedCallback(f"field {key!r} is missing or not a non-empty string")
    return value


def opt_str(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedCallback(f"field {key!r} is not a string")
    return value


def req_bool(obj: Mapping[str, Any], key: str) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise MalformedCallback(f"field {key!r} is not a boolean")
    return value


def ms(obj: Mapping[str, Any], key: str) -> int:
    """A millisecond timestamp; the Python SDK int()s these, so a decimal string is accepted too."""
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise MalformedCallback(f"field {key!r} is missing or not a millisecond timestamp")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
