"""The default rule extractor: category and risk cues from config, patterns for places, people and phones."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import SHANGHAI
from bot.extraction.types import REQUIRED_FIELDS, Extraction
from config.rules import Rules

_PREFIX = re.compile(r"^\s*(?:@\S+\s*)*(?:【[^】]{0,12}】|\[[^\]]{0,12}\]|报告[:：]?|上报[:：]?)\s*")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-(\d{7,8})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
# The common surnames (百家姓 as used today); a party is a surname plus 某/某某/女士/阿姨 ... as written.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄"
    "窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND = "欧阳|司马|上官|诸葛|东方|皇甫|慕容|令狐|司徒|夏侯"
_PARTY = re.compile(
    rf"((?:{_COMPOUND}|[{SURNAMES}])(?:某某|某|女士|先生|阿姨|大爷|大妈|老汉|师傅|大姐|大哥|老太|奶奶|爷爷|婶|叔))"
)
_PLACE = re.compile(
    r"((?:[\u4e00-\u9fa5]{2,8}?(?:镇|乡|街道))?[\u4e00-\u9fa5]{1,8}?"
    r"(?:村|社区|小区|花园|苑|庄园|市场|工地|医院|卫生院|学校|广场|公司|厂)"
    r"(?:[0-9一二三四五六七八九十]+(?:组|栋|号楼|单元|幢|号))*)"
)
_ROAD = re.compile(r"([\u4e00-\u9fa5]{1,6}(?:路|街|大道)(?:与[\u4e00-\u9fa5]{1,6}(?:路|街|大道)交叉口|\d+号)?)")
_DISPUTE_WORDS = (
    "纠纷",
    "矛盾",
    "争执",
    "争吵",
    "吵架",
    "吵起来",
    "打架",
    "打起来",
    "动手",
    "闹",
    "扯皮",
    "冲突",
    "不给",
    "拖欠",
    "索要",
    "讨要",
    "赔偿",
    "不还",
    "堵",
    "对峙",
    "威胁",
    "扬言",
    "投诉",
    "不满",
)
_NOT_REPORT = ("无异常", "未发现", "会议", "通知", "请问", "怎么办理", "谢谢", "收到")
_DAY_WORDS = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "昨晚": -1, "前天": -2, "今早": 0, "今晚": 0}
_PERIOD_OFFSET = {"凌晨": 0, "早上": 0, "上午": 0, "中午": 12, "下午": 12, "傍晚": 12, "晚上": 12, "晚": 12}
_TIME = re.compile(
    r"(今天|今日|昨天|昨日|昨晚|前天|今早|今晚)(凌晨|早上|上午|中午|下午|傍晚|晚上)?(?:(\d{1,2}|[一二三四五六七八九十]{1,3})[点时])?"
)
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_small(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS.get(text[1:], 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS.get(tens, 0) * 10 + _CN_DIGITS.get(ones, 0)
    return _CN_DIGITS.get(text, 0)


def summarize(body: str, limit: int = 80) -> str:
    """The first sentences of the report, up to `limit` characters, cut at a sentence end where possible."""
    if len(body) <= limit:
        return body
    cut = max(body.rfind(p, 0, limit) for p in "。！!？?；;")
    return body[: cut + 1] if cut > 10 else body[:limit] + "…"


def id_checksum_ok(value: str) -> bool:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    if not re.fullmatch(r"\d{17}[\dXx]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17].upper()


class RuleExtractor:
    """Deterministic, fast and editable: every cue it uses lives in config/rules."""

    def __init__(self, rules: Rules, tz: ZoneInfo = SHANGHAI) -> None:
        self.rules, self.tz = rules, tz
        self._keywords = [(c.code, kw) for c in rules.categories.categories for kw in c.keywords]

    def extract(self, text: str, sent_at: datetime, area: str | None = None) -> Extraction:
        body = _PREFIX.sub("", text).strip()
        phones = self._phones(body)
        id_numbers = [m.group(1).upper() for m in _ID_NUMBER.finditer(body) if id_checksum_ok(m.group(1))]
        scores: dict[str, int] = {}
        reasons: list[str] = []
        for code, kw in self._keywords:
            if kw in body:
                scores[code] = scores.get(code, 0) + len(kw)
        has_dispute_word = any(w in body for w in _DISPUTE_WORDS)
        is_dispute = bool(scores or has_dispute_word) and not (
            any(w in body for w in _NOT_REPORT) and not has_dispute_word
        )
        if not is_dispute:
            return Extraction(is_dispute=False, phones=phones)
        category = max(scores, key=lambda c: scores[c]) if scores else self.rules.categories.default
        if scores:
            reasons.append(f"类别:{self.rules.categories.by_code(category).name}")
        risk = "low"
        for level in ("high", "medium"):
            fired = [cue for cue in getattr(self.rules.risk, level) if cue in body]
            if fired:
                risk = level
                reasons.extend(f"风险:{cue}" for cue in fired)
                break
        location = self._location(body) or area
        parties = list(dict.fromkeys(m.group(1) for m in _PARTY.finditer(body)))
        result = Extraction(
            is_dispute=True,
            category=category,
            risk=risk,
            location=location,
            parties=parties,
            phones=phones,
            id_numbers=id_numbers,
            occurred_at=self._occurred_at(body, sent_at.astimezone(self.tz)),
            summary=summarize(body),
            reasons=reasons,
        )
        result.missing = [f for f in REQUIRED_FIELDS if not getattr(result, f)]
        return result

    @staticmethod
    def _phones(body: str) -> list[str]:
        found = [m.group(1) + m.group(2) + m.group(3) for m in _MOBILE.finditer(body)]
        found += [f"{m.group(1)}-{m.group(2)}" for m in _LANDLINE.finditer(body)]
        return list(dict.fromkeys(found))

    @staticmethod
    def _location(body: str) -> str | None:
        m = _PLACE.search(body) or _ROAD.search(body)
        return m.group(1) if m else None

    @staticmethod
    def _occurred_at(body: str, sent_at: datetime) -> datetime | None:
        if "刚才" in body or "刚刚" in body:
            return sent_at
        m = _TIME.search(body)
        if not m:
            return None
        day = (sent_at + timedelta(days=_DAY_WORDS[m.group(1)])).replace(minute=0, second=0, microsecond=0)
        period = m.group(2) or ("晚上" if m.group(1) in ("昨晚", "今晚") else None)
        if m.group(3):
            hour = _cn_small(m.group(3))
            if period and hour < 12:
                hour += _PERIOD_OFFSET[period]
            return day.replace(hour=hour % 24)
        default_hour = {"凌晨": 3, "早上": 8, "上午": 9, "中午": 12, "下午": 15, "傍晚": 18, "晚上": 20}
        return day.replace(hour=default_hour.get(period or "", 0))
