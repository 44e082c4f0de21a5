"""The edge's only write: persist an inbound message in the inbox before the platform is acked."""

from __future__ import annotations

from typing import Any

from bot.clock import Clock
from bot.messages import InboundMessage
from storage.uow import UnitOfWorkFactory


def inbox_values(msg: InboundMessage, clock: Clock) -> dict[str, Any]:
    """The inbox row for `msg`; every path into the inbox (one at a time or batched) builds it here."""
    return {
        "platform": msg.platform,
        "message_id": msg.message_id,
        "chat_id": msg.chat_id,
        "chat_kind": msg.chat_kind,
        "sender_id": msg.sender_id,
        "sender_name": msg.sender_name,
        "kind": msg.kind,
        "text": msg.text,
        "payload": msg.payload(),
        "sent_at": msg.sent_at,
        "received_at": clock.now(),
        "status": "pending",
        "attempts": 0,
    }


async def ingest(uow_factory: UnitOfWorkFactory, msg: InboundMessage, clock: Clock) -> int | None:
    """Store `msg` once; returns its inbox id, or None when the platform redelivered a known message."""
    async with uow_factory() as uow:
        inbox_id = await uow.inbox.insert_if_new(inbox_values(msg, clock))
        await uow.commit()
        return inbox_id
