"""Interactive cards (互动卡片): create and deliver a dispatch card, remember it, update it in place."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.dingtalk.client import DingTalkApi
from bot.channels.dingtalk.render import Outgoing
from bot.channels.dingtalk.settings import PLATFORM, DingTalkSettings
from bot.clock import Clock
from storage.models import OutboxMessage, Person, PersonIdentity
from storage.models_dingtalk import DingTalkCard
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

STATUS_PENDING = "待处理"


def out_track_id(row: OutboxMessage) -> str:
    """Stable per outbox row, so a retried send finds the card it already created instead of making another."""
    seed = f"{row.id}|{row.created_at.isoformat()}|{row.chat_id}|{row.user_id}"
    return f"jw-{row.id}-{hashlib.sha256(seed.encode()).hexdigest()[:16]}"


def card_params(o: Outgoing, status: str = STATUS_PENDING) -> dict[str, str]:
    """The cardParamMap (all values are strings); docs/dingtalk.md lists what the template binds."""
    code = next((b.code for b in o.buttons if b.code), "")
    return {
        "title": o.title,
        "markdown": o.text,
        "code": code,
        "status": status,
        "buttons": json.dumps([b.to_dict() for b in o.buttons], ensure_ascii=False),
    }


class CardService:
    def __init__(self, api: DingTalkApi, settings: DingTalkSettings, clock: Clock) -> None:
        self.api, self.settings, self.clock = api, settings, clock

    async def deliver(self, row: OutboxMessage, o: Outgoing, session: AsyncSession) -> DingTalkCard:
        """Create the card (once), then deliver it to the group or the officer; both steps survive a retry."""
        track = out_track_id(row)
        card = await session.get(DingTalkCard, track)
        now = self.clock.now()
        if card is None:
            params = card_params(o)
            await self.api.openapi("POST", "/v1.0/card/instances", self._create_body(track, params))
            card = DingTalkCard(
                out_track_id=track,
                outbox_id=row.id,
                chat_id=row.chat_id,
                user_id=row.user_id,
                code=params["code"],
                params=params,
                created_at=now,
                updated_at=now,
            )
            session.add(card)
            await session.flush()
        if card.delivered_at is None:
            await self.api.openapi("POST", "/v1.0/card/instances/deliver", await self._deliver_body(card, o, session))
            card.delivered_at = now
        return card

    async def update_status(self, card: DingTalkCard, status: str) -> None:
        """Rewrite the card's status line in place (PUT /v1.0/card/instances, only the changed key)."""
        body = {
            "outTrackId": card.out_track_id,
            "cardData": {"cardParamMap": {"status": status}},
            "cardUpdateOptions": {"updateCardDataByKey": True},
            "userIdType": 1,
        }
        await self.api.openapi("PUT", "/v1.0/card/instances", body)
        card.params = {**card.params, "status": status}
        card.updated_at = self.clock.now()

    def _create_body(self, track: str, params: dict[str, str]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "cardTemplateId": self.settings.card_template_id,
            "outTrackId": track,
            "cardData": {"cardParamMap": params},
            "callbackType": "STREAM" if self.settings.mode == "stream" else "HTTP",
            "imGroupOpenSpaceModel": {"supportForward": False},  # dispatch details stay in the group
            "imRobotOpenSpaceModel": {"supportForward": False},
            "userIdType": 1,
        }
        if self.settings.mode == "http" and self.settings.card_callback_route_key:
            body["callbackRouteKey"] = self.settings.card_callback_route_key
        return body

    async def _deliver_body(self, card: DingTalkCard, o: Outgoing, session: AsyncSession) -> dict[str, Any]:
        body: dict[str, Any] = {"outTrackId": card.out_track_id, "userIdType": 1}
        if card.chat_id is not None:
            body["openSpaceId"] = f"dtv1.card//IM_GROUP.{card.chat_id}"
            model: dict[str, Any] = {"robotCode": self.settings.robot}
            if o.mentions:
                model["atUserIds"] = await _nicknames(session, o.mentions)
            body["imGroupOpenDeliverModel"] = model
        else:
            body["openSpaceId"] = f"dtv1.card//IM_ROBOT.{card.user_id}"
            body["imRobotOpenDeliverModel"] = {"spaceType": "IM_ROBOT", "robotCode": self.settings.robot}
        return body


async def find_card(uow_factory: UnitOfWorkFactory, track: str) -> DingTalkCard | None:
    async with uow_factory() as uow:
        return await uow.session.get(DingTalkCard, track)


async def _nicknames(session: AsyncSession, staff_ids: tuple[str, ...]) -> dict[str, str]:
    """atUserIds is a map staffId -> display name; officers we know are shown by name."""
    rows = await session.execute(
        select(PersonIdentity.platform_user_id, Person.name)
        .join(Person, Person.id == PersonIdentity.person_id)
        .where(PersonIdentity.platform == PLATFORM, PersonIdentity.platform_user_id.in_(staff_ids))
    )
    names = {uid: name for uid, name in rows}
    return {uid: names.get(uid, uid) for uid in staff_ids}
