"""`jingwu admin`: bind group chats, register and import people, route areas to stations and officers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import load_settings


async def cmd_admin(args: argparse.Namespace) -> int:
    from bot import admin
    from bot.app import create_bot
    from bot.clock import SystemClock
    from bot.privacy import mask_phone

    settings = load_settings()
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
