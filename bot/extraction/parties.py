"""Parties as written in reports: 张某, 李某某, 赵某甲, 王女士, 陈阿姨, and organisations such as 某建筑公司."""

from __future__ import annotations

import re

from bot.extraction import nlp
from bot.extraction.cues import longest_first
from bot.extraction.lexicon import PartyCues
from bot.privacy import COMPOUND_SURNAMES

# 百家姓 (the Song-dynasty list, as jionlp also ships it) plus common surnames it lacks (闫, 佘 ...).
SURNAMES = "".join(
    dict.fromkeys(
        "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌"
        "马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄和穆萧尹姚邵"
        "湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏"
        "蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄"
        "曲封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙"
        "叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍郤璩桑桂"
        "濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙"
        "东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查後荆红游竺权逯盖益桓公"
        "仉督晋楚闫法汝鄢涂钦归海岳帅缑亢况后有琴商牟佘佴伯赏墨哈谯笪年爱阳佟言福付覃邝苑迟"
        "肖苟芦兰练谌仝麦卿冼粟庹揭矫禤隋邸檀郄"
    )
)
_LONGER_NAME = ("公司", "有限", "集团", "园", "城", "中心")  # what may follow a trade word in a longer name
_CJK = re.compile(r"^[\u4e00-\u9fa5]+$")
_GLUE = "的在和与被把给说是了也都就还跟同对向从某找去到"  # never inside an organisation's name
_FUNCTION = set("和在与被给向对把跟同从到是了的个家让找")  # 和某公司: 和 is a word here, not a surname
_NOT_NAME = ("v", "p", "c", "d", "r", "u", "m", "t", "q", "f", "y", "e")
_GLUE_TAGS = ("v", "p", "c", "u", "d", "r")
_NOT_FORMAL = ("p", "c", "d", "r", "u", "m", "t", "q", "y", "e")
# surnames that are mostly function words: 和老太太, 有大爷, 那老头 name nobody (和某 still may)
_FUNCTION_SURNAMES = set("和有那能都时于向从后应")
# a name masked after a first character no surname list holds (吐某某, 买某, 帕某某: Uyghur, Kazakh, Tibetan, Yi
# names are masked by their first syllable's character): any character that is a word of its own, save these
_MASKED = re.compile(r"([\u4e00-\u9fa5])(某某|某[甲乙丙丁]|某)")
_NOT_INITIAL = set("这那每各一有是个该本原其此某及或且又也都就才将已曾再还")


def _word_starts(text: str) -> set[int]:
    starts, pos = set(), 0
    for word in nlp.segment(text):
        starts.add(pos)
        pos += len(word)
    return starts


