"""`jingwu extract`: dispute fields for each JSON line or text line on stdin, one JSON result line each."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from bot.cli.common import aware, load_settings
from bot.clock import SHANGHAI
from bot.extraction.types import AsyncExtractor
from config.rules import load_rules


async def cmd_extract(args: argparse.Namespace) -> int:
    from bot.extraction.factory import build_extractor

    settings = load_settings()
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
                sent_at = aware(obj["sent_at"]) if obj.get("sent_at") else clock_now
                area = obj.get("area")
            except (ValueError, KeyError, TypeError) as exc:
                print(json.dumps({"error": f"line {n}: {type(exc).__name__}: {exc}"}, ensure_ascii=False))
                continue
        result = await extractor.aextract(text, sent_at, area)
        print(json.dumps(result.contract(), ensure_ascii=False), flush=True)
    return 0
