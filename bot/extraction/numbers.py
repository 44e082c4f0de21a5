"""Sums of money (三万二千元 -> 32000, 2万8 -> 28000) and head counts (十几人 -> 10, 约40名 -> 40)."""

from __future__ import annotations

import re

from bot.extraction import nlp
from bot.extraction.cues import longest_first
from bot.extraction.lexicon import CountCues

_NUM = r"(?:\d+(?:\.\d+)?|[零一二三四五六七八九十百千两几]+)[多余来]?"
# after a sum, a measure word means it is not money: 几千斤鱼, 50亩, 80多岁
_NOT_MONEY_AFTER = "斤米亩人名户个位岁年天次吨平公家栋组号辆头只条棵件分秒"
_COLLOQUIAL = re.compile(r"(\d+)万(\d)(?:千|(?![\d千百万元块]))")  # 2万8 and 3万2千 are 2.8万 and 3.2万
# 两万六, 一万二, 三千五: a spoken sum whose last digit counts the next unit down
_SPOKEN = re.compile(
    r"(?<![\d一二三四五六七八九十两几万千])([一二三四五六七八九两十]{1,3})(万|千)([一二三四五六七八九])(?![千百十万\d])"
)
# 三万六千五, 一千三百二: the same inside a longer number (the last digit counts hundreds, tens)
_TAIL = re.compile(
    r"(?<![一二三四五六七八九十两零百千万\d])([一二三四五六七八九两十零百千万]+([千百]))([一二三四五六七八九])(?![十百千万\d零])"
)
_DOWN = {"千": "百", "百": "十"}
_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# 她们十几个说, 我们仨都: a count right after a plural pronoun is people even with no noun after it
_PRONOUN_COUNT = re.compile(
    rf"(?:他们|她们|我们|俺们|咱们|你们|这些人|那些人)(?:一共|总共|有)?({_NUM})个(?=[说都也一就又还在去来要跑跟和找非坐站堵围，。！\s]|$)"
)
# 人大概有二十几个, 人数有三十来个: a count of 人 told after it
_PEOPLE_COUNT = re.compile(rf"人数?(?:大概|大约|估计|约|差不多)?(?:有)?({_NUM})个(?=[，。！,.!\s]|$)")
_RANGE = re.compile(r"^([一二三四五六七八九])([一二三四五六七八九])十")  # 三四十 is 30 to 40
# a bare number after a money verb is a sum: 要求赔5000, 张某要2000 (not a phone, a date or a count)
_BARE = re.compile(
    r"(?:赔|要|给|借|欠|差|花了|退|收了|扣了|罚|钱(?:一共|总共|共)?)"
    r"(\d{3,7}|[一二三四五六七八九两十]{1,3}[百千万][一二三四五六七八九]?)"
    r"(?![\d.号栋楼年月日天点岁个人名户亩斤米平十百千万])"
)


class Counter:
    def __init__(self, cues: CountCues) -> None:
        self.cues = cues
        units = "|".join(re.escape(u) for u in longest_first(cues.money_units))
        self._money = re.compile(
            rf"(?<![\d.])((?:约|近|共|大概)?{_NUM}(?:万{_NUM}?)?(?:千|百)?(?:{units})(?:[多余])?(?:{units})?)"
            rf"(?![多余来]?[{_NOT_MONEY_AFTER}\d])"  # not 一千 of 一千多斤
        )
        nouns = "|".join(re.escape(n) for n in longest_first(cues.person_nouns))
        persons = "|".join(re.escape(u) for u in longest_first(cues.person_units))
        self._heads = re.compile(
            rf"(?<![\d.第])(?:约|近|共|大概)?({_NUM})"
            rf"(?:(?:个|名|位|(?<=[十来多几])号)(?!月|天|年(?!轻)|星|礼|钟|小时|半|多)(?:[^，。；的]{{1,6}}?(?:过来|出来|来)的)?"
            rf"(?:(?![的了和与在])[\u4e00-\u9fa5]){{0,3}}?(?:{nouns}|[{cues.person_suffixes}])|(?:{persons}))"
        )
        self._vague = sorted(cues.vague.items(), key=lambda kv: len(kv[0]), reverse=True)

    def amount(self, text: str) -> int | None:
        """The largest sum of money in yuan (docs/extraction-labelling.md: the sum in dispute, the largest if
        several), rounded down to a whole yuan; vague sums (几千, 上万) and unit prices (每亩800) are not taken."""
        text = _COLLOQUIAL.sub(lambda m: f"{m.group(1)}.{m.group(2)}万", text)
        text = _SPOKEN.sub(self._spoken, text)
        text = _TAIL.sub(self._tail, text)
        spans = [(m.start(1), m.group(1)) for m in self._money.finditer(text)]
        spans += [(m.start(1), m.group(1) + "元") for m in _BARE.finditer(text)]
        values: list[int] = []
        for start, raw in sorted(spans, key=lambda s: (s[0], -len(s[1]))):  # the whole of 一千三百二十
            if not re.search(r"[万千元块]", raw):
                continue
            before = text[max(0, start - 6) : start]
            if any(w in before for w in self.cues.unit_price):
                continue
            digits = raw.lstrip("约近共大概")
            if digits[0] in "几上多余来" or not re.search(r"[\d一二三四五六七八九两十几]", digits):
                continue  # 几千到上万不等, 千万不要: nobody said how much
            value = self._parse(digits)
            if value is not None and value >= self.cues.min_amount:
                values.append(int(value))
        return max(values, default=None)

    def head_count(self, text: str) -> int | None:
        """The largest number of people named (十几个人 -> 10, 几十名 -> 20); one person is not a count."""
        best: int | None = None
        for m in [*self._heads.finditer(text), *_PRONOUN_COUNT.finditer(text), *_PEOPLE_COUNT.finditer(text)]:
            raw = m.group(1)
            value = self._vague_value(raw)
            if value is None:
                if raw[0] in "几多余来" or raw.startswith("好几"):
                    continue
                parsed = nlp.parse_number(raw.rstrip("来"))  # 二十来个人: about twenty
                value = int(parsed[0]) if parsed else None
            if value is not None and value >= 2 and (best is None or value > best):
                best = value
        return best

    @staticmethod
    def _spoken(m: re.Match[str]) -> str:
        head = nlp.parse_number(m.group(1))
        if head is None:
            return m.group(0)
        return f"{int(head[0])}.{_DIGIT[m.group(3)]}{m.group(2)}"

    @staticmethod
    def _tail(m: re.Match[str]) -> str:
        """一千三百二 -> 1320 (in digits, so that what follows, 一直没给, is not read as more of it)."""
        parsed = nlp.parse_number(m.group(1) + m.group(3) + _DOWN[m.group(2)])
        return str(int(parsed[0])) if parsed else m.group(0)

    def _vague_value(self, raw: str) -> int | None:
        r = _RANGE.match(raw)
        if r:
            return _DIGIT[r.group(1)] * 10
        for word, value in self._vague:
            if raw.startswith(word):
                return value
        return None

    def _parse(self, raw: str) -> float | None:
        cleaned = re.sub(r"(块钱|块|元)+$", "", raw) or raw
        cleaned = re.sub(r"(?<=[十百千万])来(?=[万千百]?$)", "", cleaned)  # 十来万: about 100000 (lower bound)
        parsed = nlp.parse_number(cleaned)
        return parsed[0] if parsed else None
