"""Follow-ups that name a record: #0007, #7, JF-20261118-0031 (with or without the # and the dashes), 纠纷7号,
纠纷第56号, 27号纠纷, 编号0045."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.extraction import contacts
from bot.mentions import LEADING_MENTIONS

_FULL = re.compile(r"(?<![A-Za-z0-9])#?\s?JF-?(\d{8})-?(\d{1,6})(?!\d)", re.I)
_HASH = re.compile(r"(?<![0-9A-Za-z])[#＃]\s?(\d{1,6})(?![\d#＃])")  # not 3#楼 (building 3), not a #话题#
_SPOKEN = re.compile(
    r"(?:纠纷|编号|单号)\s?第?(\d{1,6})\s?号?(?!\d)|(?<![\d月])第?(\d{1,6})号纠纷"
    r"|(?<![0-9A-Za-z-])(0\d{2,5})号(?![楼院房室床线车\d])"  # a record's zero-padded number: 报告0003号：…, 0066号那个…
)
_NAMED = ("编号", "单号")  # a code named as such (编号0045嗰单): a follow-up wherever it stands
# what people write right after a record's code (补充：…, 进展 …): a code named after the matter adds to it
# when 补充 (or the like) follows, or, for 纠纷23号, a comma or colon
_ADDING = re.compile(r"[\s:：,，]*(?:补充|进展|更新|反馈|跟进)")
_ADDS = re.compile(rf"^(?:{_ADDING.pattern})?[\s:：,，]*")  # what to take off after the code
_SPOKEN_APART = re.compile(r"[，,：:]")
_MENTIONS = LEADING_MENTIONS  # the bot's and officers' @-names before the code
# and what may come before it still at the start: 回访：27号纠纷…, 关于编号0045嗰单
_LEADING = re.compile(rf"{_MENTIONS.pattern}(?:(?:回访|关于|补充|进展|跟进|更新|反馈|报告)[\s:：]*)?")
# a code pointed at as the matter's own, wherever it stands: 车库那个#2，…; 打架那个，登记的是#0041，…
_REGISTERED = r"登记的?是|登记为|登记号|编号是|单号是"
_POINTED = re.compile(rf"(?:那个|那件|那起|那单|那宗|{_REGISTERED})[\s:：,，]*$")
_REGISTERED_END = re.compile(rf"[\s:：,，]*(?:{_REGISTERED})[\s:：,，]*$")  # taken off what came before the code


@dataclass(frozen=True)
class CodeRef:
    number: int  # the record's sequence number: 31 for JF-20261118-0031
    day: str | None = None  # YYYYMMDD when the full code was written
    text: str = ""  # as written
    start: int = 0  # where in the message

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def code(self) -> str:
        """The number as records show it: 0031."""
        return f"{self.number:04d}"


@dataclass(frozen=True)
class FollowUp:
    ref: CodeRef
    phones: list[str] = field(default_factory=list)
    rest: str = ""  # the message without the code, for the record's timeline


def find_code_ref(text: str) -> CodeRef | None:
    """The first record code named in a message, or None. A full code wins over a bare #number."""
    m = _FULL.search(text)
    if m:
        return CodeRef(int(m.group(2)), m.group(1), m.group(0), m.start())
    for pattern in (_HASH, _SPOKEN):
        m = pattern.search(text)
        if m:
            return CodeRef(int(next(g for g in m.groups() if g)), None, m.group(0), m.start())
    return None


def is_follow_up(text: str) -> bool:
    """The message adds to a record it names (follow_up says how)."""
    return _follow_up_ref(text) is not None


def _follow_up_ref(text: str) -> CodeRef | None:
    """The record code that makes the message a follow-up."""
    ref = find_code_ref(text)
    if ref is None:
        return None
    leading = ref.start <= _matched(_LEADING, text) + 1
    hashed = ref.text.lstrip().startswith(("#", "＃"))
    spoken = not hashed and ref.day is None
    adding = _ADDING.match(text, ref.end) or (spoken and _SPOKEN_APART.match(text, ref.end))
    pointed = _POINTED.search(text, 0, ref.start) is not None
    if not (leading or pointed or adding) and ref.day is None and not ref.text.startswith(_NAMED):
        return None  # 派单 #1 is a verb the bot does not know; 上次纠纷7号那家又吵起来了 is a new quarrel
    return ref


def follow_up(text: str) -> FollowUp | None:
    """A message that adds to a named record, or None: one that starts with a record's code (#0007 补充：…,
    纠纷7号…), or names it later by its full code (恒达建材厂韩某那个事，JF-20270605-0022 补充：…), by # and 补充 or
    反馈 (红杞园那个 #0052 补充：…), by 编号0045, or as 纠纷23号 set apart by commas
    (分地那个，纠纷23号，乡司法所再调一次), or pointed at as the matter's own (车库那个#2，…; 登记的是#0041);
    回访 or 关于 before a code still starts the message (回访：27号纠纷…).
    A bare 纠纷7号 inside a sentence is not enough. The rest is the message without the
    code and the 补充 after it, what came before it kept (it says which matter)."""
    ref = _follow_up_ref(text)
    if ref is None:
        return None
    after = text[ref.end :]
    after = after[_matched(_ADDS, after) :]
    before = "" if ref.start <= _matched(_MENTIONS, text) + 1 else text[: ref.start]
    before = _REGISTERED_END.sub("", before).strip(" ：:,，")
    before = "" if before in ("报告", "上报") else before  # 报告0003号： heads the message, it says nothing
    rest = "，".join(p for p in (before, after.strip(" ：:,，")) if p)
    _ids, id_spans = contacts.id_numbers(rest)
    return FollowUp(ref, contacts.phones(rest, id_spans), rest)


def _matched(pattern: re.Pattern[str], text: str) -> int:
    """Where a pattern that may match nothing ends at the start of the text."""
    m = pattern.match(text)
    return m.end() if m else 0
