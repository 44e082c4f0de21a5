"""What makes the extractor hold up on reports written in words the dev set does not have: topic words over
context words, leftmost-longest keywords, the quarrel's cause, the n-gram fallback, red acts as grid workers
describe them, and the lists kept consistent."""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import SHANGHAI
from bot.extraction.cues import KeywordScanner
from bot.extraction.learn import main
from bot.extraction.lexicon import load_extraction_rules
from bot.extraction.ngrams import (
    EXAMPLES_FILE,
    NOT_RED,
    RED,
    LogisticScorer,
    NgramScorer,
    features,
    keyword_examples,
    largest,
    shipped,
)
from bot.extraction.rules import RuleExtractor
from config.rules import load_rules
from config.settings import RULES_DIR

SENT = datetime(2027, 1, 12, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def ex() -> RuleExtractor:
    return RuleExtractor(load_rules(RULES_DIR))


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the topic decides, not who or where (邻居, 小区, 医院, 老板)
        ("邻居王某烧秸秆的烟把李某家晾的被子熏黑了，两人吵了起来", "damage"),
        ("小区楼下有人养蜜蜂，把邻居家孩子蜇了，家长找上门理论", "damage"),
        ("果园征迁的补偿算少了，刘某不同意，邻居们也有意见", "demolition"),
        ("张某在村里小卖部赊了一年的账不给，老板娘去他家要", "debt"),
        ("小区业主张某借给邻居李某两万块钱，到期不还", "debt"),
        ("县医院的护工王某说医院欠她三个月工资没发", "labor"),
        ("物业保安王某下班骑电动车把业主刘某撞倒了，刘某腿骨折", "traffic"),
        ("医院门口两个开三轮的为抢客人打起来了", "other"),
        # the cause names the topic: 为宅基地的事
        ("张某和邻居李某为宅基地的事吵了起来", "land"),
        # holdouts 56 and 57: a spouse beaten, a child kept from a parent, whatever the weapon or the mood
        ("青石村2组付某某家里不太平，男的拿铁锹把老婆的腿打断了，人躺在地上起不来", "family"),
        ("群众刘某来电，说前夫不让她看娃娃，已经三个月没见到了，情绪比较激动", "family"),
        # holdout64: what a parent left at death is an inheritance, whatever the goods (an orchard, not land)
        ("俺娘前年没了，留下三间瓦房和两亩果园，俺大哥一个人占着不让俺们几个分", "family"),
        # a quarrel over parking is a property matter (9 of 13 labelled so), even at a factory's gate
        ("瑞丰纺织厂门口两个路人为停车打起来了，快来人", "property"),
    ],
)
def test_topic_words_decide(ex: RuleExtractor, text: str, category: str) -> None:
    got = ex.extract(text, SENT)
    assert got.is_dispute and got.category == category, got.reasons


def test_a_fields_ridge_is_land_by_its_own_word(ex: RuleExtractor) -> None:
    """Officers see the word that decided (类别:土地山林(垄沟)), not a resemblance; 媳妇 in the phone line is no family
    matter."""
    got = ex.extract("老孙家跟老赵家为那条垄沟又掰扯上了，孙某媳妇电话15500001122", SENT)
    assert got.category == "land" and "垄沟" in got.reasons[0], got.reasons


@pytest.mark.parametrize(
    "text",
    [
        "两家女人为晒谷子占地方的事扭在一起，周围邻居在劝",
        "医院里病人家属踢翻了治疗车，和护士拉扯",
        "村民把拉砂石的货车扣下了，不让司机走，说压坏了村道",
        "王某上去扇了对方一巴掌",
        "李某喝了点酒又对老婆动粗",
        "几个人把他按在地上打",
        "老孙家媳妇从梯子上被推下来了，两家为枣树吵了好几年",
        "说要把对方的羊毒死，两个养羊户为草坡天天对骂",
        "承包商把桥两头用石头堵了不让过，村里欠他工程款",
        "手里攥着一瓶农药，说不给钱就喝",
    ],
)
def test_red_acts_as_grid_workers_write_them(ex: RuleExtractor, text: str) -> None:
    got = ex.extract("幸福村" + text, SENT)
    assert got.is_dispute and got.risk == "high", got.reasons


