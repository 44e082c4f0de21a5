"""The `jingwu` command line: serve, demo, db upgrade, extract, jobs tick, disputes, outbox."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.clock import SHANGHAI, ManualClock
from bot.privacy import install_log_redaction
from config.rules import RuleFileError, load_rules
from config.settings import Settings, SettingsFileError

log = logging.getLogger("jingwu")


def _settings(**overrides: Any) -> Settings:
    return Settings(**overrides)


def _setup_logging(level: str) -> None:
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    install_log_redaction()


def _aware(value: str) -> datetime:
    when = datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=SHANGHAI)


# ---- commands --------------------------------------------------------------------------------------------


async def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import build_web_app, create_bot

    settings = _settings()
    bot = await create_bot(settings)
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
        settings = _settings(database_url=url)
        world = load_world(settings.demo_file)
        clock = ManualClock(_aware(args.start) if args.start else DEMO_START)
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

    settings = _settings()
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        print(f"database at revision {await current_revision(engine)}")
    finally:
        await engine.dispose()
    return 0


async def cmd_extract(args: argparse.Namespace) -> int:
    from bot.extraction import RuleExtractor

    settings = _settings()
    extractor = RuleExtractor(load_rules(settings.rules_dir))
    clock_now = datetime.now(SHANGHAI)
    for n, raw in enumerate(sys.stdin, start=1):
        line = raw.strip()
        if not line:
            continue
        text, sent_at, area = line, clock_now, None
        if line.startswith("{"):
            try:
                obj = json.loads(line)
                text = str(obj["text"])
                sent_at = _aware(obj["sent_at"]) if obj.get("sent_at") else clock_now
                area = obj.get("area")
            except (ValueError, KeyError, TypeError) as exc:
                print(json.dumps({"error": f"line {n}: {type(exc).__name__}: {exc}"}, ensure_ascii=False))
                continue
        result = extractor.extract(text, sent_at, area)
        print(json.dumps(result.contract(), ensure_ascii=False), flush=True)
    return 0


async def cmd_jobs_tick(args: argparse.Namespace) -> int:
    from bot.app import create_bot
    from jobs.tick import run_due

    now = _aware(args.now) if args.now else datetime.now(SHANGHAI)
    bot = await create_bot(_settings(), clock=ManualClock(now))
    try:
        result = await run_due(bot, now)
    finally:
        await bot.close()
    print(json.dumps({"now": now.isoformat(), "reminders": result.reminders, "sent": result.sent}))
    return 0


async def cmd_disputes(args: argparse.Namespace) -> int:
    from bot.app import create_bot
    from bot.records import dispute_to_dict

    bot = await create_bot(_settings())
    try:
        async with bot.uow_factory() as uow:
            if args.action == "list":
                rows = await uow.disputes.find(status=args.status or None, limit=args.limit)
                data: Any = [dispute_to_dict(d, bot.rules, None) for d in rows]
            else:
                number = int("".join(ch for ch in args.code.split("-")[-1] if ch.isdigit()) or 0)
                d = await uow.disputes.by_number(number)
                if d is None:
                    print(f"没有找到纠纷 {args.code}", file=sys.stderr)
                    return 1
                data = dispute_to_dict(d, bot.rules, await uow.disputes.timeline(d.id))
    finally:
        await bot.close()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for d in data if isinstance(data, list) else [data]:
            print(
                f"{d['code']}  {d['status_label']:<4} {d['colour']}  {d['category_label']:<4}  {d['location'] or '—'}"
            )
    return 0


async def cmd_outbox(args: argparse.Namespace) -> int:
    from bot.app import create_bot

    bot = await create_bot(_settings())
    try:
        if args.action == "resend":
            ok = await bot.dispatcher.resend(args.id)
            print("已重新排队" if ok else f"outbox {args.id} 不是死信")
            return 0 if ok else 1
        async with bot.uow_factory() as uow:
            rows = await uow.outbox.find(status="dead" if args.dead else None)
        for r in rows:
            print(f"{r.id}\t{r.status}\t{r.platform}:{r.chat_id or r.user_id}\t{r.attempts}\t{r.last_error or ''}")
    finally:
        await bot.close()
    return 0


# ---- parser ----------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jingwu", description="指尖上的警务室 group-chat bot")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the HTTP server, workers and scheduler")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.set_defaults(run=cmd_serve)
    d = sub.add_parser("demo", help="play the scripted scenario on the console channel")
    d.add_argument("--interactive", action="store_true", help="read '<persona>: <text>' lines from stdin")
    d.add_argument("--database", help="database URL (default: a fresh temporary SQLite file)")
    d.add_argument("--start", help="clock start, ISO 8601 (default 2026-11-23T09:30+08:00)")
    d.set_defaults(run=cmd_demo)
    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="action", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations").set_defaults(run=cmd_db_upgrade)
    e = sub.add_parser("extract", help="extract dispute fields from JSON lines or text lines on stdin")
    e.set_defaults(run=cmd_extract)
    j = sub.add_parser("jobs", help="scheduled work")
    j_sub = j.add_subparsers(dest="action", required=True)
    t = j_sub.add_parser("tick", help="run all work due as of --now")
    t.add_argument("--now", help="ISO 8601 time (default: now)")
    t.set_defaults(run=cmd_jobs_tick)
    ds = sub.add_parser("disputes", help="list or show dispute records")
    ds_sub = ds.add_subparsers(dest="action", required=True)
    dl = ds_sub.add_parser("list")
    dl.add_argument("--json", action="store_true")
    dl.add_argument("--status", action="append")
    dl.add_argument("--limit", type=int, default=100)
    dl.set_defaults(run=cmd_disputes)
    dsh = ds_sub.add_parser("show")
    dsh.add_argument("code", help="JF-20261123-0007, #7 or 7")
    dsh.add_argument("--json", action="store_true")
    dsh.set_defaults(run=cmd_disputes)
    o = sub.add_parser("outbox", help="outbound queue and dead letters")
    o_sub = o.add_subparsers(dest="action", required=True)
    ol = o_sub.add_parser("list")
    ol.add_argument("--dead", action="store_true")
    ol.set_defaults(run=cmd_outbox)
    orr = o_sub.add_parser("resend")
    orr.add_argument("id", type=int)
    orr.set_defaults(run=cmd_outbox)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], Coroutine[Any, Any, int]] = args.run
    try:
        settings = _settings()
        quiet = args.command == "demo" and "JINGWU_LOG_LEVEL" not in os.environ
        _setup_logging("WARNING" if quiet else settings.log_level)
        load_rules(settings.rules_dir)  # a broken rule file stops every command before it starts
        return asyncio.run(run(args))
    except (RuleFileError, SettingsFileError) as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
