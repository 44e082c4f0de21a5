"""`jingwu jobs tick`: run the reminders and digests due as of a given time, then report what was sent."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from bot.cli.common import aware, load_settings
from bot.clock import SHANGHAI, ManualClock


async def cmd_jobs_tick(args: argparse.Namespace) -> int:
    from bot.app import create_bot
    from jobs.tick import run_due

    now = aware(args.now) if args.now else datetime.now(SHANGHAI)
    bot = await create_bot(load_settings(), clock=ManualClock(now))
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
