"""`jingwu ask`: resident questions (text lines or JSON lines with "text") in, one JSON answer line each out."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from bot.qa import load_qa_uncached
from config.rules import load_rules
from config.settings import Settings


def add_ask_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    a = subparsers.add_parser("ask", help="answer resident questions from JSON lines or text lines on stdin")
    a.add_argument("--station", help="station whose placeholders fill the answers (default: the default area's)")
    a.set_defaults(run=cmd_ask)


async def cmd_ask(args: argparse.Namespace) -> int:
    return ask(Settings(), args.station, sys.stdin, sys.stdout)


def ask(settings: Settings, station: str | None, stdin: TextIO, stdout: TextIO) -> int:
    """One line out per non-empty line in: {"kind", "answer", "entry_id", "score"}, or {"error"} for a bad line."""
    routing = load_rules(settings.rules_dir).routing
    qa = load_qa_uncached(settings.rules_dir)
    if station is None:
        station = routing.area_for(None).station
    elif station not in routing.stations and station not in qa.kb.stations:
        print(f"没有派出所「{station}」，可选：{'、'.join(routing.stations)}", file=sys.stderr)
        return 2
    for n, raw in enumerate(stdin, start=1):
        line = raw.strip()
        if not line:
            continue
        text = line
        if line.startswith("{"):
            try:
                text = str(json.loads(line)["text"])
            except (ValueError, KeyError, TypeError) as exc:
                print(json.dumps({"error": f"line {n}: {type(exc).__name__}: {exc}"}, ensure_ascii=False), file=stdout)
                continue
        print(json.dumps(qa.answer(text, station).contract(), ensure_ascii=False), file=stdout, flush=True)
    return 0
