"""Turning free Chinese group messages into structured dispute fields."""

from bot.extraction.rules import RuleExtractor
from bot.extraction.types import Extraction, Extractor

__all__ = ["Extraction", "Extractor", "RuleExtractor"]
