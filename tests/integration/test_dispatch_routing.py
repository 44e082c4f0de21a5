"""Routing (config or database), the dispatch notice with the officer @-mentioned by platform user id, and the
1:1 card with buttons on platforms that have them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.admin import set_area
from bot.app import Bot
from bot.clock import SHANGHAI, ManualClock
from bot.domain.deadlines import add_working_days, is_workday
from bot.ingest import ingest
from bot.messages import InboundMessage
from bot.people import bind_group, register_person
from config.rules import Rules
from storage.models import OutboxMessage


@pytest.fixture
def rules(rules: Rules) -> Rules:
    """The shipped rules with the station's police group on WeCom instead of the console."""
    station = rules.routing.stations["城关派出所"].model_copy(update={"police_group": "wecom:pg-chengguan"})
    routing = rules.routing.model_copy(update={"stations": {"城关派出所": station}})
    return rules.model_copy(update={"routing": routing})


async def _world(bot: Bot, clock: ManualClock) -> None:
    async with bot.uow_factory() as uow:
        await bind_group(
            uow, clock, platform="wecom", chat_id="pg-chengguan", name="城关所工作群", area=None, kind="police"
        )
        await bind_group(
            uow, clock, platform="wecom", chat_id="v-xingfu", name="幸福村警民群", area="幸福村", kind="resident"
        )
        await bind_group(
            uow, clock, platform="wecom", chat_id="v-yangguang", name="阳光社区警民群", area="阳光社区", kind="resident"
        )
        for key, name, role, uid in [
            ("gw-zhang", "张晓梅", "grid_worker", "ZhangXM"),
            ("officer-wang", "王建国", "officer", "WangJG"),
            ("officer-zhao", "赵志刚", "officer", "ZhaoZG"),
            ("leader-li", "李振华", "leader", "LiZH"),
        ]:
            await register_person(uow, clock, key=key, name=name, role=role, identities={"wecom": uid})
        await uow.commit()


async def _report(bot: Bot, clock: ManualClock, chat: str, text: str, mid: str) -> None:
    msg = InboundMessage(
        platform="wecom", message_id=mid, chat_id=chat, sender_id="ZhangXM", text=text, sent_at=clock.now()
    )
    await ingest(bot.uow_factory, msg, clock)
    await bot.worker.drain()


async def _outbox(bot: Bot) -> list[OutboxMessage]:
    async with bot.uow_factory() as uow:
        return await uow.outbox.find()


async def test_dispatch_mentions_by_platform_id_and_sends_a_card(bot: Bot, clock: ManualClock) -> None:
    await _world(bot, clock)
    await _report(bot, clock, "v-xingfu", "幸福村5组孙某家楼上漏水，楼下周某和孙某吵起来了", "w-1")
    reply, notice, card = await _outbox(bot)
    assert (reply.platform, reply.chat_id, reply.template) == ("wecom", "v-xingfu", "registered")
    assert (notice.chat_id, notice.template, notice.payload["mentions"]) == ("pg-chengguan", "dispatch", ["WangJG"])
    assert (card.user_id, card.kind, card.template) == ("WangJG", "card", "dispatch_card")
    assert card.payload["title"] == "【派单】JF-20261123-0001" and card.payload["masked"] is False
    assert [(b["label"], b["action"], b["code"]) for b in card.payload["buttons"]] == [
        ("接单", "接单", "1"),
        ("反馈", "反馈", "1"),
    ]


async def test_area_routing_from_config_and_from_the_database(bot: Bot, clock: ManualClock) -> None:
    await _world(bot, clock)
    await _report(bot, clock, "v-yangguang", "阳光社区5栋吴某和郑某因为噪音吵架", "w-1")
    assert (await _outbox(bot))[1].payload["mentions"] == ["ZhaoZG"]  # routing.yaml: 阳光社区 -> officer-zhao
    async with bot.uow_factory() as uow:
        await set_area(
            uow, clock, bot.rules, area="阳光社区", station="城关派出所", officer_key="officer-wang", town="城关镇"
        )
        await uow.commit()
    await _report(bot, clock, "v-yangguang", "阳光社区9栋冯某和蒋某因为噪音吵架", "w-2")
    assert (await _outbox(bot))[-2].payload["mentions"] == ["WangJG"]  # the database overrides the file
    async with bot.uow_factory() as uow:
        with pytest.raises(ValueError, match="不是已登记的民警"):
            await set_area(
                uow, clock, bot.rules, area="阳光社区", station="城关派出所", officer_key="gw-zhang", town=None
            )
        with pytest.raises(ValueError, match="没有派出所"):
            await set_area(
                uow, clock, bot.rules, area="阳光社区", station="不存在所", officer_key="officer-wang", town=None
            )


async def test_unrouted_officer_falls_back_to_the_station_leader(bot: Bot, clock: ManualClock) -> None:
    await _world(bot, clock)
    async with bot.uow_factory() as uow:
        officer = await uow.people.by_key("officer-wang")
        assert officer is not None
        await uow.session.delete(officer)
        await uow.commit()
    await _report(bot, clock, "v-xingfu", "幸福村5组孙某和周某因为漏水吵架", "w-1")
    assert (await _outbox(bot))[1].payload["mentions"] == ["LiZH"]


def test_working_days_follow_the_official_holiday_calendar() -> None:
    start = datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI)
    assert not is_workday(datetime(2026, 10, 1).date()) and is_workday(datetime(2026, 10, 10).date())
    assert add_working_days(start, 1) == datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)  # 国庆 holiday skipped
    assert add_working_days(start, 3) == datetime(2026, 10, 10, 9, 0, tzinfo=SHANGHAI)  # adjusted Saturday
    friday = datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI)
    assert add_working_days(friday, 1) == datetime(2026, 11, 23, 17, 0, tzinfo=SHANGHAI)
    assert add_working_days(friday, 7) - friday == timedelta(days=11)


def test_a_year_without_calendar_data_counts_monday_to_friday() -> None:
    saturday = datetime(2031, 5, 3, 9, 0, tzinfo=SHANGHAI)
    assert not is_workday(saturday.date()) and is_workday(datetime(2031, 5, 5).date())
    assert add_working_days(saturday, 1) == datetime(2031, 5, 5, 9, 0, tzinfo=SHANGHAI)
