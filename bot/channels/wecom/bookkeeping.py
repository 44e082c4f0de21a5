"""The sender's own short transactions: the message a reply answers, single-use reply handles, a try given back.

Each commits before any network call, so no request to WeCom ever holds the database (SQLite has one writer)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.channels.wecom.settings import PLATFORM
from storage.models import InboxMessage, OutboxMessage
from storage.models_wecom import WeComReplyClaim
from storage.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class Origin:
    """The inbound WeCom message an outbox row answers, with the reply hints its callback carried."""

    kind: str
    chat_kind: str
    chat_id: str
    sender_id: str
    hints: dict[str, Any] = field(default_factory=dict)


async def load_origin(uow_factory: UnitOfWorkFactory, inbox_id: int | None) -> Origin | None:
    if inbox_id is None:
        return None
    async with uow_factory(read_only=True) as uow:
        row = await uow.session.get(InboxMessage, inbox_id)
        if row is None or row.platform != PLATFORM:
            return None
        hints = dict((row.payload or {}).get("reply") or {})
        return Origin(kind=row.kind, chat_kind=row.chat_kind, chat_id=row.chat_id, sender_id=row.sender_id, hints=hints)


def handle_hash(kind: str, handle: str) -> str:
    return hashlib.sha256(f"{kind}\n{handle}".encode()).hexdigest()


async def claim(uow_factory: UnitOfWorkFactory, kind: str, handle: str, outbox_id: int, now: datetime) -> bool:
    """True when `outbox_id` holds the handle: claimed now, or by the same row on an earlier try."""
    digest = handle_hash(kind, handle)
    async with uow_factory() as uow:
        session = uow.session
        pg = session.get_bind().dialect.name == "postgresql"
        ins = pg_insert(WeComReplyClaim) if pg else sqlite_insert(WeComReplyClaim)
        stmt = (
            ins.values(handle_hash=digest, kind=kind, outbox_id=outbox_id, claimed_at=now)
            .on_conflict_do_nothing(index_elements=["handle_hash"])
            .returning(WeComReplyClaim.id)
        )
        if (await session.execute(stmt)).scalar_one_or_none() is not None:
            await uow.commit()
            return True
        owner = await session.scalar(select(WeComReplyClaim.outbox_id).where(WeComReplyClaim.handle_hash == digest))
        return owner == outbox_id


async def give_back_try(uow_factory: UnitOfWorkFactory, outbox_id: int) -> None:
    """Undo the lease's attempt count: waiting for a rate-limit slot or a stream refresh is not a failed try."""
    async with uow_factory() as uow:
        await uow.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, OutboxMessage.attempts > 0)
            .values(attempts=OutboxMessage.attempts - 1)
        )
        await uow.commit()
