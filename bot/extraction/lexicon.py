"""The extractor's own editable word lists (config/rules/extraction.yaml), validated with file/line/field errors."""

# Pydantic copies these defaults per instance; ruff cannot see that the imported Strict base is a pydantic model.
# ruff: noqa: RUF012

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from config.rules import Strict, load_yaml_model

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "config" / "rules" / "extraction.yaml"
FILE_NAME = "extraction.yaml"


class DisputeCues(Strict):
    """What makes a message a dispute report, and what marks chatter, notices, questions and patrol logs."""

    conflict: list[str] = Field(min_length=1)  # a quarrel, a claim, a grievance
    report: list[str] = []  # a report's prefix or wording (上报, 反映)
    not_dispute: list[str] = []  # a notice, a meeting, a patrol that found nothing: never a dispute
    # a bulletin's header (【通报】, 【反诈】): not a report whatever quarrel words the bulletin holds
    bulletins: list[str] = []
    joking: list[str] = []  # laughter and jokes: not a dispute unless a party is named
    asks: list[str] = []  # ... or the writer asks someone to deal with it (麻烦物业处理下, 网格员有空来看看)
    question: list[str] = []  # asking how to do something
    closed: list[str] = []  # a message that only says an earlier matter is settled
    # a message that says there is no quarrel here: it asks whether one broke out, gives the all-clear after one,
    # tells of a false alarm or of news from elsewhere. Unlike `not_dispute`, no resemblance overturns it
    no_quarrel: list[str] = []
    # ... unless, after the settled word, one of these comes with a quarrel word: 去年签了协议，今天又吵起来了
    renewed: list[str] = []
    collective: list[str] = []  # many people as one side (村民们, 业主们): counts as a party
    # the character n-gram scorer's say, learnt from labelled messages: a message it finds nearer the disputes
    # than the rest by `fallback_margin` is a dispute when it names a party, a place or a category word
    fallback: bool = True
    fallback_margin: float = Field(default=0.05, ge=0)
    # a notice or patrol word does not veto a message with this many quarrel words (业委会三年没公示…吵翻了)
    override_conflicts: int = Field(default=3, ge=1)
    # the n-gram scorer overturns a soft decision of the lists when it is this sure (None: never): a question or
    # notice word's veto when it finds the message nearer the disputes (这种咋个处理嘛 after a grievance), and a lone
    # quarrel word's yes when it finds it nearer the other messages (本周矛盾纠纷排查周报已上传); a red cue is never
    # overturned
    overturn_veto: float | None = Field(default=None, ge=0)
    overturn_yes: float | None = Field(default=None, ge=0)


class RiskCues(Strict):
    """Helpers for risk.yaml: what cancels a cue, and the figures that raise a record to medium or high."""

    negations: list[str] = ["没", "未", "没有", "不曾"]
    hedges: list[str] = []  # words ending in a negation that do not negate (搞不好 'may well')
    calm: list[str] = []  # low-risk cues shown as reasons (情绪稳定, 已劝开)
    crowd_words: list[str] = []  # gathering verbs that make a head count a crowd
    no_crowd: list[str] = []  # a report that says no one has gathered (暂时没有聚集): its head count is no crowd
    # a red cue right after one of these did not happen (差点动手, 险些打起来): a fight that was headed off
    near_miss: list[str] = []
    # the fights a near-miss word heads off: `headed_off()` joins the two into one cue, which is a crowd's word (ten
    # people about to fight) and tells the red net of no danger now
    near_miss_acts: list[str] = []
    # a red cue right before one of these is a likeness (跟要打起来似的): 'as if', not what happened
    simile: list[str] = []
    # a red cue in a clause with a `past` word (前年打过一架), in a report with a `settled` word (派出所处理过了), tells
    # of an old matter, not of danger now
    past: list[str] = []
    settled: list[str] = []
    crowd_size: int = Field(default=10, ge=2)
    medium_amount: int = Field(default=10000, ge=0)
    # a safety net for red: a report no red cue fired on is red when the n-gram scorer learnt from labelled reports
    # finds it nearer the red ones than the rest by this margin (None: off)
    red_fallback_margin: float | None = Field(default=0.0, ge=0)
    # ... or when a logistic regression learnt from the same reports gives it log-odds of red of at least this (None:
    # off)
    red_fallback_logit: float | None = 1.0
    # ... and holds at least this many characters: a shorter one says too little for a resemblance to mean anything
    red_fallback_min_chars: int = Field(default=40, ge=0)
    # ... and says nothing that tells of no danger now: a `calm` word, a fight headed off, or one of these
    # (以为打起来了, 虚惊一场)
    red_fallback_veto: list[str] = []

    def headed_off(self) -> list[str]:
        """The cue of a fight headed off (差点动手, 险些推搡起来), from `near_miss` and `near_miss_acts`: none if either
        is empty."""
        if not self.near_miss or not self.near_miss_acts:
            return []
        words = "|".join(re.escape(w) for w in sorted(self.near_miss, key=len, reverse=True))
        acts = "|".join(re.escape(w) for w in self.near_miss_acts)
        return [f"re:(?:{words})[^，。；]{{0,3}}(?:{acts})"]