class PartyFinder:
    def __init__(self, cues: PartyCues, generic: set[str] | None = None) -> None:
        self._generic = generic or set()  # trade words (装修, 物流) that do not name a company on their own
        titles = "|".join(re.escape(t) for t in longest_first(cues.titles))
        compound = "|".join(longest_first([*COMPOUND_SURNAMES, *cues.surnames]))
        self._person = re.compile(rf"(({compound}|[{SURNAMES}])(?:{titles}))")
        org = "|".join(re.escape(s) for s in longest_first(cues.org_suffixes))
        self._some_org = re.compile(rf"某(?:(?![{_GLUE}])[\u4e00-\u9fa5]){{0,6}}?(?:{org})")
        self._named_suffixes = longest_first([*cues.named_org_suffixes, *cues.trade_org_suffixes])
        self._org_stop = set(cues.org_stop)
        # a word ending in a suffix or an area word (红星社区物业) ends the name; one ending in a function word of
        # the stop list does not (祥和物业: 和 ends 祥和 but is no conjunction there)
        self._org_ends = tuple(
            [
                *cues.named_org_suffixes,  # not the trades: 瑞丰装饰公司 is one name
                *(w for w in cues.org_stop if len(w) > 1 or not nlp.word_tag(w).startswith(_GLUE_TAGS)),
            ]
        )
        self._formal = set(cues.formal_org_suffixes)
        self._officers = tuple(cues.officers)
        self._nickname = (
            re.compile(
                rf"(?<!得)(?:{'|'.join(map(re.escape, cues.nickname_prefixes))})[{cues.nickname_surnames}]"
                rf"(?=[{re.escape(cues.nickname_followers)}]|$)"
            )
            if cues.nickname_prefixes and cues.nickname_surnames
            else None
        )

    def find(self, text: str) -> list[str]:
        found: list[tuple[int, str]] = []
        taken: list[tuple[int, int]] = []
        starts = _word_starts(text)  # a surname starts a jieba word: 边 of 旁边某公司 is not one
        for m in self._some_org.finditer(text):
            at = m.start() - 1
            if at >= 0 and text[at] in SURNAMES and at in starts and text[at] not in _FUNCTION:
                continue  # 吴某合伙开小店: 吴某 is a person
            found.append((m.start(), m.group(0)))
            taken.append(m.span())
        for start, name in self._named_orgs(text):
            if not any(s <= start < e for s, e in taken):
                found.append((start, name))
                taken.append((start, start + len(name)))
        for m in self._person.finditer(text):
            if any(s <= m.start() < e or s == m.end(2) for s, e in taken):
                continue  # inside an organisation, or the 某 of 某超市 after 和/在
            if (m.start() > 0 and text[m.start() - 1] == "某") or m.start() not in starts:
                continue  # the 某 of 某某某 written by a careless hand; 旁边某 is no 边某
            if text[m.start()] in _FUNCTION_SURNAMES and not m.group(1)[1:].startswith("某"):
                continue  # 和老太太吵架: 和 is "and", not a surname
            if len(m.group(1)) - len(m.group(2)) == 1 and nlp.word_tag(m.group(1)) != "x":
                continue  # 陈生, 黎姨 are people; 卫生, 花生, 师生 are words
            found.append((m.start(), m.group(1)))
        for m in self._nickname.finditer(text) if self._nickname else ():
            officer = text[max(0, m.start() - 3) : m.start()].endswith(self._officers)  # 民警小陈 is not a side
            called = m.start() == 0 and m.end() < len(text) and text[m.end()] in "，,！!"  # 老李，你…: spoken to
            if m.start() in starts and not officer and not called and not any(s <= m.start() < e for s, e in taken):
                found.append((m.start(), m.group(0)))  # 老刘, 小陆: not the 老 of 养老钱
        for m in _MASKED.finditer(text):
            initial, at = m.group(1), m.start()
            if initial in SURNAMES or initial in _FUNCTION or initial in _NOT_INITIAL or initial in _GLUE:
                continue  # a surname the pattern above judged; 和某, 这某 are no names
            if any(s < at < s + len(name) for s, name in found):
                continue  # the 克 of 吉克某某: inside a name the pattern above found (a two-character surname)
            if at not in starts or at + 1 not in starts or any(s <= at < e for s, e in taken):
                continue  # the character must be a word of its own (职工/买/某某), outside an organisation
            found.append((at, m.group(0)))
        found.sort()
        return list(dict.fromkeys(name for _, name in found))

    def _named_orgs(self, text: str) -> list[tuple[int, str]]:
        """锦华物业, 龙泉物业公司: jieba words before the suffix make the name; no place, no verb."""
        out: list[tuple[int, str]] = []
        for suffix in self._named_suffixes:
            start = text.find(suffix)
            while start >= 0:
                if text.startswith(_LONGER_NAME, start + len(suffix)):
                    start = text.find(suffix, start + len(suffix))
                    continue  # 瑞丰装饰公司, 鑫港物流园: the trade word is inside a longer name
                name = self._name_before(text, start, formal=suffix in self._formal)
                if name:
                    out.append((start - len(name), name + suffix))
                start = text.find(suffix, start + len(suffix))
        return out

    def _name_before(self, text: str, end: int, formal: bool) -> str:
        window = text[max(0, end - 8) : end]
        words = nlp.segment(window)
        kept: list[str] = []
        for idx in range(len(words) - 1, -1, -1):
            word = words[idx]
            if word in self._org_stop or not _CJK.match(word) or "某" in word:
                break
            if word.endswith(self._org_ends):
                break  # 红星社区物业: the community's management office, not a named company
            if formal and nlp.word_tag(word).startswith(_NOT_FORMAL):
                break  # 茶农们今天又跑到合作社: a registered name takes verbs (种植, 养殖), not times or pronouns
            if word not in self._generic and not formal and nlp.word_tag(word).startswith(_NOT_NAME):
                left = words[idx - 1] if idx else ""
                # a one-character word that jieba misreads, inside a name or opening the message (正祥物业涨价)
                opening = not idx and end == len(window) and len(kept) == 1 and len(kept[0]) == 1
                one_char = len(word) == 1 and (_CJK.match(left) or opening) and not nlp.word_tag(word).startswith("v")
                if not one_char or left in self._org_stop or nlp.word_tag(left).startswith(_NOT_NAME):
                    break  # 因为物业, 业主拒交物业, 两年物业; but 家 of 美好家装修公司 is part of the name
            kept.append(word)
        if all(w in self._generic for w in kept):
            return ""  # 物流公司: a trade, not a name
        name = "".join(reversed(kept))
        return name if len(name) >= 2 else ""
