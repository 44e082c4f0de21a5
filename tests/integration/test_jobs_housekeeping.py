"""Housekeeping on real databases: WeCom reply-handle claims are deleted once past their retention (by the hourly
job and at the end of every run_due), never while WeCom may still accept the handle they guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.app import Bot
from bot.channels.wecom.bookkeeping import claim
from bot.clock import ManualClock
from jobs.config import JobsSettings
from jobs.tick import housekeeping_job, run_due
from storage.models import OutboxMessage
from storage.models_wecom import WeComReplyClaim

URL = "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=RC"


async def outbox_rows(bot: Bot, count: int) -> list[int]:
    now = bot.clock.now()
    rows = [
        OutboxMessage(platform="wecom", chat_id="c", kind="text", text=f"回复{i}", payload={}, template="t",
                      status="sent", attempts=1, next_attempt_at=now, created_at=now, sent_at=now)
        for i in range(count)
    ]  # fmt: skip
    async with bot.uow_factory() as uow:
        for row in rows:
            await uow.outbox.add(row)
        await uow.commit()
    return [row.id for row in rows]


async def claimed(bot: Bot) -> list[int]:
    async with bot.uow_factory() as uow:
        q = select(WeComReplyClaim.outbox_id).order_by(WeComReplyClaim.outbox_id)
        return list((await uow.session.scalars(q)).all())


async def test_claims_past_the_retention_are_pruned_and_the_rest_kept(bot: Bot, clock: ManualClock) -> None:
    now, retention = clock.now(), JobsSettings().reply_claim_retention
    assert retention == timedelta(hours=96)
    old, recent, fresh = await outbox_rows(bot, 3)
    assert await claim(bot.uow_factory, "response_code", "RC-old", old, now - retention - timedelta(minutes=1))
    assert await claim(bot.uow_factory, "response_code", "RC-recent", recent, now - retention + timedelta(minutes=1))
    assert await claim(bot.uow_factory, "response_url", URL, fresh, now)

    assert await housekeeping_job(bot) == 1
    assert await claimed(bot) == [recent, fresh]
    # a kept claim still guards its handle; a pruned one no longer does (WeCom refuses the handle by then anyway)
    assert not await claim(bot.uow_factory, "response_code", "RC-recent", fresh, now)
    assert await claim(bot.uow_factory, "response_code", "RC-old", fresh, now)
    assert await housekeeping_job(bot) == 0


async def test_run_due_prunes_with_its_own_now_and_the_configured_retention(bot: Bot, clock: ManualClock) -> None:
    (row,) = await outbox_rows(bot, 1)
    assert await claim(bot.uow_factory, "response_url", URL, row, clock.now())
    settings = JobsSettings(reply_claim_retention_hours=72)
    await run_due(bot, clock.now() + timedelta(hours=71), settings=settings)
    assert await claimed(bot) == [row]
    await run_due(bot, clock.now() + timedelta(hours=72, seconds=1), settings=settings)
    assert await claimed(bot) == []


def test_retention_is_a_setting_never_shorter_than_a_handle_lives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JINGWU_JOBS_REPLY_CLAIM_RETENTION_HOURS", "120")
    assert JobsSettings().reply_claim_retention == timedelta(hours=120)
    with pytest.raises(ValidationError):
        JobsSettings(reply_claim_retention_hours=71)