@pytest.mark.parametrize(
    "text",
    [
        "李某跟邻居为车位吵，李某说再敢停这里就锤爆你车",
        "陈某欠阿华三万蚊唔还，阿华喺佢门口喊：你睇住嚟",
        "周某在群里发：你闺女几点放学我都清楚",
        "王某把老婆关在屋里不让出门，邻居听到哭喊",
        "李某喝了两瓶白酒，在村委会门口骂人",
        "两家人为晒场又打相打了",
        "杨某讲要开车往那帮人身上撞过去",
        "赵某跟老公闹离婚，在朋友圈写了遗言",
        "钱某的工钱没结，站在天台边上不下来",
        "阿强同陈生为铺位吵，揸住把西瓜刀企喺铺头门口",
        "张某掂着铁锨撵着李某跑",
        "孙某欠钱不还，债主说再躲就叫兄弟来",
        "两家为鱼塘吵，马某说老子今天就灭了你",
        # farewells, refusals and walking off (holdouts 31 and 33 taught the kind, these are new wordings)
        "周某为工钱跟老板闹了半年，昨晚给工友发微信说以后别找我了，替我照顾好我妈",
        "刘老太跟儿子吵完，降压药五天没吃了，说活着拖累人",
        "孙某被他媳妇娘家人锁在屋里两天了，手机也被收走了",
        "杨某为车位跟邻居吵，今早邻居车的四个轮胎都被扎了",
        "吴某说再不给他修路他那锄头可不是吃素的",
        # holdout35's kinds, said anew: taking someone along, a blade glimpsed, a face threatened, an old gun out
        "李某为赔偿款跟厂里闹，今天说反正活不长了，走之前拉个垫背的",
        "隔壁两口子又吵，男的从厨房出来手里拿着个明晃晃的东西",
        "刘某跟前女友为彩礼吵，说要让她这张脸以后见不了人",
        "赵家为地界的事，把那杆老火铳从柜子里拿出来擦了",
        "两家吵完，有个人坐在楼顶边上，腿在外面晃",
        # holdout37's kinds, said anew: a child's school asked after, a tool raised
        "钱某欠李某五万不还，李某这几天到处打听钱某闺女在哪个学校",
        "两个摊主为占道又吵，王某把杀鱼的家伙抡起来了",
        # holdout60's kinds, said anew: shop staff held, children entrusted in Hakka
        "装修公司老板跑了，十几户业主把卷帘门拉下来不让店员走",
        "阿梅跟老公吵了一夜，打电话给她妹妹讲“我去寻阿婆了，细伢仔交分你”",
        # holdouts 62 and 63: a named river, a fight called in a forwarded screenshot
        "卢某离婚后前夫三年没给抚养费，她今天在群里哭，说要抱着孩子去跳嘉陵江",
        "转发一张截图：有人在群里讲今晚十点在村球场叫齐兄弟劈友，下面十几个人回收到",
    ],
)
def test_red_said_in_words_from_the_lists(ex: RuleExtractor, text: str) -> None:
    """The word lists of risk.yaml (weapon, hold, harm_verb, target, kin) in the patterns that name them: ways of
    saying danger that no labelled set holds."""
    got = ex.extract("幸福村" + text, SENT)
    assert got.is_dispute and got.risk == "high", got.reasons


@pytest.mark.parametrize(
    ("text", "dispute"),
    [
        ("邻居之间吵架打架，派出所管不管？我就问问", False),
        # asked at the end of a report, the question is the reporter's plea, not a question instead of a report
        (
            "小区车库我的车位天天被人占，我去说了两句，那人放话说明早让我车少几个轱辘，还踹了我车门一脚。物业管不管啊",
            True,
        ),
    ],
)
def test_who_handles_it_asked_first_is_a_question_asked_last_a_plea(text: str, dispute: bool) -> None:
    lists_alone = RuleExtractor(load_rules(RULES_DIR))
    lists_alone.classifier.dispute_ngrams = None  # the word lists' decision, not the learnt scorer's overturn
    assert lists_alone.extract(text, SENT).is_dispute is dispute