class FallbackCues(Strict):
    """The character n-gram scorer (bot/extraction/ngrams.py) that helps when the keywords are weak or tied."""

    enabled: bool = True
    weight: float = Field(default=0.75, ge=0)  # its vote, in keyword-weight units, for the category it prefers
    min_margin: float = Field(default=0.0, ge=0)  # it votes only if its cosine leads the runner-up by this much
    keyword_weight: float = Field(default=0.3, ge=0)  # each category keyword as an example weighs this much
    neighbours: int = Field(default=10, ge=0)  # how many nearest labelled examples vote (0: the centroids alone)
    neighbour_share: float = Field(default=0.5, ge=0, le=1)  # their vote's share of the score


class CategoryCues(Strict):
    """How much each keyword of categories.yaml weighs: topic words decide, words of who or where only lean.

    A keyword weighs `weights[k]` if given, else `strong_weight` if listed in `strong`, `weak_weight` if in `weak`,
    `context_weight` if in `context`, else `default_weight`. A keyword inside the quarrel's cause (`cause`: 为X的事,
    因为X吵) counts `cause_bonus` times."""

    default_weight: float = Field(default=1.0, gt=0)
    strong_weight: float = Field(default=3.0, gt=0)
    strong: list[str] = []
    weak_weight: float = Field(default=1.0, gt=0)
    weak: list[str] = []
    context_weight: float = Field(default=0.5, gt=0)
    context: list[str] = []
    cause_bonus: float = Field(default=1.0, ge=1.0)
    cause: list[str] = []  # regular expressions (re:...) whose first group is the cause
    weights: dict[str, float] = {}
    fallback: FallbackCues = FallbackCues()

    def weight(self, keyword: str) -> float:
        if keyword in self.weights:
            return self.weights[keyword]
        for words, value in ((self.strong, self.strong_weight), (self.weak, self.weak_weight)):
            if keyword in words:
                return value
        return self.context_weight if keyword in self.context else self.default_weight


# the numbered parts of an area (3组, 12栋, 2单元), as the places section of extraction.yaml has them by default
GROUPS = ["组", "队", "社", "re:(?<![一两])连"]  # a village's groups, a 兵团 regiment's companies (not 一连三天)
BUILDINGS = ["栋", "幢", "座", "号楼", "号院"]
NUMBERED = ["坊", "单元", "号"]
# development zones and parks: areas too, and written before a firm's name they are no part of it (高新区瑞达锂电)
DEFAULT_ZONES = ["经开区", "高新区", "开发区", "工业园", "工业区", "园区", "港区"]


