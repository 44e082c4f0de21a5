"""Housekeeping: delete rows that no longer protect anything. Today that is the WeCom reply-handle claims."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CursorResult, delete

from storage.models_wecom import WeComReplyClaim
from storage.uow import UnitOfWorkFactory


async def prune_reply_claims(uow_factory: UnitOfWorkFactory, now: datetime, retention: timedelta) -> int:
    """Delete the claims taken before `now - retention`; returns how many went. A claim only matters while
    WeCom still accepts its handle (JobsSettings.reply_claim_retention_hours keeps it longer than that)."""
    async with uow_factory() as uow:
        result = await uow.session.execute(delete(WeComReplyClaim).where(WeComReplyClaim.claimed_at < now - retention))
        await uow.commit()
    return result.rowcount if isinstance(result, CursorResult) else 0
