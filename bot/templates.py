"""Every text the bot writes, in Chinese; each takes a Privacy so masking is never a template's choice."""

from __future__ import annotations

from datetime import datetime

from bot.domain.lifecycle import ACTION_LABELS, STATUS_LABELS, Status
from bot.privacy import Privacy
from config.rules import Rules
from storage.models import Dispute, TimelineEvent

FIELD_LABELS = {"location": "地点", "parties": "当事人", "phones": "联系电话", "occurred_at": "发生时间"}
FIELD_QUESTIONS = {
    "location": "请补充纠纷发生的具体地点（村/小区/门牌）。",
    "parties": "请补充双方当事人的称呼（如张某、李某）。",
    "phones": "请补充至少一名当事人的联系电话。",
}
COMPLEXITY_LABELS = {"general": "一般性", "complex": "复杂性", "difficult": "疑难性"}
LEVEL_LABELS = {1: "村（社区）", 2: "派出所", 3: "县局调解中心"}
EVENT_LABELS = {
    **{a.value: label for a, label in ACTION_LABELS.items()},
    "register": "登记",
    "supplement": "补充",
    "progress": "进展",
    "escalate": "上提",
    "revisit": "回访",
    "merge_in": "合并入",
}


def fmt_time(value: datetime | None, tz: object) -> str:
    if value is None:
        return "—"
    return value.astimezone(tz).strftime("%m-%d %H:%M")  # type: ignore[arg-type]


def parties_line(d: Dispute, p: Privacy) -> str:
    parts = []
    for party in d.parties:
        item = p.name(party.name)
        if party.phone:
            item += f"（{p.phone(party.phone)}）"
        parts.append(item)
    return "、".join(parts) or "未提供"


def colour(rules: Rules, d: Dispute) -> str:
    return f"{rules.risk.colour(d.risk)}色"


def registered_reply(d: Dispute, rules: Rules, tz: object, p: Privacy) -> str:
    cat = rules.categories.by_code(d.category).name
    lines = [
        f"✅ 已登记矛盾纠纷 {d.code}",
        f"类别：{cat}｜风险：{colour(rules, d)}",
        f"地点：{d.location or '未提供'}",
        f"当事人：{parties_line(d, p)}",
    ]
    if d.status == Status.TRANSFERRED:
        lines.append(f"已分流至{d.department}办理，民警跟踪回访。")
    else:
        lines.append(f"接单时限：{fmt_time(d.accept_by, tz)}｜办结时限：{fmt_time(d.resolve_by, tz)}")
    lines += missing_lines(d)
    return "\n".join(lines)


def missing_lines(d: Dispute) -> list[str]:
    if not d.missing:
        return []
    return [
        "待补充：" + "、".join(FIELD_LABELS.get(f, f) for f in d.missing),
        FIELD_QUESTIONS.get(d.missing[0], "") + f"（直接回复即可，或发「补充 #{d.id} 内容」）",
    ]


def supplemented_reply(d: Dispute, changed: list[str], p: Privacy) -> str:
    head = f"📎 已补充 {d.code}" + (f"：{p.text('、'.join(changed))}" if changed else "（已记录）")
    if not d.missing:
        return head + "。信息已齐全，谢谢！"
    return "\n".join([head, *missing_lines(d)])


def diverted_notice(d: Dispute, rules: Rules, department: str, tracker: str, p: Privacy) -> str:
    cat = rules.categories.by_code(d.category).name
    return "\n".join(
        [
            f"【分流】{d.code}｜{colour(rules, d)}｜{cat} → {department}",
            f"地点：{d.location or '未提供'}｜当事人：{parties_line(d, p)}",
            f"摘要：{p.free_text(d.summary)}",
            f"@{tracker} 请跟踪办理情况并按期回访。",
        ]
    )


def escalated_notice(d: Dispute, rules: Rules, level_owner: str, who: str, reason: str, p: Privacy) -> str:
    return "\n".join(
        [
            f"【上提】{d.code}｜{colour(rules, d)}｜已上提至{level_owner}（{reason}）",
            f"@{who} 请牵头化解。地点：{d.location or '未提供'}｜当事人：{parties_line(d, p)}",
            f"摘要：{p.free_text(d.summary)}",
        ]
    )


