"""Template cards: the click events and their fields in either wire format, a vote/choice card's answers, and the
button key that names a command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypedDict

__all__ = [
    "CARD_EVENTS",
    "KEY_BYTES",
    "CardFields",
    "CardFormat",
    "SelectedItem",
    "decode_key",
    "encode_key",
    "read_card",
]

# wechatpy 1.8 does not know these events; it would hand back an UnknownMessage without the card fields.
CARD_EVENTS = frozenset({"template_card_event", "template_card_menu_event"})
KEY_BYTES = 1024  # a template card button key


@dataclass(frozen=True, slots=True)
class SelectedItem:
    """One answered question of a vote/multiple-choice card."""

    question_key: str
    option_ids: tuple[str, ...]


class CardFields(TypedDict):
    """What a template card event carries beyond who and when (keyword arguments of AppCardClick and BotEvent)."""

    event_key: str
    task_id: str
    card_type: str
    response_code: str  # single use, valid 72 h, for update_template_card
    selected_items: tuple[SelectedItem, ...]


Node = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CardFormat:
    """How one wire format carries a card event: the app's XML (<EventKey>, <SelectedItems>...) or the
    智能机器人's JSON (event_key, selected_items...). Its readers check the shapes and raise MalformedPayload."""

    text: Callable[[Node, str], str]  # a text field, "" when absent
    entries: Callable[[Node, str, str], Iterator[Node]]  # the containers `inner` inside `outer`, checked lazily
    strings: Callable[[Node, str, str], list[str]]  # the texts `inner` inside `outer`
    event_key: str
    task_id: str
    card_type: str
    response_code: str
    selected_items: str
    selected_item: str
    question_key: str
    option_ids: str
    option_id: str


def read_card(card: Node, fmt: CardFormat) -> CardFields:
    """The card fields of a template_card_event, read and checked in the same order in both formats."""
    fields = CardFields(
        event_key=fmt.text(card, fmt.event_key),
        task_id=fmt.text(card, fmt.task_id),
        card_type=fmt.text(card, fmt.card_type),
        response_code=fmt.text(card, fmt.response_code),
        selected_items=(),
    )
    items: list[SelectedItem] = []
    for raw in fmt.entries(card, fmt.selected_items, fmt.selected_item):
        options = fmt.strings(raw, fmt.option_ids, fmt.option_id)
        items.append(SelectedItem(question_key=fmt.text(raw, fmt.question_key), option_ids=tuple(options)))
    fields["selected_items"] = tuple(items)
    return fields


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
