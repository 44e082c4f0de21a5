"""What the jobs write, in Chinese: 督办 alerts and the daily, weekly and monthly digests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from bot.privacy import Privacy
from bot.templates import fmt_time
from config.rules import RISKS, Rules
from jobs.periods import Period
from jobs.rates import DisputeFact, Rate, RevisitDueFact, count_by
from storage.models import Dispute

WEEKDAYS = "一二三四五六日"
OVERDUE_LABELS = {"accept": "超时未接单", "resolve": "超期未办结"}


def duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} 天"] if days else []
    if hours:
        parts.append(f"{hours} 小时")
    if mins and not days:
        parts.append(f"{mins} 分钟")
    return " ".join(parts) or "不到 1 分钟"


def accept_overdue(
    d: Dispute, rules: Rules, tz: tzinfo, now: datetime, seq: int, owner: str, leader: str, p: Privacy
) -> str:
    head = "【督办】" if seq <= 1 else f"【督办·第{seq}次提醒】"
    late = duration(now - d.accept_by) if d.accept_by else "—"
    return "\n".join(
        [
            f"{head}{d.code}｜{rules.risk.colour(d.risk)}色｜超时未接单",
            f"接单时限 {fmt_time(d.accept_by, tz)}，已超时 {late}。",
            f"责任民警：@{owner}｜请 @{leader} 督促接单。",
            f"地点：{d.location or '未提供'}｜摘要：{p.text(d.summary)}",
            f"回复「接单 #{d.id}」接单。",
        ]
    )


def resolve_overdue_at_top(d: Dispute, rules: Rules, tz: tzinfo, now: datetime, leader: str, p: Privacy) -> str:
    late = duration(now - d.resolve_by) if d.resolve_by else "—"
    return "\n".join(
        [
            f"【督办】{d.code}｜{rules.risk.colour(d.risk)}色｜超期未办结",
            f"办结时限 {fmt_time(d.resolve_by, tz)}，已超期 {late}；已在县局调解中心层级，无法再上提。",
            f"请 @{leader} 督促化解。地点：{d.location or '未提供'}｜摘要：{p.text(d.summary)}",
        ]
    )


def escalation_reason(d: Dispute, tz: tzinfo) -> str:
    return f"超期未办结，办结时限 {fmt_time(d.resolve_by, tz)}"


# ---- digests ---------------------------------------------------------------------------------------------------


def _colours(rules: Rules, rows: Sequence[DisputeFact]) -> str:
    return "・".join(f"{rules.risk.colour(r)} {sum(1 for d in rows if d.risk == r)}" for r in RISKS)


def _more(total: int, shown: int) -> list[str]:
    return [f"…另有 {total - shown} 件"] if total > shown else []


def _day(moment: datetime) -> str:
    return f"{moment.month}月{moment.day}日（周{WEEKDAYS[moment.weekday()]}）"


@dataclass(frozen=True)
class DailyDigest:
    station: str
    period: Period
    new: list[DisputeFact]
    open: list[DisputeFact]
    overdue: list[tuple[DisputeFact, str]]
    revisits: list[RevisitDueFact]


def daily(dg: DailyDigest, rules: Rules, tz: tzinfo, limit: int) -> str:
    lines = [
        f"【每日简报】{dg.station}｜{_day(dg.period.due_at.astimezone(tz))}",
        f"新增纠纷 {len(dg.new)} 件（{_colours(rules, dg.new)}），统计 "
        f"{fmt_time(dg.period.start, tz)} 至 {fmt_time(dg.period.end, tz)}",
        f"在办纠纷 {len(dg.open)} 件（{_colours(rules, dg.open)}）",
        f"超期 {len(dg.overdue)} 件" + ("：" if dg.overdue else ""),
    ]
    for d, why in dg.overdue[:limit]:
        due = d.accept_by if why == "accept" else d.resolve_by
        lines.append(
            f"· {d.code}｜{rules.risk.colour(d.risk)}｜{OVERDUE_LABELS[why]}（时限 {fmt_time(due, tz)}）｜"
            f"{d.assignee or '未指派'}"
        )
    lines += _more(len(dg.overdue), limit)
    lines.append(f"今日回访 {len(dg.revisits)} 件" + ("：" if dg.revisits else ""))
    for r in dg.revisits[:limit]:
        lines.append(f"· {r.code} 第{r.seq}次（{fmt_time(r.due_at, tz)}）｜{r.assignee or '未指派'}")
    lines += _more(len(dg.revisits), limit)
    return "\n".join(lines)


@dataclass(frozen=True)
class Figures:
    registered: list[DisputeFact]  # counted records registered in the period
    resolution: Rate
    on_time: Rate
    satisfaction: Rate


@dataclass(frozen=True)
class PeriodicDigest:
    station: str
    period: Period
    this: Figures
    last: Figures
    overdue_now: int


def _count_change(now: int, before: int) -> str:
    return "持平" if now == before else f"{now - before:+d}"


def _rate_line(name: str, this: Rate, last: Rate, vs: str) -> str:
    head = f"{name} {this.percent()}（{this.numerator}/{this.denominator}）"
    if this.value is None or last.value is None:
        return f"{head}，{vs} {last.percent()}"
    points = round((this.value - last.value) * 100, 1)
    change = "持平" if points == 0 else f"{points:+.1f} 个百分点"
    return f"{head}，{vs} {last.percent()}，{change}"


def periodic(dg: PeriodicDigest, rules: Rules, tz: tzinfo) -> str:
    start, end = dg.period.start.astimezone(tz), (dg.period.end - timedelta(days=1)).astimezone(tz)
    if dg.period.kind == "weekly":
        title = f"【每周研判】{dg.station}｜第{start.isocalendar().week}周（{start:%m-%d} 至 {end:%m-%d}）"
        vs = "上周"
    else:
        title = f"【月度汇总】{dg.station}｜{start.year}年{start.month}月"
        vs = "上月"
    rows = dg.this.registered

    def category(d: DisputeFact) -> str:
        try:
            return rules.categories.by_code(d.category).name
        except KeyError:
            return d.category

    by_category = "、".join(f"{name} {n}" for name, n in count_by(rows, category)) or "—"
    by_area = "、".join(f"{name} {n}" for name, n in count_by(rows, lambda d: d.area or "未定")) or "—"
    return "\n".join(
        [
            title,
            f"登记纠纷 {len(rows)} 件，较{vs} {_count_change(len(rows), len(dg.last.registered))}",
            f"按类别：{by_category}",
            f"按区域：{by_area}",
            f"按风险：{_colours(rules, rows)}",
            _rate_line("化解率", dg.this.resolution, dg.last.resolution, vs),
            _rate_line("按期办结率", dg.this.on_time, dg.last.on_time, vs),
            _rate_line("回访满意率", dg.this.satisfaction, dg.last.satisfaction, vs),
            f"当前超期未办 {dg.overdue_now} 件",
        ]
    )
