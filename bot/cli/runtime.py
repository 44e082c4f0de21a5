"""`jingwu serve`, `jingwu demo` and `jingwu db upgrade`: run the bot, play the demo, migrate the database."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.cli.common import aware, load_settings
from bot.clock import ManualClock


async def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import build_web_app, create_bot
    from bot.extraction.factory import LazyExtractor

    settings = load_settings()
    bot = await create_bot(settings)
    extractor = bot.services.extractor
    if isinstance(extractor, LazyExtractor):
        extractor.warm()  # pay the NLP libraries' load time before the first message, not on it
    app = build_web_app(bot)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    host, port = args.host or settings.host, args.port or settings.port
    site = web.TCPSite(runner, host, port)
    await site.start()
    print(
        f"jingwu serving on http://{host}:{port} (database: {settings.database_url.split('@')[-1]})",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await bot.close()
    return 0


async def cmd_demo(args: argparse.Namespace) -> int:
    from bot.app import create_bot
    from bot.channels.console.sender import ConsoleSender
    from bot.channels.console.settings import PLATFORM, load_world
    from bot.demo import DEMO_START, SCRIPT, DemoSession

    with tempfile.TemporaryDirectory(prefix="jingwu-demo-") as tmp:
        url = args.database or f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}"
        settings = load_settings(database_url=url)
        world = load_world(settings.demo_file)
        clock = ManualClock(aware(args.start) if args.start else DEMO_START)
        sender = ConsoleSender(world, settings.bot_name, write=lambda s: print(s, flush=True))
        bot = await create_bot(settings, clock=clock, senders={PLATFORM: sender})
        try:
            session = DemoSession(bot, world, clock, write=lambda s: print(s, flush=True))
            if args.interactive:
                if sys.stdin.isatty():
                    print("输入「角色: 内容」与机器人对话，角色：" + "、".join(p.persona for p in world.people))
                    print("「/time +1d」或「/time 2026-12-01T09:00」调整时间，Ctrl-D 结束。")
                await session.run(_stdin_lines())
            else:
                await session.run(SCRIPT)
        finally:
            await bot.close()
    return 0


def _stdin_lines() -> Any:
    for line in sys.stdin:
        yield line.rstrip("\n")


async def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.db import create_engine
    from storage.migrate import current_revision, upgrade

    settings = load_settings()
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        print(f"database at revision {await current_revision(engine)}")
    finally:
        await engine.dispose()
    return 0
