"""Parsing typed officer commands: forgiving of spacing, full-width characters and code spellings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.extraction.refs import follow_up
from bot.mentions import LEADING_MENTIONS

# verb -> canonical verb; longer spellings first so 补充 does not shadow anything shorter
VERBS: dict[str, str] = {
    "我的待办": "我的待办",
    "待办": "我的待办",
    "接单": "接单",
    "反馈": "反馈",
    "办结": "办结",
    "结案": "办结",
    "转派": "转派",
    "分流": "分流",
    "上提": "上提",
    "转案件": "转案件",
    "撤销": "撤销",
    "合并": "合并",
    "定级": "定级",
    "补充": "补充",
    "进展": "补充",
    "回访": "回访",
    "查询": "查",
    "查": "查",
    "帮助": "帮助",
    "help": "帮助",
    "答复": "答复",
}
_VERB_RE = re.compile("|".join(re.escape(v) for v in sorted(VERBS, key=len, reverse=True)), re.IGNORECASE)
_CODE = re.compile(r"(?:#\s*|JF-?\d{8}-?|编号\s*|纠纷\s*|第)?0*(\d{1,9})(?!\d)(?:号纠纷|号)?", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    verb: str
    number: int | None
    args: str


# Full-width ASCII letters, digits, '#', '-', '@' and the ideographic space fold to half-width; Chinese
# punctuation (，：。) stays as people wrote it, because the arguments are kept verbatim in the record.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp - 0xFEE0).isalnum() or chr(cp - 0xFEE0) in "#-@+"}
_FOLD[0x3000] = 0x20


def normalize(text: str) -> str:
    """Fold full-width letters, digits, '#' and spaces to half-width; collapse runs of whitespace."""
    return re.sub(r"[ \t\r\n]+", " ", text.translate(_FOLD)).strip()


def parse_command(text: str) -> Command | None:
    body = LEADING_MENTIONS.sub("", normalize(text))
    m = _VERB_RE.match(body)
    if not m:
        fu = follow_up(body)
        if fu:  # "#0007 对方电话…", "JF-20261118-0031：…", "韩某那个事，#22 补充：…" add to that record
            return Command(verb="补充", number=fu.ref.number, args=fu.rest)
        return None
    verb = VERBS[m.group(0).lower()]
    rest = body[m.end() :].lstrip(" :：,，")
    number = None
    cm = _CODE.match(rest)
    if cm:
        number = int(cm.group(1))
        rest = rest[cm.end() :]
    return Command(verb=verb, number=number, args=rest.strip(" :：,，"))


def format_code(number: int, reported_on: str) -> str:
    return f"JF-{reported_on}-{number:04d}"
