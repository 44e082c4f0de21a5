"""The `jingwu` command line: serve, demo, db upgrade, extract, jobs tick, disputes, outbox.

This module wires the argparse tree and runs the chosen command; the commands live in the modules beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from pydantic import ValidationError

from bot.cli.admin import cmd_admin
from bot.cli.common import load_settings
from bot.cli.extract import cmd_extract
from bot.cli.jobs import cmd_jobs_tick
from bot.cli.records import cmd_disputes, cmd_outbox
from bot.cli.runtime import cmd_db_upgrade, cmd_demo, cmd_serve
from bot.privacy import install_log_redaction
from bot.qa import load_qa
from bot.qa.cli import add_ask_parser
from config.rules import RuleFileError, load_rules
from config.settings import SettingsFileError
from jobs.config import load_jobs_config

log = logging.getLogger("jingwu")


def _setup_logging(level: str) -> None:
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    install_log_redaction()


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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], Coroutine[Any, Any, int]] = args.run
    try:
        settings = load_settings()
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
