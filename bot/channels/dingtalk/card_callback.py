"""Parse an interactive-card click (the B3 card callback `data`) and build the response that updates the card."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.channels.dingtalk.payload import (
    EMPTY,
    JsonBody,
    MalformedCallback,
    embedded_object,
    load_object,
    opt_str,
    req_str,
)


@dataclass(frozen=True, slots=True)
class CardCallback:
    """A click on an interactive card; `content` and `extension` arrive as JSON strings and are decoded."""

    out_track_id: str
    user_id: str
    corp_id: str | None
    type: str
    space_id: str | None
    space_type: str | None
    content: Mapping[str, Any] = field(hash=False)
    extension: Mapping[str, Any] = field(hash=False)

    @property
    def action_ids(self) -> tuple[str, ...]:
        ids = _private_data(self.content).get("actionIds")
        return tuple(i for i in ids if isinstance(i, str)) if isinstance(ids, list) else ()

    @property
    def params(self) -> Mapping[str, Any]:
        params = _private_data(self.content).get("params")
        return MappingProxyType(params) if isinstance(params, dict) else EMPTY


def parse_card_callback(body: JsonBody) -> CardCallback:
    """Parse a card callback `data` object (B3), decoding its JSON-string `content` and `extension`."""
    obj = load_object(body, "card callback")
    user_id_type = obj.get("userIdType")
    if user_id_type is not None and not isinstance(user_id_type, int):
        raise MalformedCallback("field 'userIdType' is not an integer")
    return CardCallback(
        out_track_id=req_str(obj, "outTrackId"),
        user_id=req_str(obj, "userId"),
        corp_id=opt_str(obj, "corpId"),
        type=opt_str(obj, "type") or "actionCallback",
        space_id=opt_str(obj, "spaceId"),
        space_type=opt_str(obj, "spaceType"),
        content=embedded_object(obj, "content"),
        extension=embedded_object(obj, "extension"),
    )


def card_update_response(
    card_params: Mapping[str, str] | None = None,
    private_params: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """Build a card callback `response` that updates the card in place (shared and per-user parameters)."""
    response: dict[str, Any] = {}
    if card_params is not None:
        response["cardData"] = {"cardParamMap": dict(card_params)}
    if private_params is not None:
        response["privateData"] = {uid: {"cardParamMap": dict(p)} for uid, p in private_params.items()}
    return response


def _private_data(content: Mapping[str, Any]) -> Mapping[str, Any]:
    private = content.get("cardPrivateData")
    return private if isinstance(private, dict) else EMPTY