@pytest.mark.parametrize(
    ("text", "red"),
    [
        # an old fight told as background, in a report that says it was dealt with
        ("幸福村葛某跟邻居前年打过一架，当时派出所处理过了，今年又为鸡啄菜的事吵，村里在调", False),
        ("幸福村两家年前那次打架 派出所早处理完了 现在是为梨树的果子又吵上了", False),
        # ... but a threat now, in a clause of its own, still fires
        ("幸福村葛某跟邻居前年打过一架，当时派出所处理过了，今天葛某又拎着斧头堵在邻居门口", True),
        # holdout39: the settlement said as what mediation agreed (调解说好), though not all of it is paid yet
        ("去年腊月在集上被邱某推了一把，摔断了手腕，派出所调解说好赔两万，到现在只给了五千", False),
        # holdout40: each side paid the other's doctor (各自赔了医药费)
        ("前年两家为这个打过一架，当时镇司法所调了、各自赔了医药费。今年开春又往那边挪了半米，两家又吵", False),
        # and an old fight never dealt with is still red
        ("幸福村葛某跟邻居前年打过一架，今年又为鸡啄菜的事吵起来了", True),
        # holdout57: last month's or the day before's scuffle, broken up at once, before a claim for a few stools
        ("幸福村葛某和何某上个月为水沟打过一架，当时都没伤，早就散了。现在何某要葛某赔两百块菜苗钱", False),
        ("前天晚上烧烤店两伙人推了几下，当场就被劝开了。今天老板说那晚被踢坏两张凳子，想找那伙人赔", False),
    ],
)
def test_an_old_fight_dealt_with_is_background(ex: RuleExtractor, text: str, red: bool) -> None:
    assert (ex.extract(text, SENT).risk == "high") is red


def test_a_word_added_to_a_list_reaches_every_pattern_naming_it(tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules_dir)
    text = "幸福村张某跟李某为地界吵，张某拎着一把洋叉子撵人"
    assert RuleExtractor(load_rules(rules_dir)).extract(text, SENT).risk == "high"  # 叉 is a weapon already
    text = "幸福村张某跟李某为地界吵，张某拎着一把戥子撵人"
    assert RuleExtractor(load_rules(rules_dir)).extract(text, SENT).risk != "high"
    risk = rules_dir / "risk.yaml"
    risk.write_text(risk.read_text(encoding="utf-8").replace("  weapon: [", "  weapon: [戥子, ", 1), encoding="utf-8")
    assert RuleExtractor(load_rules(rules_dir)).extract(text, SENT).risk == "high"


