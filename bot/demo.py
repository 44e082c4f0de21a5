"""`jingwu demo`: a scripted or piped conversation on the console channel, printed as a Chinese transcript."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from bot.app import Bot
from bot.channels.console.parse import ConsoleInputError, parse_line
from bot.channels.console.settings import PLATFORM, DemoWorld
from bot.clock import ManualClock
from bot.ingest import ingest
from bot.people import bind_group, register_person
from jobs.tick import run_due

DEMO_START = datetime.fromisoformat("2026-11-23T09:30:00+08:00")

SCRIPT = [
    "网格员: @警务助手 【矛盾纠纷】幸福村3组张某与李某因宅基地地界问题发生争执，双方情绪激动，张某扬言要报复。"
    "张某电话13800138000，李某电话13800138111，昨天晚上8点开始吵的。",
    "民警: 接单 #1",
    "民警: 反馈 #0001 已化解 村调委会现场调解，双方重新确认地界并签订调解协议",
    "/time +1d",
    "民警: 回访 #1 满意 无反复",
    "所长: 查 #1",
]

_REL = re.compile(r"^\+(\d+)\s*([dhm])$")


class DemoSession:
    def __init__(self, bot: Bot, world: DemoWorld, clock: ManualClock, write: Callable[[str], None]) -> None:
        self.bot, self.world, self.clock, self.write = bot, world, clock, write
        self.seq = 0

    async def setup(self) -> None:
        async with self.bot.uow_factory() as uow:
            for g in self.world.groups:
                await bind_group(
                    uow,
                    self.clock,
                    platform=PLATFORM,
                    chat_id=g.chat_id,
                    name=g.name,
                    area=g.area,
                    kind=g.kind,
                )
            for p in self.world.people:
                await register_person(
                    uow,
                    self.clock,
                    key=p.key,
                    name=p.name,
                    role=p.role,
                    phone=p.phone,
                    identities={PLATFORM: p.key},
                )
            await uow.commit()

    async def handle(self, line: str) -> None:
        line = line.strip()
        if not line or line.startswith("#"):
            return
        if line.startswith("/time"):
            self._move_clock(line[len("/time") :].strip())
            return
        self.seq += 1
        try:
            msg = parse_line(line, self.world, self.seq, self.clock.now(), self.bot.settings.bot_name)
        except ConsoleInputError as exc:
            self.write(f"⚠️ {exc}")
            return
        person = self.world.persona(line.split(":", 1)[0].split("：", 1)[0].strip())
        group = self.world.group(msg.chat_id)
        who = f"{person.name}（{person.persona}）" if person else msg.sender_id
        self.write(f"[{group.name}] {who}：{msg.text}")
        await ingest(self.bot.uow_factory, msg, self.clock)
        await self.bot.worker.drain()
        await run_due(self.bot)

    def _move_clock(self, arg: str) -> None:
        m = _REL.match(arg)
        try:
            if m:
                n, unit = int(m.group(1)), m.group(2)
                self.clock.advance({"d": timedelta(days=n), "h": timedelta(hours=n), "m": timedelta(minutes=n)}[unit])
            else:
                self.clock.set(datetime.fromisoformat(arg))
        except ValueError:
            self.write("⚠️ 时间格式：/time +7d、/time +3h、/time +30m 或 /time 2026-12-01T09:00")
            return
        self.write(f"⏰ 时间来到 {self.clock.now():%Y-%m-%d %H:%M}")

    async def tick(self) -> None:
        await run_due(self.bot)

    async def run(self, lines: Iterable[str]) -> None:
        await self.setup()
        self.write(f"⏰ 当前时间 {self.clock.now():%Y-%m-%d %H:%M}")
        for line in lines:
            await self.handle(line)
            if line.strip().startswith("/time"):
                await self.tick()
