"""`jingwu disputes` and `jingwu outbox`: read dispute records, list the outbound queue, resend dead letters."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli.common import load_settings


async def cmd_disputes(args: argparse.Namespace) -> int:
    from bot.app import create_bot
    from bot.records import dispute_to_dict

    bot = await create_bot(load_settings())
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

    bot = await create_bot(load_settings())
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
