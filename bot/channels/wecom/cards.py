"""Template cards: the click events, a vote/choice card's answers, and the button key that names a command."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CARD_EVENTS", "KEY_BYTES", "SelectedItem", "decode_key", "encode_key"]

# wechatpy 1.8 does not know these events; it would hand back an UnknownMessage without the card fields.
CARD_EVENTS = frozenset({"template_card_event", "template_card_menu_event"})
KEY_BYTES = 1024  # a template card button key


@dataclass(frozen=True, slots=True)
class SelectedItem:
    """One answered question of a vote/multiple-choice card."""

    question_key: str
    option_ids: tuple[str, ...]


def encode_key(action: str, code: str, args: str = "") -> str:
    """ "接单|7|" — decoded on click into the same command a typed "接单 #7" gives."""
    if not action or "|" in action or "|" in code:
        raise ValueError("a button action and code must be non-empty and free of '|'")
    key = f"{action}|{code}|{args}"
    if len(key.encode("utf-8")) > KEY_BYTES:
        raise ValueError("a button key is at most 1024 bytes")
    return key


def decode_key(key: str) -> tuple[str, str, str] | None:
    """(action, code, args) of a key this bot made, or None for any other key."""
    parts = key.split("|", 2)
    if len(parts) != 3 or not parts[0]:
        return None
    action, code, args = parts
    return action, code, args
