"""Turning free Chinese group messages into structured dispute fields."""

from bot.extraction.refs import CodeRef, FollowUp, find_code_ref, follow_up
from bot.extraction.rules import RuleExtractor
from bot.extraction.types import AsyncExtractor, Extraction, Extractor

__all__ = [
    "AsyncExtractor",
    "CodeRef",
    "Extraction",
    "Extractor",
    "FollowUp",
    "RuleExtractor",
    "find_code_ref",
    "follow_up",
]