@pytest.mark.parametrize(
    "text",
    [
        "白沙村陈某和吴某某两家为排水沟扯皮，现在两家都在地头，没扭在一起，情绪还行",
        "石板村的修路工程队放炮炸石头，飞出来的石块把村民梁某家的屋顶砸了个洞，梁某要工程队赔",
        "有没有会修水管的师傅 推荐一下",
        "幸福村周某说买的除草剂是假的，杀了他半亩麦苗，要农资店赔",
        "幸福村卫生室给赵某打针，打完身上起了红疹子，家属要个说法",
        "幸福村5组小两口又吵架了，声音挺大，没听见动手，网格员去劝一劝",
        "幸福村赵某欠李某五万块，说这钱下辈子也还不清了，李某要去法院告",
        "幸福村王某找兄弟借了两万块做生意，到期不还，兄弟俩闹翻了",
        "幸福村孙某骑电动车回家，一辆货车朝他开过来没刹住，腿擦伤了，两边在谈赔偿",
        "幸福村卫生院给赵某拔了颗牙，脸肿得跟被人揍了一样，卫生院说正常",
        # holdouts 56 to 58: Hunan's 冒 is 没; a figure of speech; manure on a vegetable bed
        "分拣员小邹跟班组长为计件工资吵架，工牌一甩说不干了，冒动手，我在这边劝",
        "楼上的空调外机正对我家窗户，热风吹得我想杀人😤 说了也不挪，网格员帮忙催催",
        "幸福花园2栋有户人家在楼顶种菜泼粪水，臭得很，楼下住户意见大得很",
        "王某说李某冤枉他偷了鸡，他跳进黄河也洗不清，两家吵了几句",
    ],
)
def test_no_red_without_violence(ex: RuleExtractor, text: str) -> None:
    """No red cue fires (the safety net may still ask an officer to check a report like the red ones: 请核实)."""
    got = ex.extract(text, SENT)
    assert got.risk != "high" or got.reasons[-1:] == ["红:与以往红色纠纷相近，请核实"], got.reasons


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("两家为地界吵了很久，双方都不让步，王某和李某", "medium"),
        ("王某说要去市里告状，说村里补偿款少给了", "medium"),
        ("两家为院墙的事吵，矛盾越来越大，张某和李某", "medium"),
        ("西坡村严某某说他家的承包地被村里调了，他不服，说承包期三十年没到不能调", "low"),
        ("青石社区护理员邢某说干满三个月要辞职，老板说没干满半年不退押金", "low"),
        ("王某在网上买的鞋子开胶了，店家不给退", "low"),
        # holdouts 56 to 58: many members or households are many parties
        ("社区旁边的健身房突然关门跑路了，老板电话打不通，好多会员都在群里骂", "medium"),
        ("天池村有人说低保评得不公平，昨天下午六七家人到村委会门口吵了一架", "medium"),
        ("幸福村两家人为门口晾衣服的事吵了几句，想请网格员去说一说", "low"),  # two households are the sides
        # holdout59: going again and again, going together (north-western 一搭)
        ("幸福村张某说承包地不能收回，拿着合同天天往村委会跑", "medium"),
        ("物业把小区东门焊死了，业主群里都吵翻了，好多人说要一搭去街道办反映", "medium"),
    ],
)
def test_yellow_is_for_long_stubborn_or_escalating_matters(ex: RuleExtractor, text: str, risk: str) -> None:
    assert ex.extract(text, SENT).risk == risk


def test_kin_words_after_and_are_not_names(ex: RuleExtractor) -> None:
    assert ex.extract("王某和老太太吵了几句，老太太说王某占了她家的过道", SENT).parties == ["王某"]
    assert ex.extract("刚才东湖小区的电梯修好了，谢谢物业", SENT).is_dispute is False  # 谢谢物业 is no company


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("马家庄3组王某和李某为地界吵起来了", "马家庄3组"),
        ("城关镇李家屯五组王某家漏水，楼上李某不管", "城关镇李家屯5组"),
        ("沙河村的蒋某在村头小卖部赊了两年的烟酒，老板娘催了几次", "沙河村"),
    ],
)
def test_village_names_without_cun_need_a_group(ex: RuleExtractor, text: str, place: str) -> None:
    assert ex.extract(text, SENT).location == place


def test_a_ditch_alone_is_not_a_place(ex: RuleExtractor) -> None:
    assert ex.extract("张某和李某为排水沟吵起来了", SENT).location is None


@pytest.mark.parametrize(
    ("text", "amount"),
    [("邻居要他赔八百，他说石墩本来就占了路", 800), ("村民们损失加起来有十来万，王某和李某吵", 100000)],
)
def test_spoken_sums_without_a_unit(ex: RuleExtractor, text: str, amount: int) -> None:
    assert ex.extract(text, SENT).amount == amount


def test_keywords_match_leftmost_longest() -> None:
    scanner = KeywordScanner([("property", ["物业", "物业公司"]), ("labor", ["社保"])])
    hits = scanner.hits("物业公司两年没给保安交社保，物业经理不管")
    assert [(g, k) for g, k, _, _ in hits] == [("property", "物业公司"), ("labor", "社保"), ("property", "物业")]