class PlaceCues(Strict):
    """Suffixes that end a place name, details that may follow it, and words that cannot be part of one."""

    areas: list[str] = Field(min_length=1)  # 村, 社区, 小区 ... (and the zones)
    zones: list[str] = DEFAULT_ZONES  # 经开区, 工业园 ...: a side's name starts after one (园区里永盛包装)
    # in a workplace's own group (its name ends in a venue word or in one of these: 顺捷物流中心) a place written in
    # common words and numbers only is its part (成品仓库); a place ending in one of `shops` has a name of its own
    workplaces: list[str] = ["中心", "客运站", "车站"]
    shops: list[str] = ["店", "铺", "超市", "馆", "茶楼", "酒楼", "餐厅"]
    venues: list[str] = Field(min_length=1)  # 医院, 超市, 工地 ...
    known: list[str] = []  # the station's own places, whatever their shape (御澜湾, 汇泉嘉苑): a place as they are
    compounds: list[str] = []  # 园, 城, 里 ...: a compound's name (星汇城) only with a building or gate after it
    hamlets: list[str] = []  # 庄, 屯, 沟 ...: a village name (马家庄) only with a detail after it (马家庄3组)
    # areas above a village (青岗镇, 沙日塔拉苏木): alone they count less than a village or venue named with them
    towns: list[str] = ["街道", "镇", "乡"]
    roads: list[str] = ["路", "街", "大道"]
    prefixes: list[str] = ["县", "镇", "乡", "市", "区"]  # a lone prefix before a venue: 镇卫生院
    standalone: list[str] = []  # venues that name themselves: 人民医院, 中医院 (no name before them needed)
    offices: list[str] = []  # where people go to complain (乡政府, 住建局): the dispute's place only if none other
    details: list[str] = []  # 东门, 村委会, 卫生室 ... may follow an area name
    # features of a place written after it with 的 or a measure word (6组的水渠, 下寨那口大水井): where it happens
    features: list[str] = []
    # parts of a village or compound that may be named alone (东门, 村口); in a group bound to an area, a part named
    # alone, or a group or building number alone (2组, 7幢1603), is that area's part: 锦绣华庭东门, 东垵村2组
    parts: list[str] = []
    # what people in an area's own group call it (小区东门, 村里卫生室, 宿舍5栋 in 渝星厂宿舍's group): its part
    own_words: list[str] = ["小区", "社区", "村", "院"]
    # "our" (咱, 俺, as the dialect readings write it): a place that starts with one (咱屯3组) is the group's own
    ours: list[str] = ["咱", "俺", "我"]
    # and what they call an area by what its name ends in: 园区 for a park (鑫源羊绒产业园), 厂里 for a factory
    called: dict[str, list[str]] = {}
    generic: list[str] = []  # words that are not names: 门口, 村里, 镇上
    stop: list[str] = []  # tokens a place name never contains
    whole: list[str] = []  # words segmentation keeps whole, so that no place name starts with their last character
    intent: list[str] = ["要去", "要到", "想去", "准备去"]  # 扬言要去县政府: a threat, not where it happened
    split: list[str] = []  # dictionary words jieba must not keep whole: 村东 of 柳树湾村东干渠
    max_name: int = Field(default=8, ge=2)
    # numbered parts: a village's groups (named alone, one is the place: 2组 -> 东垵村2组), a compound's buildings
    # (named alone, where a side lives), and numbers only read right after an area's name (桃源村3号, 2单元)
    groups: list[str] = Field(default=GROUPS, min_length=1)
    buildings: list[str] = Field(default=BUILDINGS, min_length=1)
    numbered: list[str] = NUMBERED
    # what the tagger may not add after the rules' place (金桂社区孙大妈, 双溪口村笋农): words, or `re:` patterns
    not_a_place: list[str] = []
    # the learnt tagger weighs the rules' chosen place this many times its own probability (0: no tagger)
    tagger_prior: float = Field(default=2.0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _zones_are_areas(cls, data: Any) -> Any:
        """A zone is an area: a station lists a new one once, under `zones`."""
        if isinstance(data, dict) and isinstance(data.get("areas"), list):
            zones = data.get("zones", DEFAULT_ZONES)
            data = {**data, "areas": [*data["areas"], *(z for z in zones if z not in data["areas"])]}
        return data


class PartyCues(Strict):
    """How people and organisations are written in reports."""

    titles: list[str] = Field(min_length=1)  # 某, 某某, 女士, 阿姨 ...
    # two-character surnames beside the Han ones in code (吉克, 阿苏: Yi clan names), so 吉克某某 is not 克某某
    surnames: list[str] = []
    org_suffixes: list[str] = []  # after 某: 某建筑公司, 某超市
    named_org_suffixes: list[str] = []  # after a name: 锦华物业, 龙泉物业公司
    trade_org_suffixes: list[str] = []  # a trade after a name: 宏远土方, 鲜达冷链 (and inside one: 瑞丰装饰公司)
    formal_org_suffixes: list[str] = []  # registered names, verbs allowed: 丰收农民专业合作社
    org_stop: list[str] = []  # tokens an organisation name never contains
    roles: list[str] = []  # words written before a name (车主张某): jieba keeps them whole
    # people called by a prefix and a common surname (老刘, 小陆): those surnames, and what may follow the nickname
    # (a function word, a few verbs or punctuation; not 老刘家, 老刘烧烤 or 小龙虾)
    nickname_prefixes: list[str] = []
    nickname_surnames: str = ""
    nickname_followers: str = ""
    # who writes or mediates, not a side: a nickname right after one (民警小陈, 网格员小王) is that person
    officers: list[str] = []
    # categories in which a named business is a side even with no verb after it (the employer, the shop)
    business_sides: list[str] = ["labor", "consumer"]


class TimeCues(Strict):
    """Relative times resolved against the message's sent_at."""

    anchors: list[str] = Field(min_length=1)  # words that tie a time to a day: 今天, 昨晚
    just_now: list[str] = ["刚才", "刚刚"]
    period_hours: dict[str, int] = {}  # 上午 -> 9 when no hour is given
    # how many days before sent_at an anchor points, by how the anchor starts (昨晚 -> 1); the longest head wins
    days_back: dict[str, int] = {"今": 0, "昨": 1, "前": 2, "大前": 3}


class CountCues(Strict):
    """Head counts (十几人, 约40名) and sums of money (三万二千元)."""

    person_units: list[str] = ["人", "名", "位"]
    person_nouns: list[str] = []  # 工人, 村民 ... after 个
    person_suffixes: str = "工员民友属客贩"  # any word ending in one of these after 个/名 is people: 二十几个搬运工
    vague: dict[str, int] = {}  # numbers the parser reads differently from officers: 几十 -> 20
    money_units: list[str] = ["元", "块", "万", "千"]
    unit_price: list[str] = ["每"]  # a price per unit is not the sum in dispute
    min_amount: int = Field(default=10, ge=0)  # 挖塌了一块, 1.5元一平: not the sum in dispute


class ExtractionRules(Strict):
    # dialect words read as Mandarin first (喺 -> 在, 琴日 -> 昨天), each with a Mandarin word of the same length
    dialect: dict[str, str] = {}
    dispute: DisputeCues
    risk: RiskCues = RiskCues()
    categories: CategoryCues = CategoryCues()
    places: PlaceCues
    parties: PartyCues
    time: TimeCues
    counts: CountCues = CountCues()

    @field_validator("dialect")
    @classmethod
    def _same_length(cls, words: dict[str, str]) -> dict[str, str]:
        uneven = [f"{w} -> {m}" for w, m in words.items() if not w.startswith("re:") and len(w) != len(m)]
        if uneven:
            raise ValueError(f"a dialect word and its Mandarin must be as long as each other: {', '.join(uneven)}")
        return words


def load_extraction_rules(rules_dir: Path | None = None) -> ExtractionRules:
    """extraction.yaml from `rules_dir` if it has one, else the shipped file."""
    path = rules_dir / FILE_NAME if rules_dir is not None and (rules_dir / FILE_NAME).exists() else DEFAULT_FILE
    return load_yaml_model(path, ExtractionRules)
