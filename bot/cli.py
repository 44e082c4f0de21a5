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
from bot.extraction.types import AsyncExtractor
from bot.privacy import install_log_redaction
from bot.qa import load_qa
from bot.qa.cli import add_ask_parser
from config.rules import RuleFileError, load_rules
from config.settings import Settings, SettingsFileError
from jobs.config import load_jobs_config

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
    from bot.extraction.factory import LazyExtractor

    settings = _settings()
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
    from bot.extraction.factory import build_extractor

    settings = _settings()
    extractor = build_extractor(settings, load_rules(settings.rules_dir), SHANGHAI)
    try:
        return await _extract_lines(extractor)
    finally:
        await extractor.aclose()


async def _extract_lines(extractor: AsyncExtractor) -> int:
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
        result = await extractor.aextract(text, sent_at, area)
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
    print(
        json.dumps(
            {"now": now.isoformat(), "reminders": result.reminders, "digests": result.digests, "sent": result.sent}
        )
    )
    return 0


async def cmd_disputes(args: argparse.Namespace) -> int:
    from bot.app import create_bot
    from bot.records import dispute_to_dict

    bot = await create_bot(_settings())
    try:
        async with bot.uow_factory(read_only=True) as uow:
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
        async with bot.uow_factory(read_only=True) as uow:
            rows = await uow.outbox.find(status="dead" if args.dead else None)
        for r in rows:
            print(f"{r.id}\t{r.status}\t{r.platform}:{r.chat_id or r.user_id}\t{r.attempts}\t{r.last_error or ''}")
    finally:
        await bot.close()
    return 0


async def cmd_admin(args: argparse.Namespace) -> int:
    from bot import admin
    from bot.app import create_bot
    from bot.clock import SystemClock
    from bot.privacy import mask_phone

    settings = _settings()
    bot = await create_bot(settings)
    clock = SystemClock()
    try:
        async with bot.uow_factory() as uow:
            what = f"{args.admin_target} {args.action}"
            if what == "group bind":
                await admin.bind_group(
                    uow,
                    clock,
                    platform=args.platform,
                    chat_id=args.chat_id,
                    name=args.name,
                    area=args.area,
                    kind=args.kind,
                )
                print(f"已绑定 {args.platform}:{args.chat_id}「{args.name}」→ {args.area or '—'}（{args.kind}）")
            elif what == "group list":
                from sqlalchemy import select

                from storage.models import Group

                for g in (await uow.session.scalars(select(Group).order_by(Group.id))).all():
                    print(f"{g.platform}:{g.chat_id}\t{g.name}\t{g.area or '—'}\t{g.kind}")
            elif what == "person add":
                role = admin.role_code(bot.rules, args.role)
                if role is None:
                    print(f"未知角色「{args.role}」", file=sys.stderr)
                    return 2
                ids = {
                    p: v
                    for p, v in (("wecom", args.wecom), ("dingtalk", args.dingtalk), ("console", args.console))
                    if v
                }
                await admin.register_person(
                    uow, clock, key=args.key, name=args.name, role=role, phone=args.phone, identities=ids
                )
                print(f"已登记 {args.key} {args.name}（{bot.rules.roles.roles[role].name}）")
            elif what == "person import":
                report = await admin.import_people(uow, clock, bot.rules, Path(args.file), strict=args.strict)
                for err in report.errors:
                    print(err, file=sys.stderr)
                print(f"导入 {report.imported} 人，错误 {len(report.errors)} 处")
                if report.errors and args.strict:
                    return 1
            elif what == "person list":
                for p in await uow.people.all():
                    phone = (p.phone if args.full else mask_phone(p.phone)) if p.phone else "—"
                    accounts = ",".join(f"{i.platform}:{i.platform_user_id}" for i in p.identities)
                    print(f"{p.key}\t{p.name}\t{phone}\t{p.role}\t{accounts}")
            elif what == "area set":
                await admin.set_area(
                    uow,
                    clock,
                    bot.rules,
                    area=args.area,
                    station=args.station,
                    officer_key=args.officer,
                    town=args.town,
                )
                print(f"辖区「{args.area}」→ {args.station}，包村民警 {args.officer}")
            await uow.commit()
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        await bot.close()
    return 0


def _add_admin_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    a = sub.add_parser("admin", help="groups, people and areas")
    a_sub = a.add_subparsers(dest="admin_target", required=True)
    g = a_sub.add_parser("group").add_subparsers(dest="action", required=True)
    gb = g.add_parser("bind", help="bind a chat to an area and a kind")
    gb.add_argument("--platform", required=True, choices=["wecom", "dingtalk", "console"])
    gb.add_argument("--chat-id", required=True)
    gb.add_argument("--name", required=True)
    gb.add_argument("--area")
    gb.add_argument("--kind", required=True, choices=["resident", "police"])
    g.add_parser("list")
    p = a_sub.add_parser("person").add_subparsers(dest="action", required=True)
    pa = p.add_parser("add", help="register a person with real name, phone, role and platform ids")
    pa.add_argument("--key", required=True)
    pa.add_argument("--name", required=True)
    pa.add_argument("--phone")
    pa.add_argument("--role", required=True, help="role code or Chinese name (网格员, 民警, 所长, 群众 ...)")
    pa.add_argument("--wecom")
    pa.add_argument("--dingtalk")
    pa.add_argument("--console")
    pi = p.add_parser("import", help="import people from .csv or .xlsx")
    pi.add_argument("file")
    pi.add_argument("--strict", action="store_true", help="import nothing if any row is bad")
    pl = p.add_parser("list")
    pl.add_argument("--full", action="store_true", help="show phone numbers unmasked")
    ar = a_sub.add_parser("area").add_subparsers(dest="action", required=True)
    ars = ar.add_parser("set", help="route an area to a station and officer (overrides routing.yaml)")
    ars.add_argument("area")
    ars.add_argument("--station", required=True)
    ars.add_argument("--officer", required=True, help="person key of the 包村民警")
    ars.add_argument("--town")
    a.set_defaults(run=cmd_admin)


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
    add_ask_parser(sub)
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
    _add_admin_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], Coroutine[Any, Any, int]] = args.run
    try:
        settings = _settings()
        quiet = args.command == "demo" and "JINGWU_LOG_LEVEL" not in os.environ
        _setup_logging("WARNING" if quiet else settings.log_level)
        load_rules(settings.rules_dir)  # a broken rule file stops every command before it starts
        load_jobs_config(settings.rules_dir)
        load_qa(settings.rules_dir)
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
