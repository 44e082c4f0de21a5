"""Masking (DOMAIN.md §9): one place decides what a resident group may see; logs never hold phones or IDs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
# a mobile typed or dictated digit by digit, a space or dash anywhere between them (1 8 7 0 0 0 0 5 3 9 6), or read
# out in Chinese digits (一八九 零零零零 三六七一; 幺 is how people say 1 on the phone): exactly eleven digits
_GAP = r"[ \u00a0\-—]?"
SPACED_MOBILE = re.compile(rf"(?<![\d\-])1{_GAP}[3-9](?:{_GAP}\d){{9}}(?![\d])")
_CN_DIGIT = "零〇一二三四五六七八九幺"
SPOKEN_MOBILE = re.compile(
    rf"(?<![{_CN_DIGIT}两十百千万])[一幺]{_GAP}[三四五六七八九](?:{_GAP}[{_CN_DIGIT}]){{9}}(?![{_CN_DIGIT}十百千万])"
)
SPOKEN_DIGITS = str.maketrans("零〇一幺二三四五六七八九", "001123456789")
_LANDLINE = re.compile(r"(?<!\d)[(（]?(0\d{2,3})[)）]?[ -]?(\d{3,4})[ -]?(\d{4})(?!\d)")
# full-width digits and Latin letters (１３７…) as ASCII, one character for one, so no number hides behind them
HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF5B) if chr(cp).isalnum()}
_NON_NAME_SUFFIXES = (
    "某",
    "某某",
    "女士",
    "先生",
    "阿姨",
    "大爷",
    "大妈",
    "老汉",
    "师傅",
    "大姐",
    "大哥",
    "老板",
)
# the Han two-character surnames (复姓), so 欧阳某 not 欧某; the extractor reads names with the same list
COMPOUND_SURNAMES = (
    *("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐", "司徒", "夏侯", "尉迟", "公孙", "申屠", "濮阳"),
    *("闻人", "淳于", "钟离", "单于", "百里", "长孙", "宇文", "轩辕", "端木", "南宫", "西门", "呼延", "赫连", "澹台"),
    *("公冶", "宗政", "拓跋", "独孤", "东郭", "左丘", "万俟", "太史", "第五", "司空", "仲孙", "夹谷", "乐正", "梁丘"),
)


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-2:]}"
    return "****"


def mask_name(name: str) -> str:
    """张三 -> 张某; names already written as 张某, 王女士, 陈阿姨 stay as they are."""
    name = name.strip()
    if not name or name.endswith(_NON_NAME_SUFFIXES) or not _is_chinese(name):
        return name if name and _is_chinese(name) else "某人"
    surname = next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[0])
    return f"{surname}某"


def _is_chinese(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def scrub(text: str) -> str:
    """Mask every phone number and drop every ID number found in free text."""
    text = _ID_NUMBER.sub("[身份证号已隐藏]", text.translate(HALF_WIDTH))
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = SPACED_MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
    text = SPOKEN_MOBILE.sub(lambda m: mask_phone(m.group(0).translate(SPOKEN_DIGITS)), text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)


def mask_names(text: str, names: Iterable[str]) -> str:
    """Replace every known full name in free text by its masked form (longest names first)."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        masked = mask_name(name)
        if masked != name:
            text = text.replace(name, masked)
    return text


class Privacy:
    """How names, phones and ID numbers are shown to one audience; `names` are the real names that free text
    (summaries, outcomes, notes) may contain and that a masked audience must not see."""

    def __init__(self, masked: bool, names: Iterable[str] = ()) -> None:
        self.masked = masked
        self.names = tuple(names)

    def with_names(self, names: Iterable[str]) -> Privacy:
        return Privacy(self.masked, [*self.names, *names])

    def name(self, name: str) -> str:
        return mask_name(name) if self.masked else name

    def phone(self, phone: str) -> str:
        return mask_phone(phone) if self.masked else phone

    def id_number(self, value: str) -> str | None:
        return None if self.masked else value

    def text(self, text: str) -> str:
        return scrub(mask_names(text, self.names)) if self.masked else text

    def free_text(self, text: str | None) -> str:
        """Summaries, outcomes and notes may name anyone: a masked audience does not get them at all."""
        if self.masked:
            return "（详情仅民警可见）"
        return text or "—"


FULL = Privacy(masked=False)
MASKED = Privacy(masked=True)


class RedactingFilter(logging.Filter):
    """Rewrites every log record so that phones and ID numbers never reach a log sink in clear."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info:
            record.exc_text = scrub(record.exc_text or logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    if not any(isinstance(f, RedactingFilter) for f in target.filters):
        target.addFilter(RedactingFilter())