def test_the_fallback_guesses_only_without_keyword_evidence(ex: RuleExtractor) -> None:
    text = "石门村村民喻某某家的祖宗地边上被邻组的人刨了种东西，喻某某说动了风水，两边吵起来了"
    got = ex.extract(text, SENT)
    assert got.is_dispute and any("相近用语" in r for r in got.reasons)
    scores = ex.classifier.category_scores("邻居王某烧秸秆，把李某家熏黑了，吵起来")
    assert ex.classifier.category(scores, "")[0] == "damage"  # the keywords alone already decide


def test_the_ngram_scorer_generalises_from_keywords() -> None:
    examples = keyword_examples([("demolition", ["征地", "征收", "拆迁"]), ("debt", ["借钱", "欠款", "赊账"])], 1.0)
    scorer = NgramScorer(["demolition", "debt"], examples)
    assert scorer.best("征迁的事")[0] == "demolition"  # type: ignore[index]
    assert scorer.best("赊了一年")[0] == "debt"  # type: ignore[index]
    assert scorer.best("😀") is None
    assert "某" not in "".join(features("张某和李某某吵架"))


def test_the_shipped_examples_come_from_the_labelled_sets() -> None:
    """The fallbacks learn from the dev set and the training batches, every labelled message, and no holdout."""
    data = Path(__file__).resolve().parents[1] / "data"
    sets = [data / "extract_dev.jsonl", *sorted(data.glob("extract_train_*.jsonl"))]
    assert EXAMPLES_FILE.exists() and len(sets) >= 7
    rows = [json.loads(line) for p in sets for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    finals = [r["expect"] for r in rows if not r["expect"].get("partial") and "update_code" not in r["expect"]]
    reports = sum(1 for e in finals if e["is_dispute"] and e.get("category"))
    rebuild = ".venv/bin/python -m bot.extraction.learn tests/data/extract_dev.jsonl tests/data/extract_train_*.jsonl"
    learnt = shipped()
    assert len(learnt.reports) == reports, rebuild
    assert len(learnt.disputes) == len(finals), rebuild
    assert len(learnt.reds) == reports, rebuild


def test_the_fallback_never_learns_from_a_holdout(tmp_path: Path) -> None:
    holdout = tmp_path / "extract_holdout3.jsonl"
    holdout.write_text("", encoding="utf-8")
    out = ["--examples", str(tmp_path / "x.yaml"), "--model", str(tmp_path / "x.crfsuite")]
    assert main([str(holdout), *out]) == 2
    assert not (tmp_path / "x.yaml").exists() and not (tmp_path / "x.crfsuite").exists()


def test_the_weight_lists_name_keywords_of_categories_yaml() -> None:
    rules, cats = load_rules(RULES_DIR), load_extraction_rules().categories
    owners = Counter(k for c in rules.categories.categories for k in c.keywords)
    assert [k for k, n in owners.items() if n > 1] == [], "a keyword belongs to one category"
    tiers = {"strong": cats.strong, "weak": cats.weak, "context": cats.context, "weights": list(cats.weights)}
    for name, words in tiers.items():
        assert [w for w in words if w not in owners] == [], f"{name}: not a keyword of categories.yaml"
    seen = Counter(w for words in tiers.values() for w in set(words))
    assert [w for w, n in seen.items() if n > 1] == [], "a keyword has one weight"


_THREAT = "两家为这事吵起来，一家说这回跟他们没完，晚上堵在村口等着看谁先出门"
_CALM = "两家为晒谷场的事拌了几句嘴，各自回家了，说好明天请村里量一量"


def test_the_logistic_judge_learns_which_words_tell_red_apart() -> None:
    examples = [(RED, _THREAT, 1.0)] * 5 + [(NOT_RED, _CALM, 1.0)] * 5
    judge = LogisticScorer(RED, examples)
    threat = "张某说跟他没完，晚上在村口等着看谁先出门"
    calm = "张某和李某拌了几句嘴，说好明天请村里量一量"
    assert judge.score(threat) > 1.0 > -1.0 > judge.score(calm)
    assert LogisticScorer(RED, examples).score(threat) == judge.score(threat), "the same examples, the same weights"
    # a text of words it never saw scores the bias alone; with one kind only there is nothing to tell apart
    assert abs(judge.score("abc")) < 1.0
    assert LogisticScorer(RED, examples[:5]).score(threat) == 0.0


@pytest.mark.parametrize(("margin", "logit", "raised"), [(None, 1.0, True), (None, None, False), (0.0, None, True)])
def test_either_judge_of_the_red_net_raises_a_report(margin: float | None, logit: float | None, raised: bool) -> None:
    """The centroids and the logistic regression each raise a report on their own (risk.red_fallback_margin and
    risk.red_fallback_logit); with both off the net raises nothing."""
    lexicon = load_extraction_rules(RULES_DIR)
    risk = lexicon.risk.model_copy(update={"red_fallback_margin": margin, "red_fallback_logit": logit})
    ex = RuleExtractor(load_rules(RULES_DIR), lexicon=lexicon.model_copy(update={"risk": risk}))
    ex.classifier.learn(shipped().reports, red_examples=[(RED, _THREAT, 1.0)] * 5 + [(NOT_RED, _CALM, 1.0)] * 5)
    got = ex.extract("东关村张某和李某为晒谷场的事吵起来，张某说这回跟他没完，晚上就在村口等着看谁先出门", SENT)
    assert (got.risk == "high") is raised
    assert any("请核实" in r for r in got.reasons) is raised


def test_the_red_safety_net_flags_unlisted_danger_for_checking() -> None:
    """A report no red cue fires on, written like the labelled red ones, is red with a reason asking to check."""
    ex = RuleExtractor(load_rules(RULES_DIR))
    clf = ex.classifier
    red = "两家为这事吵起来，一家说这回跟他们没完，晚上堵在村口等着看谁先出门"
    calm = "两家为晒谷场的事拌了几句嘴，各自回家了，说好明天请村里量一量"
    reds = [("high", red, 1.0)] * 5 + [("other", calm, 1.0)] * 5
    clf.learn(shipped().reports, red_examples=reds)
    try:
        got = ex.extract("东关村张某和李某为晒谷场的事吵起来，张某说这回跟他没完，晚上就在村口等着看谁先出门", SENT)
        assert got.risk == "high" and any("请核实" in r for r in got.reasons)
        calm_report = "张某和李某为晒谷场的事拌了几句嘴，各自回家了，说好明天请村里量一量再说"
        assert ex.extract(calm_report, SENT).risk != "high"
        # a short report says too little for a resemblance to count (red_fallback_min_chars)
        assert ex.extract("张某和李某为晒谷场吵起来，张某说跟他没完", SENT).risk != "high"
    finally:
        clf.learn_shipped()


def test_manure_thrown_at_a_door_is_still_red(ex: RuleExtractor) -> None:
    assert ex.extract("幸福村王某跟邻居吵了架，半夜往邻居家门上泼粪，还说要烧他家房子", SENT).risk == "high"


@pytest.mark.parametrize("size", [5, 300, 10_000])
def test_the_nearest_examples_are_the_largest_similarities(size: int) -> None:
    """largest()'s shortcut (set aside what is below the k-th largest of a sample) keeps exactly the k largest values,
    ties and zeros included, as a partial sort of all of them does."""
    import numpy as np

    rng = random.Random(size)
    for _ in range(50):
        values = np.array([rng.choice([0.0, 0.0, 0.5, rng.random()]) for _ in range(size)])
        k = min(10, size)
        want = np.sort(values[np.argpartition(-values, k - 1)[:k]])
        assert np.array_equal(np.sort(values[largest(values, k)]), want)