def dispatch_notice(d: Dispute, rules: Rules, tz: object, officer_name: str, p: Privacy) -> str:
    cat = rules.categories.by_code(d.category).name
    reasons = "、".join(r.split(":", 1)[-1] for r in d.reasons if r.startswith("风险:")) or "无"
    phones = "、".join(p.phone(x.phone) for x in d.parties if x.phone) or "未提供"
    return "\n".join(
        [
            f"【派单】{d.code}｜{colour(rules, d)}｜{cat}",
            f"@{officer_name} 请在 {fmt_time(d.accept_by, tz)} 前接单",
            f"地点：{d.location or '未提供'}",
            f"当事人：{parties_line(d, p)}｜电话：{phones}",
            f"摘要：{p.free_text(d.summary)}",
            f"风险依据：{reasons}",
            f"办结时限：{fmt_time(d.resolve_by, tz)}（{COMPLEXITY_LABELS[d.complexity]}）",
            f"回复「接单 #{d.id}」接单，「反馈 #{d.id} 已化解 说明」反馈结果。",
        ]
    )


def accepted_reply(d: Dispute, officer_name: str, tz: object) -> str:
    return f"👮 {officer_name} 已接单 {d.code}，请于 {fmt_time(d.resolve_by, tz)} 前化解并反馈。"


def resolved_reply(d: Dispute, revisit_days: list[int], p: Privacy) -> str:
    plan = "、".join(f"第{n}天" for n in revisit_days) or "无"
    return f"📝 {d.code} 已反馈化解：{p.free_text(d.outcome)}\n回访计划：{plan}。回访后回复「回访 #{d.id} 满意」。"


def closed_reply(d: Dispute) -> str:
    return f"🏁 {d.code} 已办结。"


def revisit_reminder(d: Dispute, seq: int, total: int, officer_name: str, p: Privacy) -> str:
    return "\n".join(
        [
            f"【回访提醒】{d.code}（第{seq}/{total}次）",
            f"@{officer_name} 请回访当事人：{parties_line(d, p)}",
            f"地点：{d.location or '未提供'}｜化解情况：{p.free_text(d.outcome)}",
            f"了解是否满意有效、是否会有反复，回复「回访 #{d.id} 满意/基本满意/不满意」，如有反复请注明「反复」。",
        ]
    )


def revisit_recorded(d: Dispute, result: str, recurred: bool, remaining: int) -> str:
    tail = (
        "纠纷出现反复，已重新交办，请继续跟进。"
        if recurred or result == "不满意"
        else (f"还有 {remaining} 次回访。" if remaining else "全部回访完成，已办结。")
    )
    return f"☎️ {d.code} 回访结果：{result}。{tail}"


def detail(d: Dispute, rules: Rules, tz: object, events: list[TimelineEvent], p: Privacy) -> str:
    category = rules.categories.by_code(d.category).name
    lines = [
        f"📋 {d.code}｜{STATUS_LABELS[Status(d.status)]}｜{colour(rules, d)}｜{category}",
        f"地点：{d.location or '未提供'}｜层级：{LEVEL_LABELS.get(d.level, str(d.level))}",
        f"当事人：{parties_line(d, p)}",
        f"责任民警：{d.assignee.name if d.assignee else '未指派'}",
        f"接单时限：{fmt_time(d.accept_by, tz)}｜办结时限：{fmt_time(d.resolve_by, tz)}",
        f"摘要：{p.free_text(d.summary)}",
    ]
    for e in events[-5:]:
        lines.append(f"· {fmt_time(e.at, tz)} {e.actor_label} {EVENT_LABELS.get(e.action, e.action)}")
    return "\n".join(lines)


HELP = "\n".join(
    [
        "可用指令（编号可写 #7、0007 或 JF-20261123-0007）：",
        "上报纠纷：直接 @我 描述事情经过、地点、当事人、电话",
        "补充 #编号 内容｜查 #编号｜我的待办",
        "民警：接单 #编号｜反馈 #编号 已化解 说明｜办结 #编号｜回访 #编号 满意",
    ]
)
NOT_UNDERSTOOD = "没有识别出矛盾纠纷或指令。上报纠纷请写明事情经过、地点和当事人；发送「帮助」查看指令。"
INTERNAL_ERROR = "抱歉，这条消息处理失败，已记录。请稍后再试，紧急情况请直接拨打110。"
