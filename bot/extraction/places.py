"""The place of a dispute: a named venue, a village or compound with its 组/栋/门, or a road, normalised."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.extraction import nlp
from bot.extraction.cues import CLOSING_QUOTES, OPENING_QUOTES, REGEX_PREFIX, alternation, longest_first
from bot.extraction.lexicon import BUILDINGS, DEFAULT_ZONES, GROUPS, NUMBERED, PlaceCues

_CN_NUM = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERIC = r"(?:\d+|[一二三四五六七八九十两]+)"
# a junction (与解放路交叉口; 与福慧路口, where the second road's 路 is the 路 of 路口), a number, a stretch
_ROAD_DETAIL = re.compile(
    r"(?:[与和同跟][\u4e00-\u9fa5]{1,6}?(?:路|街|大道)?)?(?:交叉口|十字路口|路口|交界处?|交汇处)|路段"
    # a house number, and its floor or room (大坪正街112号4楼, 龙津西路38号302)
    r"|\d+号院?(?:\d{1,2}楼(?![上下顶道梯房\d])|\d{3,4}室?(?![\d多户人名个元块万]))?"
)
_NAME_WORD = re.compile(r"^(?:[\u4e00-\u9fa5]+|\d+)$")
_GLUE_END = "到在去进往向从把被给着过说"  # a word ending in one of these is a verb phrase, not a name
_TIME_HEADS = ("今", "昨", "前天", "明天", "上午", "下午", "中午", "晚上", "早上", "凌晨", "傍晚")
_VERBISH = ("v", "p", "c", "d", "r", "u", "y", "e", "o", "t", "q", "m")
_WEAK_POS = ("v", "p", "c", "d", "r", "u", "y", "e", "o", "m", "q", "t")
# national/provincial/county/village road codes: G320杉木冲段, X012线杉树湾段, S208石牯段与X015交叉口
_ROAD_CODE = re.compile(
    r"(?<![A-Za-z0-9])[GSXYZC]\d{3}(?:线|国道|省道|县道|乡道)?"
    r"(?:[\u4e00-\u9fa5]{1,6}?(?:到|至)?[\u4e00-\u9fa5]{0,5}?(?:段|场口|路口|交叉口))?(?:与[GSXYZC]\d{3}(?:线)?交叉口)?"
)
_INSIDE = re.compile(
    r"(的|里|里的|内|内的|门口的?|旁边的?|对面的?|底商的?|楼下的?|上的?|边的?|外的?|附近的?|隔壁的?|(后|前)(头|面|边)的?"
    r"|[东西南北](头|边)的?|\s)?(那间|那家|这间|这家|那个|这个|彼间|嗰间|嗰个|嗰家)?"
)
_SCENE = re.compile(r"门口|大厅|大院|院里|里面|静坐|聚集|闹|吵|打|堵|围|横幅|跪|躺|不走")
# what puts a part named apart from its area at the scene, besides a _SCENE word after it: someone there now, doing
# something (在北门那里转来转去, 现在在村委会拿着一瓶农药), or a quarrel carried there (吵到村委会来了)
_THERE_NOW = re.compile(r"那里|这里|那儿|这儿|拿着|举着|坐着|站着|蹲着|守着|转来转去|转悠")
_CARRIED_TO = re.compile(r"(吵|闹|打|骂)到$")
# a time before a part is no name it belongs to (上个月村口那起…); a part followed by mediation was only gone to
_WHEN = re.compile(r"(上|下|这|那)个?(月|礼拜|星期|周)|(前|昨|今|明)(天|晚|早)|去年|前年|今年")
_COMMON_TAGS = {"n", "vn", "f", "m", "q", "mq", "s", "eng", "x"}  # jieba's tags of common words and numbers
_UNIT_CHARS = set("区楼号栋幢座层室床口库")  # after a number or a word: 3号库, B栋, 猪肉区, 4楼
_NEIGHBOURING = ("隔壁", "对面", "邻村", "旁边的", "隔壁的", "对面的")  # a part of the place next door
_GONE_TO = re.compile(r"调解|调了|调过|协商|商量|谈了|谈过|开会|说理|评理")
# a building named as where a side lives: 8栋的孙某, 3号楼的住户
_LIVES_THERE = re.compile(
    r"的[\u4e00-\u9fa5]{1,3}?(某|女士|先生|阿姨|大爷|大妈|老太|老汉|老头|师傅|大姐|大哥)|的(住户|业主|租户|那家|那户|那个)"
)
# what a business that is a side does or has done to it, right after or before its name
_SIDE_AFTER = re.compile(
    r"(的?(老板|老板娘|负责人|经理|店主|厂长|工作人员|方面|那边))?[^，。；！？]{0,2}?"
    r"(说|讲|称|不|没|拖|扣|只|一直|欠|拒|却|还|就|给|要|坚持|认为|表示|推|收了|赔|卖|私自|擅自)"
)
_SIDE_BEFORE = re.compile(r"(跟|和|与|找|告|投诉|对|同|向|问|起诉|举报)[^，。；]{0,2}$")
# a business right before one of these is where strangers quarrel (金樽KTV门口两拨人打起来了, 羊肉馆里两桌客人,
# 大排档有两围客), not a side
_SCENE_AFTER = re.compile(
    r"门口|门前|包房|包间|二楼|楼上|里面|大厅|外面|旁边|附近|场部|路口|里|有[一两二三四五六七八九十几]"
)
# the area words both regular expressions below know, each adding its own; the zones (named by their town or not:
# 高新区瑞达锂电) are extraction.yaml's `places.zones`, and these defaults are the labelling guide's
_AREA_WORDS = "社区|村|镇|街道|小区"


def _in_area(zones: str) -> re.Pattern[str]:
    """An area written before a business's name (阳光社区张记饭店, 园区里永盛包装, 石岭子村东头鑫源化工): the business
    is named without it."""
    areas = f"{_AREA_WORDS}|{zones}"
    return re.compile(rf"^(?:.{{2,10}}?({areas}|市场|广场|[路街道]\d*号?)|{zones})(口|里|[东西南北]?头)?(?=.{{3,}})")


# where a quarrel happens, not who it is with (on a site, the side is the builder, named apart)
_PUBLIC = {
    *("市场", "菜市场", "菜市", "菜场", "集市", "夜市", "巴扎", "广场", "公园", "车站", "码头", "工地", "圩", "墟"),
    *("小学", "中学", "学校", "幼儿园"),
    *("祠堂", "宗祠", "祖厝", "庙", "寺"),  # a clan's hall or a temple: where a clan quarrels
}
# named alone in a labour or consumer report, a venue is a side when it is a business with a name of its own:
# not a village office, and not one named with the part of the area it stands in (村口小卖部, 园区鑫达箱包厂)
_NO_BUSINESS = {"村委会", "居委会", "管委会", "征拆办", "征地办"}
_LEADING_PART = re.compile(r"^(村口|园区|厂区|[东西南北A-Z]区|村|小区|社区|另一|这家|那家)")
_CJK_NAME = re.compile(r"^[\u4e00-\u9fa5][\u4e00-\u9fa5A-Za-z0-9]*$")
# a name in quotation marks (“嘉禾时代”二期工地, “极速网咖”门口, '青丝坊'美发店): people quote shops and compounds
_QUOTED = re.compile(rf"[{OPENING_QUOTES}]([\u4e00-\u9fa5][\u4e00-\u9fa5A-Za-z0-9]{{1,11}})[{CLOSING_QUOTES}]")
_AT_QUOTED = re.compile(r"门口|门前|店里|店门口|里面|大门|老板|店主|店长")  # “力美健身”老板跑路了: a business
# a quoted name where a business stands: 小区门口那家“优品生鲜”, 镇上“永发农机”, 城东建材市场“大地瓷砖”
_BEFORE_QUOTED = re.compile(
    r"(那家|这家|那间|这间|嗰间|嗰家|门口|旁边|对面|底商|楼下|村口|镇上|街上|县城|城里|市场|商场)$"
)
_CLAUSE_CHARS = "了着过的地得把被是"
# what joins a place to a feature of it written after (places.features): 6组的水渠, 下寨那口大水井, 后山嗰片荔枝林; what
# comes between is a short name, never a person or a clause (承包鱼塘的倪某为鱼塘 is no feature)
_FEATURE_JOIN = r"(?:的|那口|那片|那块|那条|那座|那道|那眼|嗰片|嗰口|嗰条|嗰度)"
_FEATURE_LEAD = r"(?:(?![某为和跟与同的了在是把被给说])[\u4e00-\u9fa5]){0,3}?"
_ROOM = re.compile(r"\d{3,4}室?")
_SCORES = {
    "venue": 3.0,
    "road_detail": 3.0,
    "area_detail": 2.5,
    "road": 2.2,
    "area": 2.0,
    "office": 1.8,
    "town": 1.5,
    "unit": 1.0,
}


@dataclass(frozen=True)
class Place:
    text: str
    start: int
    end: int
    kind: str
    quoted: bool = False  # named in quotation marks (在镇上"丰收农资店"): the writer marked the name

    @property
    def score(self) -> float:
        return _SCORES[self.kind]


def _cn_to_int(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_NUM.get(tens, 1) if tens else 1) * 10 + (_CN_NUM.get(ones, 0) if ones else 0)
    return int("".join(str(_CN_NUM.get(c, 0)) for c in text))


class Units:
    """The numbered parts of an area, from extraction.yaml's `groups`, `buildings` and `numbered` (a station adds
    its own: 兵团 stations have 连): the patterns that find them after an area's name or alone, and their numbers
    as digits."""

    def __init__(self, groups: Iterable[str], buildings: Iterable[str], numbered: Iterable[str]) -> None:
        grp, bld, num = alternation([*groups]), alternation([*buildings]), alternation([*numbered])
        # after an area's name: 桃源村3组, 阳光花园8栋402; 4号楼2门301: in Beijing and Tianjin an entrance (门) is
        # a 单元
        # a lane and its house, in digits only (同福里9弄14号, 新塘坊村5巷3号): 东四巷 is a lane's name
        self.detail = re.compile(
            rf"(?:{_NUMERIC}(?:{grp}|{bld}|{num})|\d+门|\d+[弄巷](?:\d+号)?)(?:\d{{3,4}}室?(?![\d多户人名个元块万]))?"
        )
        # a group or building number named alone (我们七队, 6幢1603这家人): the group's bound area's part
        # (PlaceFinder.in_area); not 一组/两组 (a group of people), not a date's 3号, not 十几户
        self.named = re.compile(
            rf"(?<![0-9A-Za-z第号])(?:\d+|[二三四五六七八九十]+)(?:{grp}|{bld})(?:\d+(?:单元|门)|\d+[弄巷](?:\d+号)?)?"
            r"(?:\d{3,4}室?|(?:\d+|[二三四五六七八九十][一二三四五六七八九十]*)楼(?![上下顶道梯房]))?(?![人个户\d])"
            r"|(?<![0-9A-Za-z第号])\d+[弄巷](?:\d+号)?(?![\d堂])"  # a lane in digits: 9弄, 5巷3号 (not 东四巷)
            r"|(?<![0-9A-Za-z第号])\d+号\d{3,4}室"  # a house and its flat (18号202室): not a date's 18号
            # a village's named group at the start of a sentence (下排组赖老汉讲…), not a working group (调解组)
            r"|(?<![^，。！？；、\s])(?!调解|治保|专案|工作|巡逻|村民|专班|帮扶|征收|征迁|拆迁|评估|安置|网格|筹备|领导|督导|检查)"
            r"(?:(?![一二三四五六七八九十两几个这那每各我你他们])[\u4e00-\u9fa5]){2}组(?![长员织公路道])"
        )
        self.village_group = re.compile(f"(?:{grp})$")
        # an area's numbered group at the end of a place (孙桥村2组)
        self.area_group = re.compile(rf"(?P<area>.+?[\u4e00-\u9fa5])\d+(?:{grp})$")
        # two groups joined as the sides (2组跟3组, 6组吴某和7组的吴某某, 1组、2组): not across a sentence
        self.joined_groups = re.compile(
            rf"(?<![\d第号])(\d+)(?:{grp})[^，。！？；,!?;\s\d]{{0,8}}?[跟和与同、及](\d+)(?:{grp})(?![长员织人])"
        )
        # the last of several numbers before one unit word: 1、2、3组, 二队跟四队
        self.unit_list = re.compile(rf"{_NUMERIC}(?:{grp})?[、,，和跟与同及]$")
        self._cn = re.compile(
            rf"[一二三四五六七八九十两]+(?=(?:{grp}|{bld}|{num}))|[二三四五六七八九十][一二三四五六七八九十]*(?=楼(?![上下顶道梯房]))"
        )

    @classmethod
    def of(cls, cues: PlaceCues) -> Units:
        return cls(cues.groups, cues.buildings, cues.numbered)

    def digits(self, text: str) -> str:
        """Numbers of groups, buildings and rooms as digits: 二组 -> 2组, 十二栋 -> 12栋."""
        return self._cn.sub(lambda m: str(_cn_to_int(m.group(0))), text)


_AROUND = re.compile(r"(?<=.)(门口|门前|附近|旁边|一带|那边|这边)$")
_GATE_MOUTH = re.compile(r"(?<=[东西南北大后正侧])门口$")  # 大门口 is 大门, not 大
# 小区 after a compound's own name (凤栖苑小区, 锦绣华庭小区) adds nothing; 阳光小区 is a name of its own
_COMPOUND_XIAOQU = re.compile(r"(?<=[苑府园城庭湾居邸郡轩汇庄])小区")
_DIVISIONS = ("省", "市", "区", "县", "旗", "盟", "州")  # what a division's name ends in (铁西区勤俭小区)


def _with_part(area: str, part: str) -> str:
    """The area's part, unless the area's name ends in it already (胶东果品冷库's 冷库 is the area). A part's own
    word is kept even where the name ends in its start (嘎查 + 嘎查部: the labels write 乌兰嘎查嘎查部)."""
    return area if area.endswith(part) else area + part


def _overlapping(area: str, place: str) -> str:
    """A nameless place in a workplace's group, its start written once where the workplace's name ends in it
    (家具市场东门 in 南康家具市场's group is 南康家具市场东门)."""
    overlap = next((k for k in range(len(place), 1, -1) if area.endswith(place[:k])), 0)
    return area + place[overlap:]


def _next_door(text: str, at: int) -> bool:
    """What is named at `at` is the neighbour's (隔壁冷库, 对面的仓库), not the group's own area's."""
    return text[max(0, at - 3) : at].endswith(_NEIGHBOURING)


def _admin_prefix(zones: str) -> re.Pattern[str]:
    """What may stand before one place written two ways: its town, village or compound (青岗镇佳佳乐超市 and
    佳佳乐超市), its street or market with or without a number (江滨路58号老友记大排档, 禾岗墟旺记大排档,
    金花坊街市阿强海鲜档), a block or side of them (福港工业园B区鸿兴鞋厂, 红崖移民新村东头兴旺养殖场)."""
    return re.compile(
        rf".*({_AREA_WORDS}|{zones}|乡|产业园|园区|开发区|花园|家园|苑|府|城|公馆|路|街|大道|巷|墟|圩|集|市场|街市|十字)"
        r"(口|上|里|头|[东西南北]头|对面|[A-Z]区|[东西南北中]?\d+号)?"
    )


_ADMIN_PREFIX = _admin_prefix(alternation(DEFAULT_ZONES))  # the scorer's, by the labelling guide


DEFAULT_UNITS = Units(GROUPS, BUILDINGS, NUMBERED)


def normalise(place: str, units: Units = DEFAULT_UNITS) -> str:
    """No spaces; 二组 -> 2组, 十二栋 -> 12栋; 村委会门口 is 村委会."""
    return units.digits(_AROUND.sub("", _GATE_MOUTH.sub("门", re.sub(r"\s+", "", place))))


# a junction's roads joined by 和/跟/同 (城南路和禾兴南路交叉口) are written with 与, as the labelling guide does;
# a stretch of road is 段, not 那段 (S316线黄羊镇那段)
_JUNCTION_AND = re.compile(
    r"(?<=[路街道])[和跟同](?=[\u4e00-\u9fa5]{1,6}?(?:路|街|大道)?(?:交叉口|十字路口|路口|交界处?|交汇处)$)"
)
_VILLAGE_COMMITTEE = re.compile(r"村委$")  # 那怀村村委 is 那怀村村委会
_THAT_STRETCH = re.compile(r"(?<=[\u4e00-\u9fa5])[那这]一?段$")
# a road code with or without 线 after it (S312线王家坝段, S312王家坝段) is one road
_CODE_LINE = re.compile(r"(?<=[GSXYZC]\d{3})线")
_VILLAGE_MOUTH = re.compile(r"村村(?=口|[东西南北]?头|尾)")  # 龙坑村村口 and 龙坑村口, 村村东头 and 村东头, are one
_JUNCTION_END = re.compile(r"(与[\u4e00-\u9fa5]{2,8}?)(交叉口|十字路口|交界处?|交汇处)$")  # a junction, however named


def canonical(place: str | None) -> str | None:
    """A place as a record shows it: 城南路与禾兴南路交叉口, S316线黄羊镇段, 那怀村村委会."""
    if not place:
        return place
    return _VILLAGE_COMMITTEE.sub("村委会", _THAT_STRETCH.sub("段", _JUNCTION_AND.sub("与", place)))


def _one_spelling(place: str) -> str:
    """凤栖苑小区 -> 凤栖苑, S312线王家坝段 -> S312王家坝段, A与B交叉口 -> A与B路口."""
    place = _CODE_LINE.sub("", _COMPOUND_XIAOQU.sub("", place))
    return _JUNCTION_END.sub(r"\1路口", place)


def same_place(a: str, b: str, units: Units = DEFAULT_UNITS) -> bool:
    """One place written two ways: equal once normalised, or one is the other under its town, village or compound
    (青岗镇佳佳乐超市 and 佳佳乐超市; 城东工业园宏达机械厂 and 宏达机械厂); a compound's name says 小区 or not
    (凤栖苑小区 and 凤栖苑), a road code 线 or not, a junction 交叉口 or 路口 (`canonical`, `_one_spelling`), a
    village's mouth or end with its 村 written once or twice (龙坑村村口 and 龙坑村口)."""
    a, b = (_one_spelling(canonical(normalise(p, units)) or "") for p in (a, b))
    return _under(a, b) or _under(_VILLAGE_MOUTH.sub("村", a), _VILLAGE_MOUTH.sub("村", b))


def _under(a: str, b: str) -> bool:
    """Equal, or one is the other under a place it lies in."""
    if a == b:
        return True
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    if not shorter or not longer.endswith(shorter):
        return False
    return _ADMIN_PREFIX.fullmatch(longer[: len(longer) - len(shorter)]) is not None


class PlaceFinder:
    def __init__(self, cues: PlaceCues, time_words: Iterable[str] = (), roles: Iterable[str] = ()) -> None:
        """`time_words`: the time cues' words for days and parts of days (今早, 夜快头); no name contains one.
        `roles`: the parties' roles (老板, 店主): a clause after a quoted name may start with one (“X”老板跑路)."""
        self.cues = cues
        self._roles = tuple(roles)
        self.units = Units.of(cues)
        # 8栋, 3号楼: where someone lives; not a 号院, a courtyard of several homes (3号院的温老头坐在煤气罐边上)
        self._building = re.compile(rf"\d+(?:{alternation(b for b in cues.buildings if b != '号院')})")
        self._time_heads = (*_TIME_HEADS, *time_words)
        self._time_words = tuple(longest_first(time_words))
        self._suffixes = [(s, "venue") for s in [*cues.venues, *cues.standalone, *cues.offices]]
        self._suffixes += [(s, "area") for s in cues.areas]
        self._suffixes += [(s, "area") for s in cues.hamlets if s not in cues.areas]
        self._hamlets = set(cues.hamlets) - set(cues.areas)
        self._area_ends = {a[-1] for a in [*cues.areas, *cues.hamlets]}
        self._compounds = set(cues.compounds) - set(cues.areas)
        self._suffixes += [(s, "area") for s in self._compounds - self._hamlets]
        self._suffixes += [(s, "road") for s in cues.roads]
        self._suffixes.sort(key=lambda p: len(p[0]), reverse=True)
        self._by_last: dict[str, list[tuple[str, str]]] = {}
        self._by_first: dict[str, list[tuple[str, str]]] = {}
        for suffix, kind in self._suffixes:
            self._by_last.setdefault(suffix[-1], []).append((suffix, kind))
            if kind == "area" and len(suffix) > 1:
                self._by_first.setdefault(suffix[0], []).append((suffix, kind))
        self._details = re.compile(f"(?:{alternation(cues.details)})") if cues.details else None
        features = alternation(cues.features)
        self._feature_after = (
            re.compile(f"{_FEATURE_JOIN}(?P<feature>{_FEATURE_LEAD}(?:{features}))") if features else None
        )
        # a number's one-character unit ends a name built leftwards: 58号老友记, E栋鸿运纸品厂 (an address), 5队2巷
        self._numbered_end = {"号", *(w for w in cues.buildings if len(w) == 1)}
        self._group_end = {w for w in [*cues.groups, *cues.buildings] if len(w) == 1}
        self._generic = set(cues.generic)
        self._stop = set(cues.stop)
        self._stop_heads = [s for s in self._stop if len(s) > 1]
        self._prefixes = set(cues.prefixes)
        self._venue_words = tuple([*cues.venues, *cues.standalone])
        self._venue_suffixes = sorted([*cues.venues, *cues.offices], key=len, reverse=True)
        self._standalone = set(cues.standalone)
        self._area_words = tuple(s for s in cues.areas if len(s) > 1 or s in ("村", "镇", "乡"))
        self._hamlet_ends = tuple(self._hamlets)  # 老榆树屯修水库: a verb after a hamlet's name too
        self._offices = tuple(cues.offices)
        self._towns = tuple(s for s in cues.towns if s in cues.areas)
        self._roads = tuple(cues.roads)
        self._known = re.compile(alternation(cues.known)) if cues.known else None
        self._parts = set(cues.parts)
        self._part_words = tuple(p for p in cues.parts if not p.startswith(REGEX_PREFIX))
        self._own_words = longest_first(cues.own_words)
        # what an area's name may end in, longest first: 鲁兴物流园 is referred to as 物流园
        self._area_tails = longest_first(w for w in [*cues.areas, *cues.compounds, *cues.venues] if len(w) > 1)
        self._part_patterns: dict[str, re.Pattern[str]] = {}
        self._workplaces = (*self._venue_words, *cues.workplaces)
        self._shops = tuple(cues.shops)  # a shop has a name of its own, whatever jieba makes of it (晨光文具店)
        zones = alternation(cues.zones)
        self._in_area, self._admin_prefix = _in_area(zones), _admin_prefix(zones)

    def find(self, text: str, found: list[Place] | None = None) -> str | None:
        """The best place named in the text (among its `candidates`, when the caller has them already), or None."""
        found = self.candidates(text) if found is None else found
        if not found:
            return None
        best = max(found, key=lambda p: (p.score, -p.start))
        for inner in sorted(found, key=lambda p: p.start):
            # 柘溪菜市场的老刘烧烤, 栖霞苑社区旁边的惠万家超市: a venue right after a place is inside it
            if inner.kind == "venue" and inner.start >= best.end and _INSIDE.fullmatch(text, best.end, inner.start):
                best = inner
        feature = self._feature_after.match(text, best.end) if self._feature_after and best.kind != "office" else None
        if feature:  # 下埔村6组的水渠, 石莲村下寨那口大水井: the feature of the place where it happens
            return normalise(best.text + feature.group("feature"), self.units)
        return normalise(best.text, self.units)

    @staticmethod
    def _gone_to(text: str, m: re.Match[str]) -> bool:
        """A part people went to for mediation (两家在村委会调了两次, 到村部协商), not where it happened."""
        went = text[max(0, m.start() - 1) : m.start()] in ("在", "到", "去")
        return went and _GONE_TO.match(text, m.end()) is not None

    def quoted(self, place: str | None, found: Iterable[Place]) -> bool:
        """The place chosen is a name the writer put in quotation marks: no learnt weighing overrules that."""
        return place is not None and any(p.quoted and normalise(p.text, self.units) == place for p in found)

    def trim(self, place: str | None) -> str | None:
        """A place that starts with a time word starts after it (今早蚝岗村码头, 夜快头陆家埭村5组): the grammar never
        lets one in, the learnt tagger sometimes does."""
        if place is None:
            return None
        for word in self._time_words:
            if place.startswith(word) and len(place) - len(word) >= 2:
                return place[len(word) :]
        return place

    def in_area(self, place: str | None, text: str, area: str | None, found: Iterable[Place] = ()) -> str | None:
        """The place in the group's bound area: a part named alone there is that area's part (2组 -> 东垵村2组,
        东门 -> 锦绣华庭东门); so is the one village group named apart from the area's own name (东垵村征迁，2组的
        曾某某家还是不签 -> 东垵村2组; `found`: the text's candidates), and a part where the quarrel happens (后寨村…
        两家在卫生室吵 -> 后寨村卫生室). With no place named, a part of the area the text names says where in it
        (小区大门口 -> 锦澜苑大门; 物流园宿舍区 -> 鲁兴物流园宿舍区, the area called by its name's tail). A place
        found that starts with a part and a detail of it (团部十字路口) or with the word the area's name ends in
        (宿舍5栋201 in 渝星厂宿舍's group) is the area's too. Otherwise the place as found, or None."""
        if not area:
            return place
        parts = self._part_pattern(area)
        if place is not None and self._only_an_office(place, found):
            return area  # 区里信访办跑了好多趟: where they went to complain; the matter is the group's own area's
        if place is not None:
            if self._where_a_side_lives(place, text):
                return area  # 8栋的孙某欠我五千块: the compound's matter, not the building's
            if self.units.named.match(place) or place in self._parts:
                return area if area.endswith(place) else area + place  # 7连 in 175团7连's own group is the group
            if place == area:
                if (unit := self._one_unit(text, found)) is not None:
                    return area + unit
                for m in parts.finditer(text) if parts else ():  # 后寨村毛某…两家在卫生室吵了一后晌: the scene
                    if self._scene_at(text, m) and self._own_part(text, m):
                        return _with_part(area, m.group("part"))
                return place  # a part only gone to (河西村…在村委会调解) is not where the quarrel is
            own = parts.fullmatch(place) if parts else None  # 小区路口 -> 黔城御府路口
            if own:
                if _next_door(text, text.find(place)):
                    return area  # 隔壁冷库排的水: the neighbour's part, in the area
                return _with_part(area, own.group("part"))
            if area in place:
                return place
            if self._part_and_detail(place):
                return area + place  # 团部十字路口 in 175团's group
            # 宿舍5栋201 in 渝星厂宿舍's group, 社区卫生服务站 in 雪莲湾社区's, 园区南路 in 东方箱包产业园's
            lead = next((w for w in self._called(area) if place.startswith(w)), None)
            if lead and not place.startswith(self._part_words):
                return area + place[len(lead) :]  # but 村口超市 is no 村 + 口超市
            if area.endswith(self._workplaces) and self._nameless(place):
                return _overlapping(area, place)  # 成品仓库, 住院部8楼骨科病区 in a factory's or hospital's group
            return place
        first: re.Match[str] | None = None  # the first of the area's parts, if all were only gone to
        for m in parts.finditer(text) if parts else ():
            if self._own_part(text, m):
                if not self._gone_to(text, m):
                    return _with_part(area, m.group("part"))  # 村口那起…在村委会调了两次: 村口
                first = first or m
        return _with_part(area, first.group("part")) if first else None

    def _nameless(self, place: str) -> bool:
        """A place written only in common words, letters and numbers (成品仓库, B栋宿舍4楼, 售票厅3号窗口): no name
        of its own, so in a workplace's group it is a part of the workplace. Not one jieba reads as a name or splits
        into single characters (渝味鲜火锅店), nor an office people go to."""
        if place.endswith(self._offices) or place.endswith(self._shops):
            return False
        words = nlp.segment(place)
        return all(
            (len(w) > 1 and nlp.word_tag(w) in _COMMON_TAGS)
            or w.isascii()
            or w in self._part_words
            or (w in _UNIT_CHARS and (i == 0 or words[i - 1].isascii() or len(words[i - 1]) > 1))
            for i, w in enumerate(words)
        )

    def _only_an_office(self, place: str, found: Iterable[Place]) -> bool:
        """The place is an office people went to (县信访局, 区里信访办), named nowhere as a scene (镇政府门口跪着)."""
        if not place.endswith(self._offices):
            return False
        kinds = {p.kind for p in found if place.endswith(normalise(p.text, self.units))}
        return kinds == {"office"}

    def _where_a_side_lives(self, place: str, text: str) -> bool:
        """The place is a building alone, named only as where a side lives (8栋的孙某): the labelling guide puts the
        matter in the compound (docs/extraction-labelling.md)."""
        if not self._building.fullmatch(self.units.digits(place)):
            return False
        at = text.find(place)
        return at >= 0 and _LIVES_THERE.match(text, at + len(place)) is not None

    @staticmethod
    def _scene_at(text: str, m: re.Match[str]) -> bool:
        """The part found is where the matter happens: a quarrel or a crowd right after it, someone there now
        (在北门那里转来转去), or a quarrel carried to it (吵到村委会来了); not a part only gone to (在村委会调解)."""
        after = text[m.end() : m.end() + 4]
        carried = _CARRIED_TO.search(text, max(0, m.start() - 3), m.start())
        return bool(_SCENE.search(after) or _THERE_NOW.match(after) or carried)

    def _own_part(self, text: str, m: re.Match[str]) -> bool:
        """The part found is the area's: written after its own word (村里卫生室) or after no name (东门 of 工厂东门 or
        县医院东门 is not the area's)."""
        if _next_door(text, m.start()):
            return False  # 隔壁冷库排的水: the neighbour's, not the area's
        before = nlp.segment(text[max(0, m.start() - 6) : m.start()])
        if bool(m.group("own")) or not before or before[-1] in self._stop or not _NAME_WORD.match(before[-1]):
            return True
        return before[-1] in self._time_words or _WHEN.fullmatch(before[-1]) is not None

    def _one_unit(self, text: str, found: Iterable[Place]) -> str | None:
        """The one village group the text names on its own, if it names exactly one (not 1组跟2组, not 1、2、3组:
        several of them are the whole village's matter). A building is not one: 3栋的周某某 is where a side lives,
        the quarrel is in the compound's garden or car park."""
        units = self.units
        groups = [p for p in found if p.kind == "unit" and units.village_group.search(p.text)]
        if not groups or len({units.digits(p.text) for p in groups}) != 1:
            return None
        if units.unit_list.search(text, 0, groups[0].start):
            return None
        return units.digits(groups[0].text)

    def several_groups(self, place: str | None, text: str) -> str | None:
        """A village group named with another (孙桥村二组跟三组为排水沟吵, 6组吴某和7组的吴某某): the whole village's
        matter, so the village (the labelling guide: several groups are not the place)."""
        units = self.units
        m = units.area_group.fullmatch(place) if place else None
        if m is None:
            return place
        village, text = m.group("area"), units.digits(text)
        for g in units.joined_groups.finditer(text):
            # not another village's groups (北漾村2组和3组): a group right after a name is that name's
            ours = text.endswith(village, 0, g.start()) or text[g.start() - 1 : g.start()] not in self._area_ends
            if ours and g.group(1) != g.group(2):
                return village
        return place

    def _part_and_detail(self, place: str) -> bool:
        """A part of an area with a detail or room after it (团部十字路口, 村口桥头, 宿舍楼202): the area's too."""
        part = next((p for p in self._part_words if place.startswith(p)), None)
        rest = place[len(part) :] if part else ""
        if not rest:
            return False
        return (
            rest in self._parts
            or bool(self._details and self._details.fullmatch(rest))
            or _ROOM.fullmatch(rest) is not None
        )

    def _own_tail(self, area: str) -> str | None:
        """The word the area's name ends in, by which people call it in its own group (渝星厂宿舍 -> 宿舍)."""
        return next((t for t in (*self._area_tails, *self._own_words) if area.endswith(t) and len(area) > len(t)), None)

    def _called(self, area: str) -> list[str]:
        """What people in the area's own group call it, longest first: the word its name ends in, and the words
        extraction.yaml's `called` lists for names ending so (园区 for 鑫源羊绒产业园, 厂里 for 恒达建材厂)."""
        tail = self._own_tail(area)
        aliases = [w for w, ends in self.cues.called.items() if area.endswith(tuple(ends)) and area != w]
        return longest_first([*([tail] if tail else []), *aliases])

    def _part_pattern(self, area: str) -> re.Pattern[str] | None:
        """An area's parts after its own word: a generic one (小区东门, 村里村口) or its name's tail (物流园宿舍区).
        Made once per area (a station's groups are bound to a few hundred at most)."""
        if not self.cues.parts:
            return None
        if area not in self._part_patterns:
            own = "|".join(map(re.escape, longest_first([*self._own_words, *self._called(area)])))
            self._part_patterns[area] = re.compile(
                f"(?P<own>(?:{own})(?:里面?|里头)?(?:那个|那家|的)?)?"
                f"(?P<part>{alternation(self.cues.parts)})(?!主任|书记|干部|委员|会计|老板)"
            )
        return self._part_patterns[area]

    def sides(self, text: str, found: list[Place], named: bool = False, alone: bool = False) -> list[str]:
        """Named businesses and institutions that are a side of the quarrel, not only where it happened: one that
        says, refuses, owes or is complained to or about (蜀香园火锅扣了她工资, 找佳惠超市退钱, 跟县人民医院理论).
        With `named` (a labour, consumer or medical report), any named business is one; `alone` (no person is
        named) too, unless the text puts people at it (华晟印染厂排的污水 is a side, 金樽KTV门口打起来 a scene)."""
        out: list[str] = []
        for p in found:
            if p.kind not in ("venue", "office") or p.text in self._standalone:
                continue
            name = self._in_area.sub("", p.text) or p.text
            suffix = next((v for v in self._venue_suffixes if name.endswith(v)), "")
            own = name[: len(name) - len(suffix)]
            if len(own) < 2 or own in self._generic or suffix in _PUBLIC or not _CJK_NAME.match(own):
                continue  # 卫生室, 村委会 name no business of their own; a market or a school is where, not who
            head = nlp.segment(own)[0]
            if head in self._stop or self._stop_head(own) or self._verbish(head):
                continue  # 要求医院, 我家店: the words before the suffix are no name
            acts = _SIDE_AFTER.match(text, p.end) or _SIDE_BEFORE.search(text[max(0, p.start - 4) : p.start])
            business = p.kind == "venue" and self._business(own, suffix)
            scene = alone and not named and _SCENE_AFTER.match(text, p.end) is not None
            if acts or text.count(name) > 1 or ((named or alone) and business and not scene):
                out.append(name)
        return [n for n in out if not any(n != o and n in o for o in out)]  # 健康馆 of ‘康年’健康馆 is one side

    def _business(self, own: str, suffix: str) -> bool:
        """A venue's name that names a business of its own: not a village office, not led by the area's part or a
        county prefix (村口小卖部, 园区鑫达箱包厂, 县医院), and not a trade: one common noun before the suffix (电子 of
        电子厂, 竹制品 of 竹制品厂; 温记 and 鑫达 are names, though 仁心 and 同心 read as nouns too)."""
        if not suffix or suffix in _NO_BUSINESS or len(own) > 6 or own[0] in self._prefixes or _LEADING_PART.match(own):
            return False
        words = nlp.segment(own)
        return not (len(words) == 1 and not own.endswith("记") and nlp.word_tag(own) in ("n", "j", "vn"))

    def candidates(self, text: str, area: str | None = None) -> list[Place]:
        """The places the text names: by their suffixes, a station's known names (`places.known`), road codes,
        numbered parts named alone and quoted names; and the group's own bound `area` wherever the text writes it
        (同福里9弄14号: jieba cuts 同福里 into single characters, and 同 reads as a conjunction)."""
        words = nlp.segment(text)
        bounds: list[tuple[int, int, str]] = []
        pos = 0
        for w in words:
            bounds.append((pos, pos + len(w), w))
            pos += len(w)
        found: list[Place] = []
        for i, (w_start, _end, word) in enumerate(bounds):
            for suffix, kind in self._by_last.get(word[-1], []) + self._by_first.get(word[0], []):
                if word.endswith(suffix):
                    place = self._build(text, bounds, i, suffix, kind)
                elif kind == "area" and len(suffix) > 1 and word.startswith(suffix) and i > 0:
                    place = self._build(text, [*bounds[:i], (w_start, w_start + len(suffix), suffix)], i, suffix, kind)
                else:
                    continue
                if place is not None:
                    found.append(self._from_area(self._whole_area(text, place, area), area))
                break
        known = [(m.start(), m.end(), False) for m in self._known.finditer(text)] if self._known else []
        if area and len(area) > 1:  # the bound area with a detail after it; alone, in_area has it anyway
            known += [(m.start(), m.end(), True) for m in re.finditer(re.escape(area), text)]
        for start, end, bound in known:
            stop_at = end
            unit = "road" if bound and text[start:end].endswith(self._roads) else "area"  # 东风路58号, not 58号楼
            while (after := self._detail_at(text, stop_at, unit)) is not None:
                stop_at = after
            if (stop_at > end or not bound) and not any((f.start, f.end) == (start, stop_at) for f in found):
                found.append(Place(text[start:stop_at], start, stop_at, "area_detail" if stop_at > end else "area"))
        for m in _ROAD_CODE.finditer(text):
            detailed = m.end() - m.start() > 4
            found.append(Place(m.group(0), m.start(), m.end(), "road_detail" if detailed else "road"))
        found += [Place(m.group(0), m.start(), m.end(), "unit") for m in self.units.named.finditer(text)]
        quoted = self._quoted(text)  # found by a suffix too, a name in quotation marks is still marked so
        found = [f for f in found if not any((q.text, q.start) == (f.text, f.start - 1) for q in quoted)] + quoted
        return self._outermost(found)

    def names_only_a_place(self, text: str) -> bool:
        """The text is a place's name and nothing else (马坊村6组 of a 【马坊村6组】 header; not 矛盾纠纷)."""
        return any(p.start == 0 and p.end == len(text) for p in self.candidates(text))

    @staticmethod
    def _whole_area(text: str, place: Place, area: str | None) -> Place:
        """A name that starts inside the group's own area as the text writes it starts where the area does (良村砖厂
        of 那良村砖厂 in 那良村's group: 那 reads as 'that', a word no name starts with)."""
        if not area or len(area) < 2:
            return place
        # an occurrence of the area that starts before the name and runs into it
        at = text.rfind(area, max(0, place.start - len(area) + 1), place.start + len(area) - 1)
        if at < 0:
            return place
        return Place(text[at : place.end], at, place.end, place.kind, place.quoted)

    def _from_area(self, place: Place, area: str | None) -> Place:
        """A name that runs on to the left of the group's own area starts there (开着个面包车来大箐村 in 大箐村's
        group), unless what stands before the area is a division or place it lies in (青岗镇大箐村)."""
        at = place.text.find(area) if area and len(area) > 1 else -1
        if at <= 0 or self._admin_prefix.fullmatch(place.text[:at]) or place.text[:at].endswith(_DIVISIONS):
            return place
        return Place(place.text[at:], place.start + at, place.end, place.kind, place.quoted)

    def _quoted(self, text: str) -> list[Place]:
        """Names in quotation marks, which no segmentation splits: with the area or venue word or detail written
        after the marks (“观江壹号”小区, “嘉禾时代”二期工地), ending in one (“老地方拌面馆”), or where something
        happens at them (“极速网咖”门口). The place's text is the name and what follows, without the marks."""
        out: list[Place] = []
        for m in _QUOTED.finditer(text):
            name = m.group(1)
            word = self._word_after(text, m.end())
            detail = self._detail_at(text, m.end(), "area")
            if word is not None or detail is not None:
                end = m.end() + len(word) if word is not None else detail or m.end()  # detail is set here
                out.append(Place(name + text[m.end() : end], m.start(), end, "venue", quoted=True))
            elif (
                name.endswith(self._venue_words)
                or _AT_QUOTED.match(text, m.end())
                or _SCENE.match(text, m.end())
                or _BEFORE_QUOTED.search(text, max(0, m.start() - 4), m.start())
            ):
                out.append(Place(name, m.start(), m.end(), "venue", quoted=True))
        return out

    def _word_after(self, text: str, at: int) -> str | None:
        """The longest run of up to five characters at `at` that ends in an area or venue word: 美发店 of
        '青丝坊'美发店, 羊肉泡馍馆 of “老碗”羊肉泡馍馆, 小区 of “观江壹号”小区业委会 (six would take 突然关门跑路)."""
        for size in range(5, 0, -1):
            run = text[at : at + size]
            if len(run) < size or not (_CJK_NAME.match(run) or (run.isascii() and run.isalpha())):  # “好运来”KTV
                continue
            suffix = next((w for w, _ in self._by_last.get(run[-1], ()) if run.endswith(w)), None)
            if suffix is None:  # suffixes by their last character
                continue
            lead = run[: len(run) - len(suffix)]
            if self._goes_on_after_quote(lead) or run.endswith(self._time_words):
                continue  # 农家乐夜里: a time, not a name's end
            area_end = len(suffix) == 1 and any(w == suffix and k == "area" for w, k in self._by_last[suffix])
            if area_end and any(lead.endswith(w) for w, _ in self._by_last.get(lead[-1:], ())):
                continue  # 羊肉馆里, 模具厂围(墙): the name ended before (美发店, 村卫生室 are one name)
            return run
        return None

    def _goes_on_after_quote(self, lead: str) -> bool:
        """报了冲(浪课) and 老板跑路 after a quoted name: what comes before the suffix word is a clause, not a name."""
        if any(ch in _CLAUSE_CHARS for ch in lead) or lead.startswith(self._roles) or lead in self._stop:
            return True
        return bool(lead) and nlp.segment(lead)[0] in self._stop  # 有两围: 有 starts a clause

    def _build(self, text: str, bounds: list[tuple[int, int, str]], i: int, suffix: str, kind: str) -> Place | None:
        w_start, end, word = bounds[i]
        if word != suffix and word in self._generic:
            return None  # 邻村, 修路
        s_start = end - len(suffix)
        head = text[w_start:s_start]  # the part of this word before the suffix (桃源 of 桃源村)
        pieces: list[str] = [head] if head else []
        if head and head in self._stop:
            return None
        j = i - 1
        traded = False  # the word before the suffix is a trade (口腔 of 康泰口腔诊所): a name must come before it
        while j >= 0 and sum(map(len, pieces)) < self.cues.max_name:
            prev = bounds[j][2]
            k = self._run_start(bounds, j) if not pieces and len(prev) == 1 else None
            if k is not None:  # 蒲/家/洼 村, 韩/家/碾 子: a village name jieba cut into single characters
                pieces = [b[2] for b in bounds[k : j + 1]]
                j = k - 1
                break
            if prev in self._stop or not _NAME_WORD.match(prev) or "某" in prev or prev[-1] in _GLUE_END:
                break
            trade = (
                j == i - 1 and not head and kind == "venue" and len(prev) > 1
                and prev in self._venue_words and prev not in _PUBLIC
            )  # fmt: skip
            traded = traded or trade
            if self._time_word(prev) or (prev.endswith(self._venue_words) and not trade):
                break  # 今天下午3点解放路; 龙泉社区广场跳广场舞: a venue does not name another (but 康泰口腔诊所)
            if (
                kind == "venue"
                and (prev.endswith(self._roads) or prev in self._numbered_end)
                and len("".join(pieces)) > 1
            ):
                break  # 新民街阿强茶餐厅, 江滨路58号老友记大排档, E栋鸿运纸品厂: the shop on the street or in the block
            if kind == "area" and prev in self._group_end and pieces and pieces[0].isdigit():
                break  # 5队2巷: a numbered lane of a numbered group, not a lane named 队2
            left = bounds[j - 1][2] if j else ""
            oov_run = len(prev) == 1 and (
                (kind == "area" and (not pieces or len(pieces[0]) == 1) and self._oov_left(left))
                or (bool(pieces) and self._boundary(left))
                or self._single_run(bounds, j, pieces)
            )
            named_before = len(left) > 1 or (j > 1 and not self._boundary(bounds[j - 2][2]))  # 榆树|屯, not 岭 alone
            after_place = left.endswith(self._area_words) or (left.endswith(self._hamlet_ends) and named_before)
            if self._verbish(prev) and len(prev) == 1 and after_place:
                break  # 桂花村开农家乐, 黄泥坳村修水库: after a village a verb starts what happens there
            named_venue = (
                (kind == "venue" or (kind == "area" and suffix in ("村", "社区")))
                and len(prev) == 2
                and all(p in self._generic for p in pieces)
                and prev[-1] not in "了着过"
                and self._boundary(left)
            )  # 在育才中学, 丰收农资店, 上涌村: a two-character word that jieba tags as a verb names the place
            if self._verbish(prev) and not (
                self._name_char(prev, left) or prev.startswith("第") or oov_run or named_venue
            ):
                break  # 头被打破送医院: a verb is not part of a name (but 约 of 美丽约美容院 and 第二 are)
            pieces.insert(0, prev)
            j -= 1
        while pieces and pieces[0].isdigit():
            pieces.pop(0)
        if pieces and (lead := self._stop_head(pieces[0])):
            pieces[0] = pieces[0][len(lead) :]  # 那家铁|馆: jieba glued the demonstrative to the name
        if traded and len(pieces) < 2:
            return None  # 手机维修店 alone names no shop
        naming = [p for p in pieces if p not in self._generic and not p.isdigit()]
        name = "".join(pieces)
        if name.endswith(suffix) and not head:
            return None  # 杏花村村小组长: the second 村 starts the next word
        if not naming:
            if not (kind == "venue" and (name in self._prefixes or (not name and suffix in self._standalone))):
                return None
        elif kind in ("venue", "road") and len(name) < 2 and name not in self._prefixes:
            return None  # 水厂: one character names no venue; “丝路布艺” names no road
        elif kind != "venue" and len(pieces) == 1 and not head and (len(name) < 2 or self._weak(name)):
            numbered = len(name) == 2 and self.units.detail.match(text, end) is not None  # 上涌村三社 is a name
            if not numbered:
                return None  # 请社区, 希望社区: a verb before the suffix, not a name
        if len(suffix) == 1 and text[end : end + 1] == "某":
            return None  # 大疃村宫某某: the suffix is a masked name's surname
        if len(suffix) == 1 and text[end : end + 1] in ("着", "了", "住", "过", "在"):
            return None  # 现场围了一圈人: 围 is a verb here, not the end of 塘尾围
        start = s_start - len(name)
        if self._intent_before(text, start):
            return None
        stop_at = end
        detailed = False
        while True:
            m = self._detail_at(text, stop_at, kind)
            if not m:
                break
            stop_at, detailed = m, True
        if suffix in self._compounds and not detailed:
            return None  # 星汇城4号楼 and 银杏里北门 are compounds; 县城 and 家里 are not
        if suffix in self._hamlets and not (detailed and self.units.detail.match(text, end)):
            return None  # 马家庄3组 is a place; 沟, 湾 alone are ditches and bends
        if kind == "area" and suffix in self._towns and not detailed:
            kind = "town"
        elif detailed:
            kind = {"area": "area_detail", "road": "road_detail"}.get(kind, kind)
        if kind == "venue" and suffix.endswith(self._offices) and not _SCENE.search(text, stop_at, stop_at + 6):
            kind = "office"  # 去乡政府反映: where they complained; but 到镇政府门口静坐 happened there
        return Place(text[start:stop_at], start, stop_at, kind)

    def _time_word(self, word: str) -> bool:
        """今天下午3点解放路: a day, a part of the day or an hour is no part of a name."""
        return word.startswith(self._time_heads) or word in ("点", "时")

    def _stop_head(self, word: str) -> str:
        """The longest stop word of two or more characters that starts this word and is not all of it."""
        heads = [s for s in self._stop_heads if word.startswith(s) and len(s) < len(word)]
        return max(heads, key=len, default="")

    def _detail_at(self, text: str, at: int, kind: str) -> int | None:
        if kind == "road":
            m = _ROAD_DETAIL.match(text, at)
            return m.end() if m else None
        for pattern in (self.units.detail, self._details):
            m = pattern.match(text, at) if pattern else None
            if m and m.end() > at:
                return m.end()
        return None

    def _intent_before(self, text: str, start: int) -> bool:
        before = text[max(0, start - 4) : start]
        return before.endswith(tuple(self.cues.intent))

    def _verbish(self, word: str) -> bool:
        return word not in self._generic and not word.isdigit() and nlp.word_tag(word).startswith(_VERBISH)

    def _name_char(self, word: str, left: str) -> bool:
        """约 of 美丽约, 发 of 宏发: one character of an unknown name that jieba split, not a verb phrase."""
        if len(word) != 1 or not self._nameish(left):
            return False
        return len(left) == 1 or not nlp.word_tag(word).startswith("v")

    def _run_left(self, bounds: list[tuple[int, int, str]], j: int, inner_jia: bool = False) -> int:
        """Going left from j over single characters that are no stop word (with `inner_jia`, 家 between two of
        them too): the index of the first token that is not one, -1 at the start of the text."""
        k = j
        while k >= 0:
            tok = bounds[k][2]
            jia = inner_jia and tok == "家" and 0 < k < j and len(bounds[k - 1][2]) == 1
            if len(tok) != 1 or not _NAME_WORD.match(tok) or (tok in self._stop and not jia):
                break
            k -= 1
        return k

    def _run_start(self, bounds: list[tuple[int, int, str]], j: int) -> int | None:
        """Where a run of single characters ending at j starts, if it is an X家Y village name after a boundary."""
        k = self._run_left(bounds, j, inner_jia=True)
        run = [b[2] for b in bounds[k + 1 : j + 1]]
        if not 3 <= len(run) <= 4 or "家" not in run[1:-1] or not self._boundary(bounds[k][2] if k >= 0 else ""):
            return None
        return k + 1

    def _single_run(self, bounds: list[tuple[int, int, str]], j: int, pieces: list[str]) -> bool:
        """在/顺/发/石材厂: two to four single characters between a boundary and the suffix are one unknown name."""
        if any(len(p) != 1 for p in pieces):
            return False
        k = self._run_left(bounds, j)
        return 2 <= j - k + len(pieces) <= 4 and self._boundary(bounds[k][2] if k >= 0 else "")

    def _boundary(self, left: str) -> bool:
        """What may come before a name: nothing, a stop word, punctuation or a number."""
        return not left or left in self._stop or not _NAME_WORD.match(left) or left.isdigit()

    def _oov_left(self, left: str) -> bool:
        """鸣/珂/里 社区, 蓑衣/垄 村: jieba cuts a name it does not know into single characters, some tagged as verbs;
        such a character belongs to the name when what precedes it is a boundary or more of the name."""
        return not left or left in self._stop or not _NAME_WORD.match(left) or self._nameish(left)

    def _nameish(self, word: str) -> bool:
        if not _NAME_WORD.match(word) or word.isdigit() or word in self._stop:
            return False
        return not self._verbish(word)

    @staticmethod
    def _weak(name: str) -> bool:
        tags = nlp.pos_tags(name)
        return not tags or tags[-1].startswith(_WEAK_POS)

    @staticmethod
    def _outermost(found: list[Place]) -> list[Place]:
        """A candidate inside a longer one (村 inside 清水镇李家湾村) gives way to it."""
        keep: list[Place] = []
        for p in found:
            if any(o is not p and o.start <= p.start and p.end <= o.end and len(o.text) > len(p.text) for o in found):
                continue
            keep.append(p)
        return keep
