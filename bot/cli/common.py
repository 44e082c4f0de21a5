"""Helpers shared by the `jingwu` subcommands: settings from the environment, times read as Shanghai time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import SHANGHAI
from config.settings import Settings


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)


def aware(value: str) -> datetime:
    """Parse ISO 8601; a time without an offset is taken as Shanghai time."""
    when = datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=SHANGHAI)
