"""Field by field: phones, ID numbers, sums, head counts, times, places, parties, dispute or not, code references."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import SHANGHAI
from bot.extraction import find_code_ref, follow_up
from bot.extraction.contacts import id_checksum_ok, phones
from bot.extraction.lexicon import ExtractionRules, load_extraction_rules
from bot.extraction.places import normalise, same_place
from bot.extraction.rules import RuleExtractor
from config.rules import RuleFileError, load_rules
from config.settings import RULES_DIR

SENT = datetime(2026, 11, 20, 9, 12, tzinfo=SHANGHAI)
VALID_ID = "110101197301260877"


def _without_tagger(lexicon: ExtractionRules) -> ExtractionRules:
    return lexicon.model_copy(update={"places": lexicon.places.model_copy(update={"tagger_prior": 0.0})})


@pytest.fixture(scope="module")
def rules_only() -> RuleExtractor:
    """The place grammar alone, without the learnt tagger that weighs its places (test_extraction_tagger.py)."""
    return RuleExtractor(load_rules(RULES_DIR), lexicon=_without_tagger(load_extraction_rules()))


@pytest.fixture(scope="module")
def ex() -> RuleExtractor:
    return RuleExtractor(load_rules(RULES_DIR))


@pytest.mark.parametrize(
    ("text", "phones"),
    [
        ("张某电话138 0013 8000", ["13800138000"]),
        ("李某电话1380013 6612", ["13800136612"]),
        ("周某手机+86 139 0000 5102", ["13900005102"]),
        ("杨某某电话：137-0000-5561", ["13700005561"]),
        ("单位电话 0571-88884321，手机13800130577", ["0571-88884321", "13800130577"]),
        (f"黄某某身份证{VALID_ID}，手机13800130577", ["13800130577"]),
        ("打12345投诉过，拨打96110和110", []),
    ],
)
def test_phones(ex: RuleExtractor, text: str, phones: list[str]) -> None:
    assert ex.extract("邻居吵架 " + text, SENT).phones == phones


def test_id_numbers_need_a_valid_checksum(ex: RuleExtractor) -> None:
    assert id_checksum_ok(VALID_ID) and id_checksum_ok("33010219880607115X")
    assert not id_checksum_ok("110101197301260878")
    got = ex.extract(f"王某和李某吵架，王某身份证{VALID_ID}，李某身份证110101197301260878", SENT)
    assert got.id_numbers == [VALID_ID]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("张某欠李某三万二千元不还", 32000),
        ("张某欠李某8万块钱不还", 80000),
        ("施工队要赔2万8 施工方只给五千", 28000),
        ("老板拖欠工资一共两万六", 26000),
        ("拖欠工资共一百二十多万", 1200000),
        ("借给他18.8万彩礼", 188000),
        ("借了六千说好年底还", 6000),
        ("要求赔5000，超市只退面包钱", 5000),
        ("花了几千到上万不等", None),
        ("物业费每平方从1.2元涨到1.5元，业主有意见", None),
        ("墙角挖塌了一块，邻居吵架", None),
        ("赊了烟酒钱一千三百二一直没给", 1320),  # the last digit counts tens; 一直 is not more of the number
        ("工钱一共三万六千五还欠起", 36500),
        ("死了一千多斤鱼，算下来损失三万五左右", 35000),  # 一千多斤 is a weight, not money
        # the largest of several sums (holdout17): the claim, not the first sum written
        ("住了二十多天院，花了三万多，家属要他赔四万五", 45000),
        ("老板扣了她五百块押金不退，还有工资一千五没给", 1500),
    ],
)
def test_amounts(ex: RuleExtractor, text: str, amount: int | None) -> None:
    got = ex.extract("王某和李某纠纷：" + text, SENT)
    assert got.is_dispute and got.amount == amount


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("业主十几人和保安对峙", 10),
        ("约40名工人聚集讨薪", 40),
        ("几十名村民把镇政府堵了", 20),
        ("家里五六个人去店里砸东西", 5),
        ("二十几个搬运工堵在市场门口", 20),
        ("两人打起来了", 2),
        ("老人一个人住，儿子不管，纠纷", None),
        ("几个儿子都不赡养老人", None),
    ],
)
def test_head_counts(ex: RuleExtractor, text: str, count: int | None) -> None:
    assert ex.extract(text, SENT).head_count == count


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("昨天晚上8点张某和李某打起来了", datetime(2026, 11, 19, 20, 0, tzinfo=SHANGHAI)),
        ("昨晚11点多两车追尾，双方打斗", datetime(2026, 11, 19, 23, 0, tzinfo=SHANGHAI)),
        ("今天上午几十名村民堵门", datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)),
        ("昨天晚上8点开始吵的，张某扬言报复", datetime(2026, 11, 19, 20, 0, tzinfo=SHANGHAI)),
        ("刚才两家打起来了", SENT),
        ("去年张某借了李某5万元不还", None),
    ],
)
def test_occurred_at_is_resolved_against_sent_at(ex: RuleExtractor, text: str, when: datetime | None) -> None:
    assert ex.extract(text, SENT).occurred_at == when


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [
        ("@警务助手 【矛盾纠纷】幸福村3组张某与李某因宅基地争执，张某扬言要报复", None, "幸福村3组"),
        ("清水镇李家湾村彩礼纠纷：男方李某某要求全退", None, "清水镇李家湾村"),
        ("红星社区8栋402住户李某长期家暴", None, "红星社区8栋402"),
        ("县人民医院急诊科 家属二十多人聚集 打了值班医生", None, "县人民医院急诊科"),
        ("东关村李某说在好又多超市买了过期奶粉，超市只肯退钱", None, "好又多超市"),
        ("建设路与人民路交叉口 货车和电动车撞了 司机打起来了", None, "建设路与人民路交叉口"),
        ("桃源村周某在村里农资店买的化肥有问题，想找店老板赵某某要个说法", None, "桃源村"),
        ("赵某家的羊跑进李某某菜地吃了白菜，李某某想要点赔偿", "清水镇", "清水镇"),
        ("石桥村黄某某多次扬言要去县政府自焚", None, "石桥村"),
        ("南山村二组王某和李某吵架", None, "南山村2组"),
    ],
)
def test_location(ex: RuleExtractor, text: str, area: str | None, place: str) -> None:
    assert ex.extract(text, SENT, area).location == place


@pytest.mark.parametrize(
    "text",
    ["明珠大道与兴华路口 两辆电动车刮了 两个人吵起来了", "明珠大道与兴华路交叉口 两辆电动车刮了 两个人吵起来了"],
)
def test_a_junction_whose_second_road_ends_in_its_crossing(rules_only: RuleExtractor, text: str) -> None:
    """与兴华路口: the second road's 路 is the 路 of 路口; the grammar alone reads the whole junction."""
    assert rules_only.extract(text, SENT).location == text.split(" ")[0]


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [
        ("11幢有人在楼道堆了一大堆纸箱，挡到消防栓了", "海悦湾", "海悦湾11幢"),
        ("2组的曾某某家还是不签，补偿少了二十几万", "东垵村", "东垵村2组"),
        ("6幢1603这家人天天夜里拖桌子，讲过两趟了照旧", "翠湖湾", "翠湖湾6幢1603"),
        ("业主张生唔肯交停车费，同东门保安拗起，就喺东门！", "锦绣华庭", "锦绣华庭东门"),
        ("小区大门口又堵起来了，廿几个业主围在门口同保安对骂", "锦澜苑", "锦澜苑大门"),
        ("十几个人堵在村口不让施工队进", "双溪村", "双溪村村口"),
        ("11幢有人在楼道堆了一大堆纸箱，挡到消防栓了", None, "11幢"),  # no bound area: the part as written
        ("红星社区8栋402住户李某长期家暴", "海悦湾", "红星社区8栋402"),  # a place of its own is kept
        # holdout13's lessons (scored first at 9c6e085): named groups, floors, a village's shop, 小区路口
        ("下排组赖老汉讲两个崽都不给生活费，村里调了三次冇谈拢", "罗坑村", "罗坑村下排组"),
        ("龙头坳村坳背组邱某和肖某为门口停车扯皮，邱某捡起砖头把车窗砸了", "龙头坳村", "龙头坳村坳背组"),
        ("长坡村两个组为放水的事吵起来了", "长坡村", "长坡村"),  # two groups, not a group named 两个
        ("凤栖村修通组公路要占闻某某家两分菜地", "凤栖村", "凤栖村"),  # the road to the groups
        ("3栋二楼那家把空调外机对到我家窗子吹，跟他讲他说关你哪样事", "翠竹苑", "翠竹苑3栋2楼"),
        ("小卖部唐娭毑讲李某在她店里赊了一年的烟酒，八百多块一直不还", "石灰冲村", "石灰冲村小卖部"),
        ("社区里面那个棋牌室有人打牌输了钱，喝了酒扬言明天带人来砸场子", "凤凰湾社区", "凤凰湾社区棋牌室"),
        # holdout14's lessons (scored first at cf52017): the area called by its name's tail, a village's sides
        ("物流园宿舍区那边两个货车司机为抢装车的顺序吵吵起来", "鲁兴物流园", "鲁兴物流园宿舍区"),
        ("马铺村东头冯某跟他侄子冯某某为老人留下的三间老屋打官司", "马铺村", "马铺村东头"),
        ("河西村李某和王某为宅基地吵，今天在村委会调解", "河西村", "河西村"),  # mediated there, not the place
        # holdout16's lessons (scored first at c43b93c)
        # Inner Mongolia: a gacha (嘎查, a village) in a sumu's (苏木, a township's) group is the place
        ("沙日塔拉苏木 乌力吉图嘎查的牧户斯琴跟她小叔子为分家的事闹了好几年了", "沙日塔拉苏木", "乌力吉图嘎查"),
        # Beijing and Tianjin: a courtyard (号院) and an entrance (门) like a 单元
        ("9号院西厢房那个赵某某 天天把电动车推院儿里充电 过道全堵死了", "翠槐里社区", "翠槐里社区9号院"),
        ("4号楼2门301 家暴 王某某说她爷们儿又打她", "芦花里社区", "芦花里社区4号楼2门301"),
        # 咱 starts no name
        ("他借钱不还 我就知道他住咱芦花里2号楼", "芦花里社区", "芦花里2号楼"),
        # holdout39: a market named alone; holdout38 and 39: a building named as where a side lives is no place
        ("刚才菜场门口一辆电动车跟三轮车刮了一下，两个人吵了几句", "东风社区", "东风社区菜场"),
        ("8栋的孙某欠我五千块，刚才碰着他，不但不还还骂人", "科尔沁家园", "科尔沁家园"),
        # holdout58 (workplace groups): a hospital's departments, a school called 学校 in its own group
        ("急诊科这边有家属闹事，把护士站的电脑砸了", "仁和医院", "仁和医院急诊科"),
        ("收费处有个大爷说多收了他两百块，跟收费员吵起来了", "仁和医院", "仁和医院收费处"),
        ("放学的时候两边家长在学校东门口吵起来了", "育才中学", "育才中学东门"),
    ],
)
def test_a_part_named_alone_is_the_bound_areas_part(ex: RuleExtractor, text: str, area: str | None, place: str) -> None:
    assert ex.extract(text, SENT, area).location == place


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [
        ("东垵村征迁这块，2组的曾某某家还是不签", "东垵村", "东垵村2组"),
        ("禾田村高铁征地青苗补偿，我哋七队有二十几户到而家都未收到", "禾田村", "禾田村7队"),
        ("桑浜村土地流转租金一直没付，涉及1组、2组三十几户", "桑浜村", "桑浜村"),  # several groups
        ("青冈坪村1、2、3组二十几户的流转费到现在都没给", "青冈坪村", "青冈坪村"),
        ("锦江花园有个事，7栋的住户欧某喝多了在楼下追着保安打", "锦江花园", "锦江花园"),  # where a side lives
        # a working group, not a village's
        ("麂子岩村独居的阳奶奶老屋在征收范围，她侄子阳某觉得太低，征收组去了几趟都没签", "麂子岩村", "麂子岩村"),
        ("后寨村毛某在村卫生室拔牙，两家在卫生室吵了一后晌", "后寨村", "后寨村卫生室"),
        ("大瓮口村瓮某军不愿意，今天后晌在村委会拍桌子吵了一通", "大瓮口村", "大瓮口村村委会"),
        # holdouts 38 and 39: someone at the part now, a quarrel carried to it; a building named as a side's home
        ("凤凰社区的黄某刚才拎着根钢管在北门那里转来转去，见人就骂", "凤凰社区", "凤凰社区北门"),
        ("茶坪村钟某某和他妹妹钟某争茶园，两个人吵到村委会来了", "茶坪村", "茶坪村村委会"),
        ("雅桥村王某某因为补助没评上，现在在村委会拿着一瓶农药", "雅桥村", "雅桥村村委会"),
        ("科尔沁家园的事，8栋的孙某欠我五千块一直不还", "科尔沁家园", "科尔沁家园"),
        ("老街社区3号院的温老头坐在自家煤气罐边上不走", "老街社区", "老街社区3号院"),  # a courtyard of homes
        # holdouts 56 and 57: an area whose name starts with 那 ('that'); Minnan 佮 ('and'); 没 starts no name
        ("那坡村砖厂的工人小陆说做了半个月，老板扣了他八百块工钱，小陆不服", "那坡村", "那坡村砖厂"),
        ("后垵村佮前垵村为着祖厝边彼块地，两爿拢叫人来，有人提锄头", "后垵村", "后垵村"),
        ("翠湖苑三十多户业主在小区门口拉了横幅，没堵路也没吵闹，就是贴了联名信", "翠湖苑", "翠湖苑"),
    ],
)
def test_the_area_named_in_full_with_its_group_or_scene_apart(
    rules_only: RuleExtractor, text: str, area: str, place: str
) -> None:
    assert rules_only.extract(text, SENT, area).location == place


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # holdouts 59 and 61: after a quoted name, a time, a clause or a wall is no part of the venue's name
        ("石门村马路边的“老张家”农家乐夜里唱卡拉OK唱到一两点，周边十几户人家睡不成觉", "老张家农家乐"),
        ("江贝路“阿华大排档”有两围客饮醉咗嗌交，七八个人推来推去", "阿华大排档"),
        ("“宏达”模具厂围墙倒咗，压坏墙外停住嘅5架电动车，车主们要求厂里赔", "宏达模具厂"),
        # ... but a trade and its shop are one name, a stall too
        ("社区门口那家“青丝”美发店，我办的卡充了三千，现在店要转让了，老板说卡里的钱不退了", "青丝美发店"),
        ("南后街“老福州”鱼丸摊的林伯讲，隔壁卖光饼的郑某借他三千块，借了大半年不还", "老福州鱼丸摊"),
    ],
)
def test_a_quoted_names_venue_word_ends_it(rules_only: RuleExtractor, text: str, place: str) -> None:
    assert rules_only.extract(text, SENT).location == place


@pytest.mark.parametrize(
    ("text", "side"),
    [
        # a firm named by its trade (物流, 包装, 化工) after a zone, a zone's inside or a village's end is a side
        ("城南港区通达物流的货车司机反映，公司每个月扣他们五百块押金，离职了也不退", "通达物流"),
        ("我在园区里永发包装干了八个月，辞职了老板扣着我两个月工资不给", "永发包装"),
        ("杨柳村东头鑫海化工排的水把下游的鱼塘毒死了，二十多个养鱼的把厂门口堵了", "鑫海化工"),
    ],
)
def test_a_firm_named_by_its_trade_is_a_side(ex: RuleExtractor, text: str, side: str) -> None:
    assert side in ex.extract(text, SENT, None).parties


@pytest.mark.parametrize(
    ("text", "place", "side"),
    [
        # holdout58: a development zone written short (经开区, 高新区) is an area, the firm after it the place and side
        ("城南经开区鑫达玻璃厂欠工人三个月工资，十几个工人在厂门口堵着", "城南经开区鑫达玻璃厂", "鑫达玻璃厂"),
        ("高新区恒远汽配厂欠了我两个月工资，老板一直拖着不给", "高新区恒远汽配厂", "恒远汽配厂"),
        ("昨晚步行街西头的夜归人清吧音响开到半夜，楼上住户下来跟老板吵了几句", "夜归人清吧", None),
    ],
)
def test_a_zone_written_short_and_a_bar(ex: RuleExtractor, text: str, place: str, side: str | None) -> None:
    got = ex.extract(text, SENT, None)
    assert got.location == place
    assert side is None or side in got.parties


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # holdouts 49 to 55 (five authors): two groups joined as the sides are the whole village's matter
        ("孙桥村二组跟三组为排水沟吵了好几年，今年又吵起来了", "孙桥村"),
        ("港口村6组吴某和7组的吴某某为一块茶山的界闹了好几年", "港口村"),
        ("鹿角坪村3组和4组为老堰塘放水的事又吵起来了", "鹿角坪村"),
        # a group and another named in a later sentence: the group stays
        ("藕塘畈村五组那块荒坡的地界又闹起来了，组里二三十个人扛着锄头跟六组的人对峙", "藕塘畈村5组"),
    ],
)
@pytest.mark.parametrize("tagger", [True, False])
def test_two_groups_joined_as_the_sides_are_the_village(
    ex: RuleExtractor, rules_only: RuleExtractor, text: str, place: str, tagger: bool
) -> None:
    assert (ex if tagger else rules_only).extract(text, SENT, None).location == place


@pytest.mark.parametrize("tagger", [True, False])
def test_another_villages_group_makes_no_village_matter(
    ex: RuleExtractor, rules_only: RuleExtractor, tagger: bool
) -> None:
    """沙埭村7组 and 北漾村2组 are two villages' groups (the tagger picks the one, the rules the other)."""
    text = "沙埭村七组陆某跟北漾村二组的丈人吵了一架，陆某拎了桶汽油过去"
    assert (ex if tagger else rules_only).extract(text, SENT, None).location in ("沙埭村7组", "北漾村2组")


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [
        # the bound area written in the text is a place with what follows it, though jieba cuts its name apart
        # (同 of 同福里 reads as a conjunction); a Shanghai lane (弄) and a Guangdong one (巷) and their houses
        ("同福里9弄14号，兄妹几个为了这套老房子闹到法院去了", "同福里", "同福里9弄14号"),
        ("同福里4弄隔壁工地打桩，弄堂里七八户人家的墙都裂了", "同福里", "同福里4弄"),
        ("李官屯西头有个洗车的 污水直接往王老汉家菜园子里排", "李官屯", "李官屯西头"),
        ("东风路58号楼下的烧烤店把桌子摆到了单元门口，住户老钱找老板理论被骂", "东风路", "东风路58号"),
        # a lane named alone in digits is the area's; 东四巷 is a lane's own name, its numeral stays
        ("同福里旧改征收，9弄还有六户没签约，几户人家在弄堂口挂了横幅", "同福里", "同福里9弄"),
        ("隔篱屋晾衫嘅竹竿伸晒过嚟我哋窗口，同佢讲佢话关你咩事。我住5巷3号", "新塘坊村", "新塘坊村5巷3号"),
        ("塘尾围东四巷12号昨晚十点几又闹交，个老公黄某饮醉酒打老婆", "塘尾围", "塘尾围东四巷12号"),
    ],
)
def test_the_bound_area_written_with_a_detail(rules_only: RuleExtractor, text: str, area: str, place: str) -> None:
    assert rules_only.extract(text, SENT, area).location == place


def test_another_places_gate_is_not_the_areas(rules_only: RuleExtractor) -> None:
    assert rules_only.extract("工厂东门有人打架，两个人都见血了", SENT, "幸福村").location == "幸福村"


def test_days_back_come_from_the_time_cues() -> None:
    """今朝夜快头: no library reads it; the day comes from the anchor's head word, as extraction.yaml says."""
    lexicon = load_extraction_rules()
    time = lexicon.time.model_copy(update={"days_back": {**lexicon.time.days_back, "今": 1}})
    shifted = RuleExtractor(load_rules(RULES_DIR), lexicon=lexicon.model_copy(update={"time": time}))
    text = "今朝夜快头来了四五个讨债的堵在伊家门口，拿了棍子敲门"
    at = SENT.replace(hour=19)
    assert shifted.extract(text, at).occurred_at == at.replace(day=at.day - 1, hour=18, minute=0)


def test_a_time_the_library_cannot_date_is_no_crash(ex: RuleExtractor) -> None:
    """jionlp reads 今天前晌 (a northern forenoon) as a span from '-inf': it crashed the whole extraction, so a grid
    worker's report was lost. An open-ended time is no time: the day comes from the anchor as for 今朝夜快头."""
    got = ex.extract("工人们今天前晌在厂门口坐着哩 说不给钱就不走", SENT, "杏树峁村")
    assert got.is_dispute
    assert got.occurred_at is not None and got.occurred_at.date() == SENT.date()


def test_a_count_the_library_half_reads_is_no_crash(ex: RuleExtractor) -> None:
    """jionlp reads 两几 as a range whose upper end is None, and float(None) crashed the whole extraction (found by
    fuzzing after holdout17); a range with an end missing is its other end."""
    got = ex.extract("两几个人在村委会门口吵起来了，张某说要动手", SENT, "杏树峁村")
    assert got.is_dispute and got.head_count == 2


def test_a_second_extractor_leaves_the_segmentation_as_it_was(ex: RuleExtractor) -> None:
    """jieba adds each taught word's frequency to its total, so every extractor made in a process (a rules reload,
    a test) shifted all word probabilities: after a few, the tagger read 幸福村3组张三丰与李四海因宅基地地界 as one
    place and a resident group saw two full names."""
    from bot.extraction import nlp

    total = nlp._jieba().total
    RuleExtractor(load_rules(RULES_DIR))
    assert nlp._jieba().total == total


def test_location_normalisation() -> None:
    assert normalise("幸福村 三组") == "幸福村3组" and normalise("红星社区十二栋") == "红星社区12栋"


def test_one_place_written_two_ways() -> None:
    assert same_place("青岗镇佳佳乐超市", "佳佳乐超市") and same_place("凤栖苑小区", "凤栖苑")
    assert same_place("锦绣华庭小区8栋", "锦绣华庭8栋") and same_place("沙窝子村3队", "3队")
    assert same_place("龙湾街道江滨路58号老友记大排档", "老友记大排档") and same_place("禾岗墟旺记大排档", "旺记大排档")
    assert same_place("福港工业园B区鸿兴鞋厂", "鸿兴鞋厂") and same_place("榕岸花园对面名车汇车行", "名车汇车行")
    assert same_place("金花坊街市阿强海鲜档", "阿强海鲜档") and same_place("柘溪菜市场老刘烧烤", "老刘烧烤")
    assert not same_place("阳光小区", "阳光") and not same_place("凤栖苑", "凤栖苑8栋")
    assert not same_place("坑美宏晟石业", "宏晟石业") and not same_place("解放路", "解放路口")


def test_scoring_counts_a_place_under_its_division_as_the_place() -> None:
    """Holdout18's author dropped the city, district or county before a place; the extractor keeps what was written.
    jionlp's division list says which prefixes are divisions; a firm named like a county (永泰) is no division."""
    from bot.extraction.scoring import _one_place

    assert _one_place("仁心诊所", "三亚吉阳区仁心诊所") and _one_place("棠梨庄村5组", "睢宁县棠梨庄村5组")
    assert _one_place("滨椰路和椰荫路路口", "海口滨椰路和椰荫路路口") and _one_place("祁韵花园", "城北区祁韵花园")
    assert not _one_place("永泰电子厂", "系永泰电子厂") and not _one_place("村口惠民超市", "岩脚屯村惠民超市")


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        ("张某和李某某吵起来了", ["张某", "李某某"]),
        ("东关村赵某甲、赵某乙为分家的事闹起来了", ["赵某甲", "赵某乙"]),
        ("王女士和陈阿姨为车位吵架", ["王女士", "陈阿姨"]),
        ("车主张某和刘某对维修费有分歧", ["张某", "刘某"]),
        ("陈某某家旁边某建筑公司挖地基，墙体开裂，要求赔偿", ["陈某某", "某建筑公司"]),
        ("业主十几人和锦华物业的保安对峙", ["锦华物业"]),
        ("萧某和芮某某为占道吵架", ["萧某", "芮某某"]),
    ],
)
def test_parties_as_written(ex: RuleExtractor, text: str, parties: list[str]) -> None:
    assert ex.extract(text, SENT).parties == parties


@pytest.mark.parametrize(
    ("text", "parties"),
    [  # holdout17 (Xinjiang) and names of the older sets that no surname list held
        ("3连职工买某某说滴灌水被隔壁高某某偷开阀门截走了", ["买某某", "高某某"]),
        ("隔壁阿某某家的车出不去，刘某某拿起一根钢管", ["阿某某", "刘某某"]),
        ("依某某跟热某某为草场吵起来", ["依某某", "热某某"]),
        ("曼旦寨岩某某和玉某某两家为茶地边界吵了一架", ["岩某某", "玉某某"]),
        ("瓮某和亓某为宅基地吵架", ["瓮某", "亓某"]),
        ("和这某说不清，就找某某超市退钱", ["某超市"]),  # 和, 这 begin no name
    ],
)
def test_masked_names_whatever_their_first_character(ex: RuleExtractor, text: str, parties: list[str]) -> None:
    assert ex.extract(text, SENT).parties == parties


@pytest.mark.parametrize(
    ("text", "parties"),
    [  # holdout24 (Liangshan): a Yi clan name is the surname, not its first or second character
        ("阿吉村吉克某某和俄木某某为草山的事吵起来了", ["吉克某某", "俄木某某"]),
        ("沙马某某家的羊跑进海来某的苦荞地", ["沙马某某", "海来某"]),
        # Han two-character surnames beyond the common ten
        ("申屠某和淳于某为车位吵架", ["申屠某", "淳于某"]),
        ("小区西门某超市和上官某为退货吵起来", ["某超市", "上官某"]),  # 西门 is a gate here
    ],
)
def test_two_character_surnames(ex: RuleExtractor, text: str, parties: list[str]) -> None:
    assert ex.extract(text, SENT).parties == parties


@pytest.mark.parametrize(
    "text",
    [
        "大家好，我是幸福村新来的包村民警小陈，以后有事可以在群里说🙏",
        "@警务助手 身份证丢了咋个补办？",
        "今日巡查无异常",
        "明天上午9点在所会议室开矛盾纠纷排查会议，各网格员准时参加",
        "【反诈提醒】凡是让你转账到“安全账户”的都是诈骗！",
        "谢谢王警官，问题已经解决了👍👍",
        "上周那个邻里纠纷已经调解好了，双方握手言和了",
        "请问交通事故快处快赔怎么操作？",
        "哈哈哈哈 笑死我了",
        "@警务助手 #0023 刘某手机号是137 0000 2231 另一方暂时联系不上",
        "上回暖气那事物业给整好了，屋里二十二度了，谢谢社区👍",  # holdout56: thanks for a matter put right
        # holdouts 59 and 60: a notice to every group, questions, a quiet night patrol, an advertisement
        "石门村各组注意：今年春灌放水时间定了，按1组到6组顺序轮灌，有问题找村上。",
        "今年天旱，你们组的机井打了多少米？",
        "刚才有人敲门说是自来水公司换表，要收两百，我没开门，是真的假的？",
        "今年的耕地补贴发了没？我家的还没到账，有知道的说一声",
        "夜巡石门村，老李家那边安静，两家最近没再起冲突，正常。",
        "阳光驾校暑期特惠，学车只要3680，包接送，报名电话13700001234，群里的朋友报名再减两百！",
    ],
)
def test_not_disputes_create_nothing(ex: RuleExtractor, text: str) -> None:
    got = ex.extract(text, SENT, "幸福村")
    assert not got.is_dispute and got.category is None and got.risk is None and got.location is None


def test_risk_reasons_and_negation(ex: RuleExtractor) -> None:
    red = ex.extract("幸福村刘某某喝了酒回家又打老婆，扬言要去她娘家砍人", SENT)
    assert red.risk == "high" and "红:扬言" in red.reasons and "红:喝了酒" in red.reasons
    calm = ex.extract("白沙村陈某和吴某某两家为排水沟扯皮 现在两家都在地头 没动手 情绪还行", SENT)
    assert calm.risk == "low" and not any(r.startswith("红") for r in calm.reasons)
    yellow = ex.extract("柳树湾村刘某和陈某某采光纠纷闹了三年多，去年还去镇里信访过", SENT)
    assert yellow.risk == "medium" and "黄:信访" in yellow.reasons


def test_a_hedge_is_no_negation(ex: RuleExtractor) -> None:
    # 搞不好 ends in 不好, a negation, yet says 'he may well': the threat stands; 不好不活了 would not
    red = ex.extract("石门村杜某为低保的事跟村干部闹，说搞不好就不活了", SENT)
    assert red.risk == "high" and any(r.startswith("红:不活了") for r in red.reasons)
    assert ex.extract("石门村杜某为低保的事跟村干部闹，说也不好不活了吧", SENT).risk != "high"


def test_a_thread_joined_is_one_report(ex: RuleExtractor) -> None:
    thread = [
        "@警务助手 报个纠分",
        "桃源村吴某和前夫杨某为孩子抚养费的事扯皮两年多了",
        "吴某说再不给就去县里上访 她手机13900004417",
    ]
    got = ex.extract("\n".join(thread), SENT, "桃源村")
    assert (got.category, got.risk, got.location) == ("family", "medium", "桃源村")
    assert got.parties == ["吴某", "杨某"] and got.phones == ["13900004417"] and got.missing == []


@pytest.mark.parametrize(
    ("text", "number", "day", "phones"),
    [
        ("#0007 补充：对方电话13900001234", 7, None, ["13900001234"]),
        ("#JF-20261118-0031 补充对方单位电话 0571-88884321", 31, "20261118", ["0571-88884321"]),
        ("@警务助手 #23 刘某手机号是137 0000 2231", 23, None, ["13700002231"]),
        ("JF-20261207-0064 当事人罗某某手机 136-1234-5678", 64, "20261207", ["13612345678"]),
    ],
)
def test_code_references(text: str, number: int, day: str | None, phones: list[str]) -> None:
    ref = find_code_ref(text)
    assert ref is not None and (ref.number, ref.day) == (number, day) and ref.code == f"{number:04d}"
    fu = follow_up(text)
    assert fu is not None and fu.phones == phones and ref.text not in fu.rest
    assert find_code_ref("张某电话13800138000，幸福村3组") is None


@pytest.mark.parametrize(
    "text",
    [
        "恒达建材厂韩某那个事，JF-20270605-0022 补充：厂里同意再出三万，家属还不满意要八万",
        "红杞园那个要跳坎的海某某 #0052 补充：工钱九百给了，人已经回去了",
    ],
)
def test_a_code_after_the_matter_is_no_new_dispute(ex: RuleExtractor, text: str) -> None:
    """The matter first, then the record's code: the message adds to that record (the intake sends it there)."""
    assert not ex.extract(text, SENT).is_dispute
    fu = follow_up(text)
    assert fu is not None and fu.rest.startswith(text[:6]) and "补充" not in fu.rest


def test_contract_keys(ex: RuleExtractor) -> None:
    got = ex.extract("幸福村张某和李某因为宅基地打起来了，张某电话13800138000，昨天晚上8点", SENT)
    assert set(got.contract()) == {
        "is_dispute",
        "category",
        "risk",
        "location",
        "parties",
        "phones",
        "occurred_at",
        "summary",
        "missing",
    }
    assert got.contract()["occurred_at"] == "2026-11-19T20:00:00+08:00"


def test_a_station_edits_the_cue_lists_without_code(tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules_dir)
    text = "东关村两家为鸽子棚的事吵起来了，王某和李某"
    before = RuleExtractor(load_rules(rules_dir)).extract(text, SENT)
    cats = (rules_dir / "categories.yaml").read_text(encoding="utf-8")
    # 鸽子 is a neighbor word; the station's longer 鸽子棚 (a shed on the fields) wins where both match
    (rules_dir / "categories.yaml").write_text(
        cats.replace("keywords: [宅基地,", "keywords: [鸽子棚, 宅基地,"), "utf-8"
    )
    risk = (rules_dir / "risk.yaml").read_text(encoding="utf-8")
    (rules_dir / "risk.yaml").write_text(risk.replace("high:\n", "high:\n  - 鸽子棚\n"), "utf-8")
    after = RuleExtractor(load_rules(rules_dir), lexicon=load_extraction_rules(rules_dir)).extract(text, SENT)
    # before, no list holds 鸽子棚 (what the learnt fallback makes of the text may change with the labelled sets)
    assert not any("鸽子棚" in r for r in before.reasons) and before.risk == "low"
    assert after.category == "land" and any(r.startswith("类别:") and "鸽子棚" in r for r in after.reasons)
    assert after.risk == "high" and "红:鸽子棚" in after.reasons


def test_a_station_adds_a_zone_and_firms_there_are_named_without_it(tmp_path: Path) -> None:
    """`places.zones` in extraction.yaml: a zone the station adds is an area, and a firm written after it is a side
    by its own name, as 园区里永盛包装 is 永盛包装."""
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules_dir)
    text = "前湾保税区里鑫达包装拖欠工人三个月工资，我叫周某"
    before = RuleExtractor(load_rules(rules_dir), lexicon=load_extraction_rules(rules_dir)).extract(text, SENT)
    yaml_file = rules_dir / "extraction.yaml"
    yaml_file.write_text(yaml_file.read_text("utf-8").replace("zones: [", "zones: [保税区, ", 1), "utf-8")
    lexicon = load_extraction_rules(rules_dir)
    after = RuleExtractor(load_rules(rules_dir), lexicon=lexicon).extract(text, SENT)
    assert "前湾保税区里鑫达包装" in before.parties
    assert "保税区" in lexicon.places.areas and "鑫达包装" in after.parties and "周某" in after.parties


def test_a_broken_extraction_file_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "extraction.yaml"
    text = (RULES_DIR / "extraction.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("  crowd_size: 10", "  crowd_size: many"), encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_extraction_rules(tmp_path)
    line = next(n for n, s in enumerate(bad.read_text("utf-8").splitlines(), 1) if s.startswith("  crowd_size:"))
    assert err.value.field == "risk.crowd_size" and err.value.line == line and "extraction.yaml" in str(err.value)


def test_jionlp_tracebacks_never_reach_the_logs(ex: RuleExtractor) -> None:
    """jionlp logs each time phrase it cannot read through the root logger, with a piece of the message in it."""
    import logging

    record = logging.LogRecord(
        "root",
        logging.ERROR,
        "/venv/site-packages/jionlp/gadget/time_parser.py",
        1646,
        "## exception string `%s`",
        ("13800138000交",),
        None,
    )
    assert not logging.getLogger().filter(record)
    ours = logging.LogRecord("bot.worker", logging.ERROR, "/app/bot/worker.py", 1, "handled", (), None)
    assert logging.getLogger().filter(ours)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("鸣珂里社区12栋有户装修天天一大早就开电钻", "鸣珂里社区12栋"),  # jieba cuts an unknown name into verbs
        ("急！蓑衣垄村7组有个妇女跑到小卖部躲着", "蓑衣垄村7组"),
        ("听涛苑2幢电梯因为维修基金动用不了停了一个多月", "听涛苑2幢"),
        ("澜岸公馆6幢1802的业主蒲先生说电梯坏了半个月没人修", "澜岸公馆6幢1802"),
        ("中医院骨科有个病人家属邴某说他爸手术后感染是医生的责任", "中医院骨科"),
        ("麂子岩村和隔壁竹溪村为后山那片林子扯了好多年，村民代表沙某写了联名信去乡政府反映", "麂子岩村"),
        ("幸福村征地补偿款分配，3组有二十多户今天上午到镇政府门口静坐", "镇政府"),
        ("他住桃源村，和邻居吵了一架", "桃源村"),
    ],
)
def test_places_of_new_shapes(rules_only: RuleExtractor, text: str, place: str) -> None:
    assert rules_only.extract("两家吵起来了：" + text, SENT).location == place


@pytest.mark.parametrize(
    ("text", "phones", "ids"),
    [
        ("联系林业站（0745）8888 0119。", ["0745-88880119"], []),  # jionlp misses these landlines
        ("电话：074588882467", ["0745-88882467"], []),
        ("我电话 0891-6000 352，手机 18900005063", ["0891-6000352", "18900005063"], []),  # a 7-digit number split 4+3
        ("我叫詹某某 电话１３７００００８８３４", ["13700008834"], []),  # full-width digits
        ("报警人褚某（身份证52099919661111004X）电话13700001111", ["13700001111"], ["52099919661111004X"]),
        ("身份证号430999198505050028", [], ["430999198505050028"]),  # a region code jionlp does not know
        ("编号430999198513450028", [], []),  # no such birth date: not an ID number
    ],
)
def test_numbers_jionlp_misses(ex: RuleExtractor, text: str, phones: list[str], ids: list[str]) -> None:
    got = ex.extract("两家吵起来了：" + text, SENT)
    assert (got.phones, got.id_numbers) == (phones, ids)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("蒲家洼村四组蒲某某跟他兄弟吵翻了", "蒲家洼村4组"),  # X家Y cut into single characters
        ("桂花村开农家乐的闻某欠了十来户的菜钱", "桂花村"),  # a verb after a village starts what happens there
        ("刚刚X012线杉树湾段两车刮了，司机吵起来了", "X012线杉树湾段"),  # a road code
        ("柘溪菜市场的老刘烧烤昨晚有人喝多了掀桌子吵起来了", "老刘烧烤"),  # a venue inside a market
        ("星汇城4号楼楼上漏水，两家吵起来了", "星汇城4号楼"),  # a compound named without 小区
        # holdouts 25/26: venues whose suffixes the lists lacked, and no carpenter or helper in a shop's name
        ("边城社区友谊街上的金马洗浴，昨晚搓澡师傅卢某找老板要工钱，被拿凳子砸了脑袋", "金马洗浴"),
        ("东兴温泉浴池门口两伙年轻人约了今晚在那打架", "东兴温泉浴池"),
        ("在口岸路的鸿达商贸买的奶粉，生产日期被涂改过，找店里退，店里说拆了不能退", "鸿达商贸"),
        ("金花坊3号楼下新开嘅鸿运烧腊工场成日排油烟，楼上十几户窗台都系油", "鸿运烧腊工场"),
        ("仁寿里有个装修师傅话帮宝记烧腊铺做咗两日散工，四百蚊工钱老细一直冇俾", "宝记烧腊铺"),
        ("埕尾路好味道海鲜排档，昨晚一桌客人喝醉了嫌账单贵，把桌子掀了", "好味道海鲜排档"),
        # holdout28: shops named after what they sell
        ("南湖星城新开的甜心奶茶，店员跟顾客吵起来了，顾客说奶茶里有根头发要十倍赔偿", "甜心奶茶"),
        ("我是东篱社区2栋的住户，楼下老李麻辣烫的老板在店门口的消防通道上堆了一堆纸箱", "老李麻辣烫"),
        ("江樾湾商铺一楼蜀味小厨的油烟机正对着2栋的窗户，两边在店门口吵起来", "蜀味小厨"),
    ],
)
def test_places_after_the_holdouts(rules_only: RuleExtractor, text: str, place: str) -> None:
    assert rules_only.extract(text, SENT).location == place


def test_a_station_lists_its_own_places() -> None:
    """Names no suffix grammar knows (金色年华, 东关大集) are places once the station lists them in extraction.yaml."""
    text = "两家吵起来了：金色年华3栋楼上漏水，楼下的孟某找上去"
    lexicon = load_extraction_rules()
    plain = RuleExtractor(load_rules(RULES_DIR), lexicon=_without_tagger(lexicon))
    assert plain.extract(text, SENT).location != "金色年华3栋"
    places = lexicon.places.model_copy(update={"known": ["金色年华", "东关大集"], "tagger_prior": 0.0})
    station = RuleExtractor(load_rules(RULES_DIR), lexicon=lexicon.model_copy(update={"places": places}))
    assert station.extract(text, SENT).location == "金色年华3栋"
    assert station.extract("东关大集上两个摊主为抢摊位打起来了", SENT).location == "东关大集"
    assert station.extract("幸福村3组张某和李某为宅基地吵起来了", SENT).location == "幸福村3组"  # a routed area


def test_a_station_lists_its_own_numbered_parts() -> None:
    """A village's groups are a word a station may add to (some call them 片): then 3片 named alone in a village's
    group is that village's part, and 三片 reads as 3片 after the village's name. 一连三天 is no company of a
    regiment though 连 is a group word."""
    lexicon = _without_tagger(load_extraction_rules())
    plain = RuleExtractor(load_rules(RULES_DIR), lexicon=lexicon)
    text = "3片的汪某和邻居为排水沟吵起来了"
    assert plain.extract(text, SENT, "红旗村").location == "红旗村"
    places = lexicon.places.model_copy(update={"groups": [*lexicon.places.groups, "片"]})
    station = RuleExtractor(load_rules(RULES_DIR), lexicon=lexicon.model_copy(update={"places": places}))
    assert station.extract(text, SENT, "红旗村").location == "红旗村3片"
    assert station.extract("红旗村三片汪某和邻居为排水沟吵起来了", SENT).location == "红旗村3片"
    assert plain.extract("红旗村一连三天停水，村民们和水厂吵起来了", SENT).location == "红旗村"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("斑竹村冷水井两家为抽水的事吵起来了", "斑竹村冷水井"),  # a spot in a village after it: kept (guide)
        ("水碾村1组河坝，两个人为挖沙打起来了", "水碾村1组河坝"),
        ("桐子坝村三组大竹林湾，两家为竹子的界吵起来了", "桐子坝村3组大竹林湾"),  # three characters before 湾
        ("柏杨村4组大堰塘那边两家为放水吵起来了", "柏杨村4组大堰塘"),  # not the shorter 大堰 before 塘那边
        ("南湖街道居民林某和邻居为停车吵起来了", "南湖街道"),  # 林某 is a party, not a wood
        ("青山村3组有人挖塘，两家吵起来了", "青山村3组"),  # a verb phrase is no spot
        ("天禧府门口那家兴旺超市卖过期酸奶，老板不退钱吵起来了", "兴旺超市"),
        ("碾盘岭村老榆树屯修水库淹了几亩地，补偿没谈拢吵起来了", "碾盘岭村老榆树屯"),  # a verb after a hamlet
        ("文昌街上那家兴旺电动车修理铺换电瓶收了680，没用几天就坏了，老板不认", "兴旺电动车修理铺"),
        ("县人民医院门诊收费处两个病人家属为插队吵起来了", "县人民医院门诊收费处"),
    ],
)
def test_details_and_venues_after_holdout7(rules_only: RuleExtractor, text: str, place: str) -> None:
    assert rules_only.extract(text, SENT).location == place


def _overturn(veto: float | None, yes: float | None) -> RuleExtractor:
    lexicon = load_extraction_rules()
    dispute = lexicon.dispute.model_copy(update={"overturn_veto": veto, "overturn_yes": yes})
    return RuleExtractor(load_rules(RULES_DIR), lexicon=lexicon.model_copy(update={"dispute": dispute}))


def test_the_learnt_scorer_overturns_the_lists_soft_decisions(ex: RuleExtractor) -> None:
    """A grievance told as a question is a report; a weekly statistics line with quarrel words is not; a red cue
    stands whatever the scorer thinks (a missed red costs more than a needless record)."""
    grievance = "我在北门农贸市场买的二斤牛肉，回去一称只有一斤六两，回去找老板他还凶我，说我称错了，这种咋个处理嘛😤"
    digest = "北门社区本周矛盾纠纷排查周报已上传，请所里查收"
    red = "北门那里打架的视频大家莫乱传哈，等派出所处理"
    off = _overturn(None, None)
    assert not off.extract(grievance, SENT).is_dispute and off.extract(digest, SENT).is_dispute
    assert ex.extract(grievance, SENT).is_dispute and not ex.extract(digest, SENT).is_dispute
    assert _overturn(0.0, 0.0).extract(red, SENT).is_dispute


def test_a_threat_to_jump_is_red_and_a_jump_from_a_car_is_not(rules_only: RuleExtractor) -> None:
    threat = rules_only.extract("胡某某不满评估价，爬到自家楼顶，说不给他加钱就跳下来", SENT)
    assert threat.risk == "high" and "红:就跳下来" in threat.reasons
    assert "红:就跳下来" not in rules_only.extract("他从车上跳下来跑了，两家吵架", SENT).reasons


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        ("北门社区滨河路上的蜀香园火锅，服务员周某说蜀香园火锅扣了她半个月工资", ["周某", "蜀香园火锅"]),
        ("在龙井社区佳惠超市买的酸奶过期了，找佳惠超市退钱他们说只退不赔", ["佳惠超市"]),
        ("好再来饭店门口两桌客人喝多了打起来，王某和李某都挂了彩", ["王某", "李某"]),  # only where it happened
        ("村卫生室门口张某和刘某为排队吵起来了", ["张某", "刘某"]),  # no business of its own
        ("南门菜市场两个摊主吵起来了，说对方占了摊位", []),  # a market is where, not who
    ],
)
def test_a_business_that_is_a_side_is_a_party(ex: RuleExtractor, text: str, parties: list[str]) -> None:
    assert ex.extract(text, SENT).parties == parties


def test_holdout11_lessons(rules_only: RuleExtractor, ex: RuleExtractor) -> None:
    """A crowd beating a man is red and no "that matter is settled" (那个男的…我已经打110了); a broken bowl is not
    red; a village's 社 and its temple are places."""
    beaten = "交叉口刚刚一台电动车撞到一个小孩，十几个人把骑电动车的男的围起来打，那个男的头破了，我已经打110了"
    got = ex.extract(beaten, SENT)
    assert got.is_dispute and got.risk == "high"
    bowl = ex.extract("辞工的时候老板娘讲押金五百不退，还扣我一百多讲我打破碗，这样合法吗", SENT)
    assert bowl.risk != "high"
    assert rules_only.extract("洋厝村顶厝社两家人为厝边的排水沟吵起来了", SENT).location == "洋厝村顶厝社"
    assert rules_only.extract("岭兜宫门口两帮人为了排戏台吵起来，差点打起来", SENT).location == "岭兜宫"
    assert not ex.extract("那个事情已经调解好了，两家都签了字", SENT).is_dispute


def test_a_crowd_gathered_is_red(ex: RuleExtractor) -> None:
    got = ex.extract("两个村为庙会吵了好些年，几十个年轻人聚在村委会门口说要去下庄把木头拉回来", SENT)
    assert got.risk == "high" and any(r.endswith("人聚集") for r in got.reasons)


def test_a_learnt_place_never_starts_with_a_time_word(ex: RuleExtractor) -> None:
    """The tagger marked 今早蚝岗村码头 on an author it had not seen; the grammar never lets a time word in."""
    assert ex._places.trim("今早蚝岗村码头") == "蚝岗村码头" and ex._places.trim("夜快头陆家埭村5组") == "陆家埭村5组"
    assert ex._places.trim("今早村") == "今早村" and ex._places.trim(None) is None  # too short to be a place


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        # the named business of a labour or consumer report is a side, as the guide says, even with no verb after it
        ("我在燃力健身房办了张年卡三千八，才去了两次就关门了，电话也打不通", ["燃力健身房"]),
        ("我老公在鑫达砖厂干了半年，工钱一分没拿到，刘某说再等等", ["刘某", "鑫达砖厂"]),
        # a trade is no name, and a place where the quarrel only happens is no side
        ("老公在电子厂上班，厂里把他辞退了不给补偿", []),
        ("马三牛肉面馆门口两个喝了酒的小伙子为几块钱吵起来了", []),
    ],
)
def test_a_named_business_in_labour_and_consumer_reports(ex: RuleExtractor, text: str, parties: list[str]) -> None:
    assert ex.extract(text, SENT).parties == parties


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        # no person named: the named business the report is about is the other side, whatever the category
        ("天府锦苑二期楼下的炉火烧烤店天天搞到凌晨两点，划拳声音大得很，投诉了好多次了", ["炉火烧烤店"]),
        ("金漾村边上华晟印染厂排的污水把2组十几户人家的鱼塘弄坏了，鱼死了一大片", ["华晟印染厂"]),
        # but not one where strangers quarrel, nor a clan hall or a government office
        ("瑞丰纺织厂门口两个路人为停车打起来了，快来人", []),
        ("塘尾围祠堂今晚为咗祭祖排位嘅事，两房人嗌到拍台", []),
        ("禾田村高铁征地嘅事，今日早上有几十个村民去咗禾岗镇政府门口坐低", []),
    ],
)
def test_the_business_a_report_is_about_when_no_person_is_named(
    ex: RuleExtractor, text: str, parties: list[str]
) -> None:
    assert ex.extract(text, SENT).parties == parties


def test_a_market_side_is_no_party(ex: RuleExtractor) -> None:
    got = ex.extract("樊家寨集市东头吕某和郭某为摊位吵起来了", SENT, "樊家寨村")
    assert got.parties == ["吕某", "郭某"]


def test_calls_reaching_a_home_and_a_nickname_ending_in_tou_are_no_blow(ex: RuleExtractor) -> None:
    """Holdout14: 打电话打到他家 老于头 read as a blow to the head (red); a beating to the face still is one."""
    calm = ex.extract("老于头说他儿子在外头借网贷 现在催收天天打电话打到他家 老于头气得血压都高了", SENT)
    assert calm.risk != "high"
    assert ex.extract("张某和李某吵起来，张某一巴掌打到李某脸上", SENT).risk == "high"


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        # how old a debt or an allowance is says nothing of a dispute that drags on (久拖未决)
        ("表哥找我借了5000块说是买猪崽 半年了不还 想请人帮忙调解一下", "low"),
        ("鹊华里社区欧阳某和对门闫某为门口装的监控吵了小半年了", "medium"),
        # complaints or mediation that came to nothing, not words between neighbours
        ("楼下烧烤摊油烟太大，熏得她家窗户都黑了，找城管也没用", "medium"),
        ("黄泥塝村田坎又遭向某某挖了 找村里调了三回都莫得用", "medium"),
        ("3栋1102天天半夜剁馅子 楼下老太太睡不着 下去说了两回也没用", "low"),
        # a class is no duration
        ("三年二班家长群里俩家长为孩子座位的事吵起来了，越说越难听", "low"),
    ],
)
def test_durations_and_complaints_in_vain(rules_only: RuleExtractor, text: str, risk: str) -> None:
    assert rules_only.extract(text, SENT).risk == risk


@pytest.mark.parametrize(
    "text",
    [
        # holdout15's missed reds (scored first at 7553e62)
        "马某拎着油锯比划 说谁拦着就给谁一下子 老刘没敢硬拦",
        "外卖小哥跟保安吵起来了，一脚把保安亭玻璃踹碎了",
        "还建房五年了还没交 今天上午三十多个拆迁户去镇政府门口坐着",
        "两个村为老塘放水几十年的老矛盾了，两村都有人讲要去扒闸，两边各有几十号人",
        "婆婆说冯某不给她饭吃还推她，老人家胳膊上有青的，邻居讲经常听到吵",
        # holdout16's missed reds (scored first at c43b93c)
        "马某某拎着炒勺出来要跟他比划 俩人都挺冲",
        "他嫌少 今天前晌开着拖拉机横在光伏板工地的路上 不叫车进 说给不够钱谁也别想干",
        "顶层那户在楼顶平台上盖了间彩钢房 楼里好几户去说 他说谁再管他就跟谁玩儿命",
        "村里年底分红 外嫁女钱某某她们十几个说凭啥没她们的份 户口还在村里呢 今天上午都来村委会了 在会议室里坐着不走",
    ],
)
def test_holdout_reds(rules_only: RuleExtractor, text: str) -> None:
    result = rules_only.extract(text, SENT)
    assert result.risk == "high"
    # a cue of the red list fired, not only the learnt resemblance to red reports (which has seen these sets)
    assert any(r.startswith("红:") and "相近" not in r for r in result.reasons), result.reasons


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [  # holdout17 (Chongqing, Guizhou, Xinjiang)
        # a XPCC regiment (175团) and its companies (7连), named alone in their groups or in full
        ("6连棉花地，三十几个拾花工围在地头不走了，说包工头刘某某把他们的工钱卷跑了", "175团", "175团6连"),
        ("7连的孙某某喝醉了回来打老婆，老婆跑到连部来了", "175团7连", "175团7连"),
        ("175团8连的职工吴某某赊了化肥欠了八千多，店老板牛某某去他家要了几次", None, "175团8连"),
        # names in quotation marks, with what follows the marks
        ("“嘉禾时代”二期工地大门口，二十多个农民工拉起横幅讨薪", None, "嘉禾时代二期工地"),
        ("“观江壹号”小区业委会和物业为公共收益的账闹了大半年", None, "观江壹号小区"),
        ("桂花湾轻轨站背后“极速网咖”门口，两拨年轻娃儿十几个人约起要打捶", None, "极速网咖"),
        # no road is named by one character (“丝路布艺”), no place starts with a request (麻烦社区, 请求派出所)
        ("帕某某去年卖给“丝路布艺”的布料，货款四万五，对方拖了一年多一直不给", "雪莲湾社区", "雪莲湾社区"),
        ("几个儿子哪个都不管她，麻烦社区和民警一起去做下工作", "兴隆坪安置小区", "兴隆坪安置小区"),
        ("乌恰县牧业队夏牧场两家人打了架，请求派出所支援", None, None),
        ("杏花巷巴扎那边，卖烤包子的热某某和卖酸奶的古某某为摊位的位置吵起来了", "杏花巷社区", "杏花巷巴扎"),
        # holdout18: single quotation marks and a trade word after them; 外村 names no village; 菜市 is a market
        ("社区门口那家'青丝坊'美发店，我去年办的卡充了三千，现在老板说卡里的钱不退了", "雪莲湾社区", "青丝坊美发店"),
        ("社区有八个候鸟老人在‘康年’健康馆听讲座买了保健品，一人花了好几千，现在要退", "望潮社区", "康年健康馆"),
        ("外村几个后生仔喝醉了跟本村的人为抢座位打起来，有人拿啤酒瓶砸了人", "什兰村", "什兰村"),
        ("槐花集菜市那块卖菜的吴某跟卖鱼的姜某为占摊位吵吵起来了", "前蒋圩村", "槐花集菜市"),
        # holdout19: Cantonese 系 (is, at) starts no name
        ("阿强系永泰电子厂做嘢嘅，老细拖咗三个月人工唔俾", None, "永泰电子厂"),
    ],
)
def test_places_after_holdout17(rules_only: RuleExtractor, text: str, area: str | None, place: str | None) -> None:
    assert rules_only.extract(text, SENT, area).location == place


def test_a_place_the_text_holds_in_pieces_survives_the_tagger(ex: RuleExtractor) -> None:
    # the rules join “观江壹号” and 小区 across the marks; the tagger, which sees only spans of the text, keeps it
    text = "“观江壹号”小区业委会和物业为公共收益的账闹了大半年，业主代表在小区门口拉了横幅"
    assert ex.extract(text, SENT).location == "观江壹号小区"


@pytest.mark.parametrize(
    ("found", "area", "place"),
    [
        # what the learnt tagger marks, in the group's bound area: the area called by the word its name ends in
        ("宿舍5栋201", "渝星厂宿舍", "渝星厂宿舍5栋201"),
        ("社区卫生服务站", "雪莲湾社区", "雪莲湾社区卫生服务站"),
        ("团部十字路口", "175团", "175团团部十字路口"),  # a part with a detail of it
        ("村口超市", "青石岭村", "村口超市"),  # 村口 is a part: no 青石岭村 + 口超市
        ("7连", "175团7连", "175团7连"),  # the group's own company is the group
        # and the words extraction.yaml's `called` lists for areas ending so: a park is 园区, a factory 厂里
        ("园区南路与纬三路交叉口", "东方箱包产业园", "东方箱包产业园南路与纬三路交叉口"),
        ("厂里磅房", "恒达建材厂", "恒达建材厂磅房"),
        ("园区南路", "幸福村", "园区南路"),  # a village is no park
    ],
)
def test_a_place_in_its_areas_own_words(rules_only: RuleExtractor, found: str, area: str, place: str) -> None:
    assert rules_only._places.in_area(found, found, area) == place


def test_a_part_of_a_park_named_with_园区(rules_only: RuleExtractor) -> None:
    text = "园区食堂承包人黄某某说物业把食堂水电费按商业电价收，一个月多收三千多，跟管委会说了几次没人理"
    assert rules_only.extract(text, SENT, "鑫源羊绒产业园").location == "鑫源羊绒产业园食堂"


def test_a_gate_mouth_is_the_gate() -> None:
    """门口 after a place is the place (村委会门口 = 村委会), but 大门口 is the gate (大门), not 大."""
    assert normalise("鑫源羊绒产业园大门口") == "鑫源羊绒产业园大门" and normalise("村委会门口") == "村委会"


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        # holdout17: 安置点了 holds 点了 (set on fire); going together to measure is no crowd to the county
        ("几个儿子都搬到安置点了，哪个都不管她，老人一个人住，说好轮流养又推来推去", "medium"),
        ("梁老汉和蒋某为菜地边界扯起来了，吵了一会儿，我去劝了，说好明天一起去量", "low"),
        ("张某说地界的事不给个准话，就跟他兄弟一起去镇里告", "medium"),
    ],
)
def test_cues_that_misfired_on_holdout17(rules_only: RuleExtractor, text: str, risk: str) -> None:
    assert rules_only.extract(text, SENT).risk == risk


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        # holdout18 (northern Jiangsu, Qinghai, Hainan): cues that fired on words around them
        ("卖菜的吴某跟卖鱼的姜某为占摊位吵吵起来了，木有动手，俺在这劝着呢", "low"),  # 木有: 没有
        ("老板扣了我八百块押金不退，讲我打破了一个杯子", "low"),
        ("篮球场那边早上七点就放音响跳舞，我们早上想睡一下都不行", "low"),
        ("我们住的民宿网上说有热水有暖气，来了热水没有，要退房费，老板扎某只肯退一半", "low"),
        ("俺跟前夫离婚三年了，法院判他一个月给八百抚养费，从过年到现在一分木给", "low"),
        ("物业说我欠了两年物业费不交的话冬天就不给开暖气", "low"),
        ("王某家盖新房把去槟榔园的那条老路堵了，后面五户人家进出都要绕很远", "medium"),  # a path built over
        # and reds it missed: paint on the door and a threat against a child; a crowd counted after 人
        ("催收的往他家门上喷红漆，还发短信讲不还钱就去学校门口等他小孩", "high"),
        ("这十来户的人都在村委会不走，要求重新丈量，人大概有二十几个，情绪还算平稳", "high"),
    ],
)
def test_risk_after_holdout18(rules_only: RuleExtractor, text: str, risk: str) -> None:
    assert rules_only.extract(text, SENT).risk == risk


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        # holdout20 (Gansu, Ningxia, southern Shaanxi) and holdout21 (Yunnan border, Hakka, Hebei): reds it missed
        ("冯某欠工钱一直拖，苏某某说再不给就去工地楼顶上坐着，看谁耗得过谁", "high"),
        ("出租车把老汉刮倒了，司机不愿意出钱，老汉儿子来了要打司机", "high"),
        ("两人在羊圈里吵得脸红脖子粗，马某某拿着鞭杆子指着杨某", "high"),
        ("有十几个甘肃过来的季节工说工钱没结，在办公楼门口坐着不走", "high"),  # a crowd counted with who they are
        ("两个队二十来个老太太在社区广场上互相指着鼻子骂，谁都不让谁", "high"),
        ("扎某某说是卫生室打针打出的事，拍桌子要砸药柜，被人拉住了", "high"),
        ("她家男人岩某放话要找造谣的波某某算账", "high"),  # 放话 is no Cantonese 话 (say)
        ("佢将自家个铲车开去2组路口横住，唔畀施工车入", "high"),
        ("邓某某同佢几个兄弟去卫生院拍台骂人，医生吓到锁住门", "high"),
        # and parking quarrels that are not a road blocked
        ("业主欧阳某停车挡住了消防通道，物业贴了条，他把条撕了", "low"),
        ("吴某把钱某的车给堵住了，到今天早上还没挪", "low"),
    ],
)
def test_risk_after_holdouts_20_and_21(rules_only: RuleExtractor, text: str, risk: str) -> None:
    assert rules_only.extract(text, SENT).risk == risk


@pytest.mark.parametrize(
    "text",
    [
        "昨天刘老汉跟侄儿水窖那个事，村上调解了，管子拆了，两家握了手，已经没事了",
        "昨天菜市场叶某和肖某某那个事今天在社区调解室调好了，肖某某赔了菜钱，两个人都签了字",
        "石岭村的果农们注意了，最近有人开着面包车挨家收花椒给假钱，收钱的时候看清楚",
        "外地新闻：隔壁县有个村因为拆迁打起来了，大家别瞎传视频，以官方通报为准",
        "黄竹坪村村委会通知：祠堂修缮捐款名单已经贴出来，有疑问可以找村委会文书",
    ],
)
def test_no_dispute_after_holdouts_20_and_21(ex: RuleExtractor, text: str) -> None:
    """An earlier matter settled, a warning, news from elsewhere, a notice under any name: nothing to record."""
    assert not ex.extract(text, SENT).is_dispute


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        # holdouts 22 (Poyang Lake, southern Anhui, Lishui) and 23 (Jiaodong, Dalian, Yanbian): the reds they missed
        ("刚刚我老公气得在屋里磨刀，讲要去砍了他，我拦不住", "high"),
        ("包装车间二十几个工人讲加班费没算，今天下午三点开始都没上工，在车间里坐着", "high"),
        ("十几个临时工说工钱少算了，现在都在场里坐着不上工", "high"),
        ("业主聂某某的车停在树底下，被楼上扔下来的花盆砸了挡风玻璃，想要赔偿", "low"),  # a pot that fell
        ("李某拿石头砸了他家窗户玻璃", "high"),
        # holdout24 (Liangshan, northern Guangxi, western Hunan)
        ("蒙某某说地被村里拿去修停车场，租金两年没给，今天上午他把停车场入口用石头堵了，游客车子进不来", "high"),
        ("两个人在安置点广场吵，吉某某说哪个敢来收地就打断他的腿", "high"),
        ("王某家盖新房把去槟榔园的那条老路堵了，后面五户人家进出都要绕很远", "medium"),  # a path built over
    ],
)
def test_risk_after_holdouts_22_and_23(rules_only: RuleExtractor, text: str, risk: str) -> None:
    assert rules_only.extract(text, SENT).risk == risk


@pytest.mark.parametrize(
    "text",
    [
        "【通报】近期外省发生多起渔船船员酒后斗殴致死案件，各所对辖区码头加强排查，发现苗头及时上报",
        "【普法】酒后打架斗殴、持刀伤人都要依法追责，遇到矛盾纠纷请第一时间找网格员调解",
        "海参圈那事昨天在镇上调解了，两边都签了字，这事算了了",
        "民俗村那两家民宿的事，村里把两家叫一块吃了顿冷面，说开了",
    ],
)
def test_bulletins_and_settled_matters_after_holdouts_22_and_23(ex: RuleExtractor, text: str) -> None:
    """A bulletin's header is read before clean() takes it off (the old header cues never fired)."""
    assert not ex.extract(text, SENT).is_dispute


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [
        ("大疃村宫某某两口子闹离婚，为俩孩子跟谁吵了半年了", "大疃村", "大疃村"),  # 宫 of 宫某某 is a surname
        ("在湖滨社区门口那家乐学教育给小孩报了数学课交了六千八，现在要退费只肯退两千", None, "乐学教育"),
        ("龙湾屯屯口 金某开着农用车把崔某某的轿车给刮了", "龙湾屯", "龙湾屯屯口"),
        ("双溪口村笋农郑某某讲，冬笋卖给外地笋贩子周某，货款四万二只给了一万", "双溪口村", "双溪口村"),  # no 笋农
        ("南泊子村果农孙某和孙某某地头上的界石让人挪了，两人都说是对方挪的", "南泊子村", "南泊子村"),
    ],
)
def test_places_after_holdouts_22_and_23(ex: RuleExtractor, text: str, area: str | None, place: str) -> None:
    assert ex.extract(text, SENT, area).location == place


def test_a_station_names_the_categories_whose_businesses_are_sides() -> None:
    lexicon = load_extraction_rules()
    # shipped: labour, consumer and medical; a station that keeps clinics out of the sides says so
    parties = lexicon.parties.model_copy(update={"business_sides": ["labor", "consumer"]})
    station = RuleExtractor(load_rules(RULES_DIR), lexicon=lexicon.model_copy(update={"parties": parties}))
    # (with no person named, a named business is a side in any category: the rule is for a report that names one)
    text = "王某在康宁诊所打了三天吊针，越打越严重，现在住院了，诊所不认"
    assert "康宁诊所" in RuleExtractor(load_rules(RULES_DIR), lexicon=lexicon).extract(text, SENT).parties
    assert "康宁诊所" not in station.extract(text, SENT).parties
    typo = lexicon.parties.model_copy(update={"business_sides": ["labour"]})
    with pytest.raises(RuleFileError, match="business_sides"):
        RuleExtractor(load_rules(RULES_DIR), lexicon=lexicon.model_copy(update={"parties": typo}))


def test_a_local_police_bulletin_is_still_a_report(ex: RuleExtractor) -> None:
    text = "【警情通报】白沙铺镇工业园福瑞鞋厂三十多名工人聚集在厂门口，称厂方拖欠两个月工资，情绪激动"
    assert ex.extract(text, SENT).is_dispute


def test_a_mobile_read_out_digit_by_digit() -> None:
    """Voice-to-text spells a number out: 一八八零零零零九九二一, 幺三九…; a sum in words is no phone."""
    assert phones("老人家住在6组 我电话是一八八零零零零九九二一") == ["18800009921"]
    assert phones("幺三九零零零零幺二三四，麻烦回个电话") == ["13900001234"]
    assert phones("他欠了一百三十八万八千元") == []
    # holdouts 25 and 26: with a space between every digit, or between the groups of a number read out
    assert phones("谷女士电话 1 8 7 0 0 0 0 5 3 9 6") == ["18700005396"]
    assert phones("想让村里帮协调下 电话 一八九 零零零零 三六七一") == ["18900003671"]
    assert phones("1 2 3 4 5，大家报数") == []


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        # no organisation made of a trip to it (跑到合作社) or of a masked name's verb (某找厂)
        (
            "云雾山茶叶合作社欠了茶农的鲜叶钱，负责人熊某说卖不出去，茶农们今天又跑到合作社要钱",
            ["云雾山茶叶合作社", "熊某"],
        ),
        ("永昌电镀厂的废水流到麦地里，村民刘某某找厂里要赔偿，厂里说不是他们排的", ["刘某某"]),
        ("开发商锦城置业答应的车位一直不给，业主们要说法", ["锦城置业"]),
    ],
)
def test_organisations_after_holdouts_20_and_21(ex: RuleExtractor, text: str, parties: list[str]) -> None:
    assert ex.extract(text, SENT).parties == parties


@pytest.mark.parametrize(
    ("text", "dispute"),
    [
        # holdout19 (Shenzhen–Dongguan, Fuzhou, Lhasa): settled in Cantonese, a patrol that found nothing, a notice
        ("恒毅电子厂嘅事劳动所同厂方倾掂咗，承诺礼拜五前发清，工人已经散晒。", False),
        ("凌晨大桥嗰个后生仔已经劝返屋企，家属接走咗，催收问题交网安跟进。", False),
        ("今晚工业区几间厂嘅宿舍巡咗一轮，冇发现打架赌博，收工🙏", False),
        ("今晚社区篮球场放露天电影，大家带小板凳来😊", False),  # bringing a stool is no weapon in hand
        ("收到，已分流镇劳动监察，罗某我打过去了", False),
        ("依伯依姆们早，今天台风要来，阳台花盆收进去哦🌀", False),
        # 已经发了 closed a report when it was a video or a post, not the wages
        ("我们一家订了七天房，到了说超订没房了，定金两千只退一千，我们在网上已经发了视频", True),
        ("上周学生被送外卖的电动车撞了，家长殷女士要求平台赔，平台一直不理，殷女士已经发了微博", True),
        ("昨天那个讨薪的事工资已经发了，工人都回去了", False),
    ],
)
def test_dispute_or_not_after_holdout19(rules_only: RuleExtractor, text: str, dispute: bool) -> None:
    assert rules_only.extract(text, SENT).is_dispute is dispute


def test_a_scrape_on_the_road_is_no_beating(rules_only: RuleExtractor) -> None:
    text = "刚才在社区门口电动车叫一个倒车的小车蹭了一下，车把歪了腿上青了一块，现在在这扯着呢"
    assert rules_only.extract(text, SENT).risk == "low"


@pytest.mark.parametrize(
    ("text", "when"),
    [
        # the north's parts of the day and its yesterday (晋语, 京津, 冀鲁)
        ("两家今天前晌在地里为地界吵起来了", datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)),
        ("刘老汉家的狗夜来后晌把过路的学生娃咬了", datetime(2026, 11, 19, 15, 0, tzinfo=SHANGHAI)),
        ("他俩昨儿个后半晌在地头吵了一架", datetime(2026, 11, 19, 15, 0, tzinfo=SHANGHAI)),
        ("俺娘夜来黑夜十点来钟在村卫生所输液 输完就起了一身疙瘩", datetime(2026, 11, 19, 22, 0, tzinfo=SHANGHAI)),
        ("蒲某某跟他兄弟夜来黑夜为老屋吵翻了", datetime(2026, 11, 19, 20, 0, tzinfo=SHANGHAI)),
    ],
)
def test_northern_parts_of_the_day(ex: RuleExtractor, text: str, when: datetime) -> None:
    assert ex.extract(text, SENT).occurred_at == when


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("外嫁女钱某某她们十几个说凭啥没她们的份", 10),  # a count after a plural pronoun is people
        ("建材厂门口聚了二十来号工人 讨要欠了半年的工资", 20),
        ("5号楼住户反映楼上漏水", None),  # a building's number is no count
        ("我们两个组的地挨着", None),
    ],
)
def test_head_counts_said_the_northern_way(ex: RuleExtractor, text: str, count: int | None) -> None:
    assert ex.extract(text, SENT).head_count == count


@pytest.mark.parametrize(
    "text",
    [  # holdouts 25 and 26: a matter settled, told in the words of its author; chairs for a film are no weapon
        "第3管理区种植户吴某地租的事，张某某昨天晚上还了两万，剩下的说秋后给，吴某说可以，这事暂时了了",
        "额尔敦嘎查巴特尔家牛被撞的事，运输公司今天把一万二赔了，巴特尔也签了收条，这事结了",
        "永丰村张家孩子门牙那个事，昨天在村部调解好了，李某某给了一千二，两家都没意见了",
        "今晚村里放电影，在村委会篮球场，大家自己带凳子🎬",
    ],
)
def test_settled_matters_and_notices_after_holdouts_25_and_26(ex: RuleExtractor, text: str) -> None:
    assert not ex.extract(text, SENT, "永丰村").is_dispute


def test_a_quarrel_calmed_on_the_spot_is_still_reported(ex: RuleExtractor) -> None:
    assert ex.extract("永丰村刘某和李某刚才在村口打起来了，民警劝了，现在两家不吵了", SENT, "永丰村").is_dispute


def test_a_crowd_of_fellow_villagers_waiting_for_an_answer_is_red(ex: RuleExtractor) -> None:
    # holdout26: 十几个老乡 is a head count, and waiting at the gate for 说法 a gathering
    text = (
        "我老公在宏建工地干活从脚手架上摔下来了腿断了包工头不管人都找不到了我们一家还有十几个老乡现在都在工地门口等说法"
    )
    got = ex.extract(text, SENT)
    assert got.head_count == 10 and got.risk == "high"


@pytest.mark.parametrize(
    "text",
    [  # holdout25: a plea for someone to act, and a grievance ending in 呢, are no how-to questions
        "东峪村有没有人管管啊，村东头那个洗煤厂晚上一直轰隆隆的，煤灰落得俺家满院子都是，找厂里说了也没人理",
        "俺们2组采空区搬迁的安置补偿款到底啥时候发？拖了一年多了，镇上推村里，村里推矿上，一家子等着这钱翻修房子呢",
    ],
)
def test_a_plea_is_no_question(ex: RuleExtractor, text: str) -> None:
    assert ex.extract(text, SENT, "东峪村").is_dispute


@pytest.mark.parametrize(
    ("text", "parties"),
    [  # holdout26: 老伯, 阿婆 after a surname are people as written
        ("三楼赵老伯跟二楼钱某为了空调滴水又吵相骂了", ["赵老伯", "钱某"]),
        ("陈阿婆和隔壁吴阿公为晒谷坪吵起来", ["陈阿婆", "吴阿公"]),
        # in a medical report a named hospital or clinic is the other side, its trade word (口腔) inside its name
        ("雍某在康宁医院做了阑尾手术，出院后伤口感染，家属认为是手术出了问题", ["雍某", "康宁医院"]),
        ("我阿爸上个月在康泰口腔诊所种牙，种完发炎要拆，花了三万几，诊所不肯退钱", ["康泰口腔诊所"]),
        ("在手机维修店修屏收了我三百八，又黑屏了，不肯退", []),  # a trade alone names no shop
        ("福兴苑的祥和物业把水泵房锁了，业主没水用", ["祥和物业"]),  # 和 ends 祥和: no conjunction there
    ],
)
def test_people_by_kin_title_and_the_clinic_as_a_side(ex: RuleExtractor, text: str, parties: list[str]) -> None:
    assert ex.extract(text, SENT).parties == parties


@pytest.mark.parametrize(
    ("text", "risk"),
    [  # holdout28: a threat to jump into a stream, two sides in a standoff, a dare; poison and gas that threaten no one
        ("岭下村刘某某反映，佢阿姆八十几岁了，几个儿子互相推，冇人肯养，老人家讲冇人理就去跳溪", "high"),
        ("前海村跟后海村为紫菜海域的界线争了好几年，两边各有十几条船在那儿顶着", "high"),
        ("大沟村路口，大货车把秦某的电动三轮刮翻了，两边僵在路口不让车走", "high"),
        ("业主要打差评，小哥说你敢打差评我就天天来堵你", "high"),
        ("俺家的羊被隔壁宋某某家放的老鼠药毒死了两只，一只一千二，他不承认", "low"),
        ("楼下麻辣烫的老板在消防通道上堆了一堆纸箱和煤气罐，跟他讲他还凶", "low"),
        ("拆迁户许某某扬言明天再来拆就在屋里点煤气罐同归于尽", "high"),
        ("白沙村黄某被杨某家的牛顶伤住院，杨某只愿意出一半，双方僵持了一个多月", "medium"),  # long, not a standoff
    ],
)
def test_risk_after_holdout28(rules_only: RuleExtractor, text: str, risk: str) -> None:
    assert rules_only.extract(text, SENT).risk == risk


@pytest.mark.parametrize(
    ("text", "category"),
    [  # holdout28: 老宅基地 is land, not an old house; rent for a pond, who a threshing floor belongs to; a bad review
        ("周圩村五组朱某某跟他兄弟朱某为老宅基地分界吵了好几年，今个下午又为砌院墙打起来了", "land"),
        ("村民韦某某和承包鱼塘的倪某为鱼塘租金吵起来，韦某某用砖头把倪某头砸破了", "land"),
        ("王某某和黄某某两家为祠堂前面那块晒谷坪的归属，从前年吵到今年", "land"),
        ("业主说外卖洒了要他赔，小哥说是电梯里被人碰的，业主要打差评", "consumer"),
        ("两个合租的租户，一个叫柴某，一个叫殷某某，为水电费分摊吵了好几天", "other"),
        ("王某某和王某两弟兄为老人的养老分摊吵了几年了，老母亲一个人住在破窑里", "family"),
    ],
)
def test_categories_after_holdout28(rules_only: RuleExtractor, text: str, category: str) -> None:
    assert rules_only.extract(text, SENT).category == category


def test_a_mention_ends_at_punctuation(ex: RuleExtractor) -> None:
    """holdout28: in 有事群里@我，或者打…电话… the @-name was read to the end of the text, and the number lost."""
    got = ex.extract("各位业主五一快乐🎉 有事群里@我，或者打社区民警电话13800006021", SENT)
    assert not got.is_dispute and got.phones == ["13800006021"]
    assert ex.extract("@王警官 小区业主群里有个人天天@俺骂俺，说俺家孩子偷了快递", SENT).category == "other"


def test_an_officers_advice_to_apply_for_protection_is_no_report(ex: RuleExtractor) -> None:
    """holdout28: 家暴 is the strongest family cue, yet an officer telling a resident what she can apply for reports
    nothing; a report that says a side will go to court still is one."""
    advice = "蔡女士你好，已私聊你。家暴可以申请人身安全保护令，派出所全力支持，紧急情况直接打110"
    assert not ex.extract(advice, SENT).is_dispute
    assert ex.extract("东门社区陈嗲借了十万块给侄子陈某某做生意，拖了四年冇还，老人家讲要去法院起诉", SENT).is_dispute


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [  # holdout27: the learnt tagger, which had seen few ASCII quotation marks, chose the village over the name
        ('茶香坪村十几户茶农今天上午到镇上"丰收农资店"找老板，说买的肥施了以后茶叶发黄', "茶香坪村", "丰收农资店"),
        ('凤凰坪社区好多家长在"启航教育"给娃儿报了暑假班，现在机构说不办了钱有不退', "凤凰坪社区", "启航教育"),
        ("青杠坡老街“坎上老火锅”，两个客人杨某和陈某说在锅底里吃出了烟头", None, "坎上老火锅"),
    ],
)
def test_a_name_in_quotation_marks_is_not_overruled(ex: RuleExtractor, text: str, area: str | None, place: str) -> None:
    assert ex.extract(text, SENT, area).location == place


@pytest.mark.parametrize(
    "text",
    [  # holdout29, written to test the reds: threats veiled, in dialect or quoted; weapons, guns, gas; heights
        "阿强今朝喺茶楼门口同陈生讲：你个仔去补习行边条路我都知，你自己谂下啦",
        "顾某跑到钱某屋门口讲：夜里困觉眼睛张开点，当心侬屋里厢着火",
        "黄某和林某两户为番薯园的田岸又冤家，黄某夯一支草锄企在园里讲欲刣林某",
        "卢某两公婆吵架，刚刚卢某老婆哭起讲要去后山寻根绳子吊死",
        "李某找了几个社会上的人天天在他家门口蹲着，昨晚上还往他家院里扔了只死耗子，说下回扔进来的就不是耗子了",
        "佢啱啱喺朋友圈发咗张相，企喺大桥栏杆外面，写住“永别了”",
        "病人家属吴某在卫生院拍桌子，再不给说法就“让你们医院出点事”，还说他晓得主刀医生住哪里",
        "李某把家里的火药枪拿出来了，还朝天放了一枪",
        "彭某说“你再坑老子一分钱，老子搞死你”",
        "小哥讲“侬等辣海，夜里叫侬吃生活”",
        "发了张割手腕的照片，配的字是“一了百了”",
        "打电话同陈老板讲“再唔还钱，我一把火烧咗你架车同间铺”",
        "谢某抱着个液化气罐坐在楼道里，说今天不来电就开阀",
        "王某因为征地补偿款一直没到位，昨天下午爬上了村口那座高压电塔",
        "白老汉拎着二齿钩把宋某家的苗全刨了，还嚷嚷谁拦着就刨谁",
        "顾某某捏了把铁搭追牢钱某某打，钱某某手臂上拨伊划了条口子",
        "楼上那个胡某跑下来指到我鼻子说“你再上来敲门我锤死你”",
        "郭某刚才给我发语音说：“大不了跟他一命换一命”",
        "邓某提着一把杀猪刀上门，说“不还钱给你放血”",
        # holdout30, the second set written to test the reds, scored once after holdout29's lessons
        "符某直接把两条大狼狗放出来追人，阿公孙仔的小腿被咬到肉都翻出来",
        "“钟某某你记住，你屋里细伢子天天走那条山路去上学，路上出点么子事莫怪我。”",
        "马某刚才从车上拎下来一桶柴油放在修理厂门口，说今天不退钱就连人带厂一起烧了",
        "“明天中午前不还八千，派兄弟上你家，先卸你一条腿，你闺女在实验小学几年几班我们都知道。”",
        "阿某把剔肉的尖刀往案板上一拍，说今天不结账你就别想全须全尾出这个门",
        "在朋友圈发了王某老婆孩子的照片，配的话是“孩子天天放学走那条道，当爹的可得看好喽😊”",
        "今晚阿婆的仔饮咗酒上去用菜刀斩人家的铁门，斩出好几个坑",
        "陈某某一家人站在自家四层楼顶上往下扔砖头瓦块，他们喊再往前一步就往人头上砸",
        "大李庄村七八十口子人开着三轮车到镇上了，把双河镇政府大门堵上了",
        "白某今天下午把自家的液化气罐搬到院门口，阀门拧开了一半，说评估公司的人再来他就点",
        "她前夫刚才给她发微信说“买了一瓶硫酸，看你以后还怎么找人”",
        # holdout39, the seventh red-test set, scored once at dd46b91
        "谭某某开着拖拉机往龚某身上冲，旁边人拉住了",
        "我哥天天在屋里念，等我把秧插完了就去找他算总账",
        "我細佬成日講佢唔俾，我就攞佢條命嚟抵",  # typed in traditional characters
        "刘某天天蹲院里磨镰刀，见人就说谁再动俺的苗，叫他见红",
        "汤某婆跟我讲儿子们都不管我，我也不拖累哪个了",
        "东家讲伊偷了物事，把伊关了储藏室里，手机也收脱了",
        "他弟弟前两天去五金店买了把刀，我好怕他做傻事",
        # holdout40, the eighth, scored once at 62ee44b: Shaanxi 额 (我) and 寻 (找), a plan that is no settlement
        "额男人天天在院里磨那把宰羊的刀子，说等冯某回来就去寻他，把这事了了",
        # holdout42, the ninth, scored once at 1234892
        "隔壁那家往我家门缝里塞纸条，上面画口棺材，写着我的名字",
        "儿媳天天打骂张奶奶，老人两只手臂上全是青紫",
    ],
)
def test_reds_the_red_test_sets_taught(rules_only: RuleExtractor, text: str) -> None:
    assert rules_only.extract(text, SENT).risk == "high"


@pytest.mark.parametrize(
    "text",
    [  # holdout29: red-looking words used harmlessly; a word held up in quotation marks reports nothing
        "在丰收农资店买的百草枯，兑水打了三天草一点都没死，怀疑是假药，老板不给退",
        "陈某的儿子跟何某的儿子一起打游戏，游戏里“打起来”了，其实是吵谁坑队友，为三百块修屏钱说不拢",
        "某电器城说跳楼价清仓，我买了台空调装上才发现是翻新机，找他们退，店里说不退不换",
        "小区门口来了个磨刀的，磨完三把跟我要六百，我不给他就一直在门口嚷",
        "业主群里跟物业“对峙”了一晚上，就是为了公共收益的账目不公开，大家都在打字",
        "桂园小区业主范某说谁断他家电就跟谁没完",
    ],
)
def test_harmless_words_after_holdout29(rules_only: RuleExtractor, text: str) -> None:
    assert rules_only.extract(text, SENT).risk != "high"


def test_a_threat_quoted_word_by_word_still_fires(rules_only: RuleExtractor) -> None:
    assert rules_only.extract("对方跟他吵，说要“砍死”他，他吓得不敢出门", SENT).risk == "high"


def test_small_readings_after_holdouts_27_and_29(rules_only: RuleExtractor) -> None:
    # 百十号 is a hundred or so, not a thousand
    assert rules_only.extract("瑞丰置业售楼部现在被百十号业主围了，说交房推迟了一年多", SENT).head_count == 100
    # 牵扯在里头 is being involved, not a blow to the head
    land = rules_only.extract("3组和4组争一片集体山林的林权，两边到镇林业站吵过两回了，有十几户牵扯在里头", SENT)
    assert land.risk == "medium"
    # a patient of a mental disorder who chases his mother is a family matter, not a medical one
    text = "李某某（精神障碍患者，家里说他一个多月没吃药了）又犯病了，刚才在家拿菜刀追他妈，他妈跑到村委会躲着"
    assert rules_only.extract(text, SENT).category == "family"


def test_a_fight_only_thought_to_happen_is_no_red(rules_only: RuleExtractor) -> None:
    text = "陈某两口子为孩子上哪个学校吵了一架，声音大了点，邻居听到以为打起来了，我去看了，都在屋里坐着讲"
    assert rules_only.extract(text, SENT).risk != "high"


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [  # places read wrongly in holdouts 39-42, found when this session went through every set's location misses
        # a verb, a count, a child or the outskirts before a venue word names no venue
        ("说个事，开五金店的严某欠我们装修队老板十一万，一直不还", "银杏社区", "银杏社区"),
        ("社区门口两家早餐店为抢客人吵了几句，我劝了一下", "青年路社区", "青年路社区"),
        ("老二家这半年就是不接老人，说他家娃娃上大学没钱，村上调过一回也没用", "沙井子村", "沙井子村"),
        ("借给朋友邵某某二十五万，到期以后一直拖，人还在盛泽镇上开店", None, "盛泽镇"),
        ("讨债的天天打电话，还跑到我儿子学校门口拍他照片发给我，说再不还就让我后悔", "幸福里社区", "幸福里社区"),
        ("借给朋友葛某五万块一直不还。想问下派出所能不能帮忙调解", "新民社区", "新民社区"),
        ("城郊好运来茶楼二楼有人聚赌，刚才因输赢起了冲突", None, "好运来茶楼"),
        # Minnan: 阮村口彼间 is “the one at our village's entrance”
        ("阮村口彼间仁和诊所，昨昏有一个囡仔注射了后就无去矣，厝内人叫了规阵人来诊所门口闹", "山兜村", "仁和诊所"),
        # a name runs no further left than the group's own area
        ("几个外地人开着个面包车来大箐村把我兄弟拉走了，讲是钱不还清就莫想回来", "大箐村", "大箐村"),
        # after a quoted name, a clause is no part of it; the business's boss makes the quoted name a business
        (
            "在万宁日月湾的“浪人冲浪俱乐部”报了冲浪课，十节课交了3980，现在说课程取消只退一千，老板电话也不接了",
            None,
            "浪人冲浪俱乐部",
        ),
        ("“力美健身”老板跑路了😤我们六十多个会员卡里几千上万的都打水漂了", None, "力美健身"),
        # a junction is written with 与, a stretch of road without 那
        ("我在城南路和禾兴南路交叉口这边刚刚被一辆电动车撞了，他是逆行的，还不承认", None, "城南路与禾兴南路交叉口"),
        ("今天上午在S316线黄羊镇那段，我的三轮车被一辆大货车刮了，司机开上车就走了", None, "S316线黄羊镇段"),
    ],
)
def test_places_after_holdouts_39_to_42(rules_only: RuleExtractor, text: str, area: str | None, place: str) -> None:
    assert rules_only.extract(text, SENT, area).location == place


def test_a_road_code_with_or_without_its_line_is_one_road() -> None:
    assert same_place("S312线王家坝段", "S312王家坝段")
    assert same_place("城南路和禾兴南路交叉口", "城南路与禾兴南路交叉口")
    assert not same_place("S312王家坝段", "S313王家坝段")


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [
        # a 【header】 that names only a place says where; 【矛盾纠纷】 is still only a header
        ("【马坊村6组】贺某某欠同村钮某八万块钱，借了两年一直不还，今天钮某拿着杀猪刀去贺家要账", None, "马坊村6组"),
        ("【矛盾纠纷】贺某某欠同村钮某八万块钱，借了两年一直不还", "马坊村", "马坊村"),
        # an address given as 地址…; a quoted name before an ASCII venue word
        ("阿拉楼上沈某讲要拿阿拉屋里一把火烧脱，昨日夜里还下来踢门 地址梅陇新村12号302", None, "梅陇新村12号302"),
        ("在“好运来”KTV唱歌跟经理为酒水账吵了几句，出来门口站了五六个文身的，说晚上走路小心点", None, "好运来KTV"),
        # Wu 阿拉 (we) is not the start of a Mongolian name
        ("沙日塔拉苏木 阿拉坦嘎查 矿上征的那片草场 补偿标准牧户们不认 十几户牧民联名写了材料", None, "阿拉坦嘎查"),
    ],
)
def test_headers_addresses_and_quoted_venues(ex: RuleExtractor, text: str, area: str | None, place: str) -> None:
    assert ex.extract(text, SENT, area).location == place


def test_our_village_is_the_groups_own_whatever_the_tagger_says(ex: RuleExtractor) -> None:
    text = "咱屯三组于某某家跟后院孙某为院外堆的苞米秸子挡道的事又干起来了，孙某回屋把杀猪那套家伙式儿拿出来磨"
    assert ex.extract(text, SENT, "靠山屯").location == "靠山屯3组"
    # the pronouns are extraction.yaml's places.ours: without them the tagger's own reading stands
    lexicon = load_extraction_rules()
    none = lexicon.model_copy(update={"places": lexicon.places.model_copy(update={"ours": []})})
    assert RuleExtractor(load_rules(RULES_DIR), lexicon=none).extract(text, SENT, "靠山屯").location != "靠山屯3组"


@pytest.mark.parametrize(
    ("text", "risk"),
    [  # holdouts 41, 44 and 45 (three authors): a fight headed off is not red by itself
        ("两个装卸工跟老板算工钱，差了一千多块，刚才差点动起手，我们过去给拉开了，双方都回去了", "low"),
        ("两个人今天中午在那良屯小卖部门口差点动手，被拉开了", "low"),
        ("村民高某某和杨某为选举的事在村委会门口吵起来了，刚才险些推搡起来，现在各回各家了", "low"),
        # a likeness is not what happened; a deposit kept is no person held; a work accident is no assault
        ("老大就不给赡养费，这事闹了三四年了，村里调过好几回，每年过年都跟要打起来似的", "medium"),
        ("上个月辞职，老板扣着我两个月工资七千二不给，说没干满一年要扣押金，电话不接", "low"),
        ("工人罗某某上个月被模具砸伤左手，厂里只给了五千块就不管了，不给报工伤", "low"),
        # a workforce that has not gathered is many parties, not a crowd
        ("一百二十多名员工的经济补偿还没谈，有人说要去市政府门口拉横幅，暂时没有聚集", "medium"),
        # holdout45's missed reds
        ("阿兄这两日酒喝落去就讲要去伊厝'拼一拼'，剁鸭那支刀磨到金金摆在桌顶，阿嫂惊死", "high"),
        ("武某某回家了，我以为没事了，谁知道又出来了，手里提着那把开山的，郝某也犟着不走", "high"),
        ("额舅把打麦蚜虫那瓶药揣到怀里，说明儿再不给钱就在侯家门上喝了", "high"),
        ("工头贾某跟两个小工为日结的工钱吵吵起来，一个小工叫贾某用钢管抡了一下，胳膊肿得老粗", "high"),
    ],
)
def test_risk_after_holdouts_44_and_45(rules_only: RuleExtractor, text: str, risk: str) -> None:
    assert rules_only.extract(text, SENT).risk == risk


def test_a_fight_headed_off_is_one_cue_made_of_two_lists(rules_only: RuleExtractor) -> None:
    risk = load_extraction_rules().risk.model_copy(update={"near_miss": ["差点", "差点儿"], "near_miss_acts": ["动手"]})
    assert risk.headed_off() == ["re:(?:差点儿|差点)[^，。；]{0,3}(?:动手)"]
    assert risk.model_copy(update={"near_miss_acts": []}).headed_off() == []
    # the shipped cue: ten people about to fight are a crowd, two are not
    assert rules_only.extract("两个人在小卖部门口差点动手，被拉开了", SENT).risk == "low"
    text = "十几个工人跟包工头在工地门口为工钱吵，差些推搡起来，被我们拉开了"
    got = rules_only.extract(text, SENT)
    assert got.risk == "high" and got.head_count == 10


@pytest.mark.parametrize(
    "text",
    [  # holdout50's red the lists missed, and its parts alone
        "双河村村道上将将一个三轮车把刘某某的娃儿挂倒了，娃儿手杆骨折了，开三轮的是外村的，刘某某一屋人把三轮车掀翻了，"
        "把开车的围到打，我们拉都拉不开！",
        "两个卖菜的为摊位吵，一个把对面的菜筐掀翻了",
        "两家为地界吵到路口，旁边的人拉都拉不开",
        "货车司机跟村民为赔钱吵，一屋人把开车的围到打",
        # holdout55: a knife tucked away to take to someone's house (揣起刀子去罗某屋里)
        "还差他两万三冇给，今天在群里发语音讲过年前不给就揣起刀子去罗某屋里，讲他反正一条烂命",
    ],
)
def test_red_after_holdout50(rules_only: RuleExtractor, text: str) -> None:
    assert rules_only.extract(text, SENT).risk == "high"


def test_a_settled_matter_that_flared_up_again_is_a_report(rules_only: RuleExtractor) -> None:
    text = "2组赵某某跟隔壁李某家为宅基地分界吵了好几年了，去年村里调解签了协议，今天上午李某又把界桩拔了，两家又吵起来"
    assert rules_only.extract(text, SENT, "上登村").is_dispute
    assert not rules_only.extract("赵某某跟李某家宅基地的事，去年村里调解签了协议，现在两家挺好", SENT).is_dispute


def test_a_patrol_that_found_no_dispute_is_none(rules_only: RuleExtractor) -> None:
    text = "夜巡完了，商贸区几个路口都正常，两个喝醉的已经叫家里人接回去了，没有纠纷"
    assert not rules_only.extract(text, SENT, "稠溪社区").is_dispute


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [  # holdouts 49 and 50: the tagger adds no kin word after a place nor a Minnan 阮 ('our') before it; a new
        # development (新楼盘) and an alley (巷子里, 弄堂里) are no part of a name
        ("后溪村阿伯蔡某标会倒了，欠人会钱，今仔日暗时有十几个会脚围在伊厝门口，有人拎石头撞门", "后溪村", "后溪村"),
        ("阮鼎美村2组的番薯园佮隔壁苏某的园中间彼条水沟，伊今年填起来种菜，雨一落阮园仔就淹水", "鼎美村", "鼎美村2组"),
        ("我们在县城东关那个新楼盘锦绣华府二期干了半年木工，包工头李某欠我们七个人工钱", None, "锦绣华府二期"),
        ("弄堂里12号门口堆了好几袋装修垃圾一个礼拜了，讲了伊拉也勿拖走，居委会好管管伐", "永兴里", "永兴里"),
    ],
)
def test_places_after_holdouts_49_and_50(ex: RuleExtractor, text: str, area: str | None, place: str) -> None:
    assert ex.extract(text, SENT, area).location == place


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [  # holdouts 49 and 50: a named venue after a landmark and a demonstrative is where it happens
        (
            "后溪村码头边彼间鑫源石材厂放炮炸石头，飞石将郑某厝顶的瓦片打破，两边已经相拍，有人头壳流血",
            "后溪村",
            "鑫源石材厂",
        ),
        (
            "阿sir，沙涌村市场后面嗰间好运士多，头先有个叫陈某嘅男人帮人收数，仲用铁通敲烂咗个玻璃柜",
            "沙涌村",
            "好运士多",
        ),
        ("县医院对面那个康泰口腔诊所 拔牙把我一颗好牙给拔了 我要他们赔一万 诊所只肯退八百", None, "康泰口腔诊所"),
        ("红旗社区底商那个安心家电城卖给我家一台空调，装完三天就不制冷，要退货他们不让", "红旗社区", "安心家电城"),
        # a part only gone to for mediation is not the scene; a time before a part is no name it belongs to
        (
            "上个月村口那起摩托车撞人的事，肇事的周某医药费只出了两千，两家在村委会调了两次没谈拢",
            "枫树坪村",
            "枫树坪村村口",
        ),
    ],
)
def test_venues_by_a_landmark_and_mediation_places(
    rules_only: RuleExtractor, text: str, area: str | None, place: str
) -> None:
    assert rules_only.extract(text, SENT, area).location == place


def test_people_called_by_a_nickname_are_sides(rules_only: RuleExtractor) -> None:
    text = "大甸子村夜儿个晚上八点多老曹跟老邓喝酒喝多了，为点陈年旧账打起来了，老邓拿炉钩子把老曹脑瓜打破了"
    assert rules_only.extract(text, SENT).parties == ["老曹", "老邓"]
    text = "园区润丰食品厂有个工人小杨前天下午在流水线上手被压了，厂里讲伊违规操作不算工伤，小杨要三万"
    assert "小杨" in rules_only.extract(text, SENT).parties
    # not savings, a swelling, a family, a shop or the officer who writes
    for text in [
        "两个儿子为老人的养老钱吵起来了，老大说老二拿了",
        "打完针胳膊肿得老高，护士说是正常反应，我要医院赔",
        "俺村老刘家跟后院为墙头吵起来了",
        "我是民警小陈，王某跟李某为地界吵起来了",
    ]:
        got = rules_only.extract(text, SENT)
        assert got.is_dispute and not any(p[0] in "老小" for p in got.parties), (text, got.parties)


@pytest.mark.parametrize(
    ("text", "dispute"),
    [  # holdout52: a joke told in passing in a complaint that asks for help is still a report
        (
            "地下车库我的车位又被一辆白色SUV占了，第三次了😤 我真想把他轮胎气放了（开玩笑的），麻烦物业和网格员处理下",
            True,
        ),
        ("楼下邻居养了十几只鸡，天天早上四点打鸣，说了也不听，气得我想把鸡全炖了哈哈，网格员有空来看看吧", True),
        ("我老婆说再打游戏就跟我离婚😂", False),
        # an officer on his way later, and a lost key, are no reports
        ("好的👌 我一会儿带调解员过去马某某家看看", False),
        ("谁在小区健身器材那掉了一把钥匙，上面挂个小熊，我放物业前台了", False),
        # holdout55: news from elsewhere and a TV drama are no reports
        ("你们看没看新闻，南方哪个县有人拿刀在菜市场砍人，老吓人了😱 咱这嘎达可得注意点", False),
        ("昨晚那个电视剧里面，老倌喝农药讨说法那一集，看得人心头难过😢 还是要好好说话", False),
    ],
)
def test_jokes_acks_and_lost_keys_after_holdout52(rules_only: RuleExtractor, text: str, dispute: bool) -> None:
    assert rules_only.extract(text, SENT, "丽景湾").is_dispute is dispute


@pytest.mark.parametrize(
    ("text", "place"),
    [  # holdout52: a quoted name where a business stands is the venue
        ("城东建材市场“大地瓷砖”的五个搬运工反映老板压了三个月工资，每人七八千，合计三万七", "大地瓷砖"),
        ("小区门口那家“优品生鲜”卖的草莓底下全是烂的，找老板退他还阴阳怪气，有没有人管管", "优品生鲜"),
        ("马家湾村养猪户秦某说 镇上“鑫旺”屠宰场欠他猪款四万八 拖了大半年", "鑫旺屠宰场"),
        # holdout53: a trade word of five characters after the quoted name; not a clause (跑路 ends in 路)
        ("丈八东村十字那家“老碗”羊肉泡馍馆，刚才两个顾客嫌碗里有头发要免单，顾客把桌子掀了", "老碗羊肉泡馍馆"),
        ("楼下“悦动健身”突然关门跑路了😡我办的年卡才用了两个月，三千六", "悦动健身"),
        # a quoted word is no venue: 老焦“砸行情”
        ("东关菜市场两家卖鱼的互相杀价，昨天下午老冯跟老焦吵了几句，老冯说老焦“砸行情”", "东关菜市场"),
    ],
)
def test_quoted_businesses_after_holdout52(rules_only: RuleExtractor, text: str, place: str) -> None:
    assert rules_only.extract(text, SENT).location == place


@pytest.mark.parametrize(
    ("text", "place"),
    [  # holdout53: an office people only went to complain at gives way to the group's area; one that is the scene
        # stays (坐在乡政府院里不走, 镇政府门口跪着)
        ("当年说好的二次安置房到现在五年了还没交房，我们这一批有四十多户，区里信访办跑了不知道多少趟了", "永泰新苑"),
        ("俺村安置房拖了四年还没交房，今儿一早十几个老头老婆儿坐在乡政府院里不走", "乡政府"),
        ("拆迁户邵某今天上午跑到乡政府门口跪着，说补偿不给够就从乡政府楼上跳下去", "乡政府"),
    ],
)
def test_offices_after_holdout53(rules_only: RuleExtractor, text: str, place: str) -> None:
    assert rules_only.extract(text, SENT, "永泰新苑").location == place


def test_roads_after_holdout46(rules_only: RuleExtractor) -> None:
    text = "S303茅坝场镇到青杠坝段，昨天下午一辆面包车把路边走的老人秦某撞了，家属要赔医药费，两边谈了两次没谈拢"
    assert rules_only.extract(text, SENT).location == "S303茅坝场镇到青杠坝段"
    text = "水口大道同振兴路交界嗰个红绿灯，头先一架七人车追尾咗部的士，两个司机为边个全责争紧"
    assert rules_only.extract(text, SENT, "水口村").location == "水口大道与振兴路交界"
    # one place, however the junction or the village's mouth is written
    assert same_place("解放路与南大街交叉口", "解放路与南大街路口") and same_place("龙坑村村口", "龙坑村口")
    assert not same_place("解放路与南大街路口", "解放路与北大街路口")


def test_a_shop_in_a_numbered_block_is_named_without_the_block(rules_only: RuleExtractor) -> None:
    text = "三联工业区E栋鸿运纸品厂，老板梁某某宣布停产，十几个工人围住老板唔俾走，工人何某话唔出粮就同佢同归于尽"
    assert rules_only.extract(text, SENT, "三联工业区").location == "鸿运纸品厂"


def test_a_committee_is_no_village_group_and_a_village_committee_is_written_whole(rules_only: RuleExtractor) -> None:
    text = "业委会换届，筹备组自己定了候选人名单，好多业主压根不知道，我们想报名都不让，这不就是内定吗"
    assert rules_only.extract(text, SENT, "锦澜苑").location == "锦澜苑"
    text = "村委新办公楼的工地，包工头覃某欠十二个本村小工三个月工钱，小工们今天下午都坐在村委门口不走"
    assert rules_only.extract(text, SENT, "那怀村").location == "那怀村村委会"


def test_a_dormitory_room_named_alone_is_the_workplaces(ex: RuleExtractor) -> None:
    text = "宿舍楼202刚才打起来了！几个人喝酒，俩人吵着吵着就动手了，孙某某抄起啤酒瓶子把钱某脑袋开了瓢，快来人啊"
    assert ex.extract(text, SENT, "滨港物流园").location == "滨港物流园宿舍楼202"


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [  # a feature of the place written after it with 的 or a measure word is where it happens (holdouts 8, 11, 46)
        (
            "汤湖村7组的鱼塘，隔壁养鸭场老板陶某某的鸭粪水冲进塘里，鱼死了两三千斤，两个人扯了半个月了",
            None,
            "汤湖村7组鱼塘",
        ),
        ("石莲村下寨那口大水井，上寨的人拉根水管直接接到自己屋头，两边在水井边上吵了一架", None, "石莲村下寨大水井"),
    ],
)
def test_a_feature_after_the_place(rules_only: RuleExtractor, text: str, area: str | None, place: str) -> None:
    assert rules_only.extract(text, SENT, area).location == place
    # not across a person: 承包鱼塘的倪某为鱼塘租金吵起来
    feature_after = rules_only._places._feature_after
    assert feature_after is not None and feature_after.match("的倪某为鱼塘租金吵起来") is None


@pytest.mark.parametrize(
    ("text", "dispute"),
    [  # holdouts 44-46: bulletins by their header, news from elsewhere, matters settled, in Cantonese too
        ("【防火提示】天干物燥，楼道里甭堆纸箱子，电动车甭推屋里充电，一把火下去后果不堪设想。", False),
        ("转个消息：邻县有人为浇地的水跟人动了刀子，判了七年。大家有啥矛盾先寻村上，嫑冲动。", False),
        ("码头网的事了了，王某某赔了刘某六千，俩人在村委握了手", False),
        ("谭某某琴晚已经还咗一万俾我阿妈，其余嘅写咗欠条，两边都冇嘢讲了，多谢阿sir🙏", False),
        ("冯女士同物业喺居委会倾好咗，先交三个月管理费，物业下礼拜安排师傅修漏水。", False),
        # a side's claim that a contract was signed settles nothing; a red alert's header is no bulletin
        ("在美齿口腔种了两颗牙，花了两万四，半年不到就松了，我要求退钱，他们说签了协议不退", True),
        ("【红色预警】被征收户冼某某拎住一罐液化气企喺屋顶，扬言再逼佢就同归于尽", True),
        ("石某某跟邻居樊某为房檐滴水的事结了仇，说樊家娶媳妇那天要去送份大礼，让他一辈子忘不了", True),
    ],
)
def test_disputes_after_holdouts_44_to_46(rules_only: RuleExtractor, text: str, dispute: bool) -> None:
    assert rules_only.extract(text, SENT).is_dispute is dispute


@pytest.mark.parametrize(
    ("text", "risk"),
    [  # holdout47, the eleventh red-test set: its missed reds
        ("我现在在14栋楼顶上吹风。物业收了我两年车位钱，找了不下二十回没人管。经理不来我就在这上面不下去了", "high"),
        ("我前夫邓某今天早上又在楼下堵我，说我要敢把孩子带去外地，就让我们娘俩一起从这世上消失", "high"),
        ("烩面馆老板把两个未成年的帮工扣在店里，身份证收了不还，说干满一年才放人", "high"),
        ("祠堂这边吃酒，曾某某跟他表哥为田的事又扛起来了，凳子都抡起来了😱", "high"),
        ("永鑫厂那个刘某某在车间把组长摁地上捶，组长满脸是血，就因为扣了他两百块绩效", "high"),
        # and what two authors did not call red: five or six relatives come to argue, onlookers
        ("两边屋里为那八万八的彩礼扯不清。今天下午女方屋里来了五六个人到男方屋里坐着讲理，冇动手", "medium"),
        (
            "物业跟业委会为停车场收益那一百二十多万的账闹了快一年了，今天又有业主拉横幅，围着看的人不少，没起冲突",
            "medium",
        ),
    ],
)
def test_risk_after_holdout47(rules_only: RuleExtractor, text: str, risk: str) -> None:
    assert rules_only.extract(text, SENT).risk == risk


@pytest.mark.parametrize(
    "text",
    [  # holdouts 44 and 46: an officer or grid worker coordinating or advising reports nothing
        "好的我先去卢某家看看，@覃警官 麻烦也过来一趟，黄某某那个人喝了酒脾气猛得很",
        "这个要走工伤认定，我跟人社局劳动监察对接一下。罗某某你先把病历、发票、考勤记录整理好，明天上午拿来警务室",
        "健身房的事已经报给派出所和市场监管了，会员们先把合同、付款记录收好，明天上午10点在社区一楼统一登记",
        "我从镇上过去要二十分钟，你们先稳住，莫让他们动手",
    ],
)
def test_coordination_and_advice_report_nothing(rules_only: RuleExtractor, text: str) -> None:
    assert not rules_only.extract(text, SENT).is_dispute


@pytest.mark.parametrize(
    ("text", "risk"),
    [  # holdout48 and older sets: a threat to petition is yellow; years of warranty or of living somewhere are no
        # long-running quarrel
        ("修高速征地，他家只算三万八，找指挥部几回了都说按文件来，他扬言要去县里上访", "medium"),
        ("找永兴装修队搞的卫生间，冇一年就渗水到楼下，喊佢返工，佢话过了保修期，合同写的系两年保修！", "low"),
        ("一楼常某某自己砌了个小仓房，把过道占了一半，常某某说这块地他家住了三十年就该归他", "low"),
    ],
)
def test_risk_after_holdout48(rules_only: RuleExtractor, text: str, risk: str) -> None:
    assert rules_only.extract(text, SENT).risk == risk


def test_places_after_holdout48(rules_only: RuleExtractor) -> None:
    text = "5队2巷马某某家过年喝多了跟他兄弟为老人那院房子分家的事打起来了，他兄弟抡铁锨把马某某头上开了个口子"
    assert rules_only.extract(text, SENT, "福泉村").location == "福泉村5队2巷"
    text = "学校门口那棵老杨树的枝子掉下来砸我车上了，学校说树不归学校管是镇上的，镇上又让找学校，到底该谁赔"
    assert rules_only.extract(text, SENT, "东风镇中心小学").location == "东风镇中心小学"
    assert same_place("黄土岗子村村东头坡道", "黄土岗子村东头坡道") and same_place("龙坑村村口", "龙坑村口")


def test_the_one_spoken_to_is_no_side_and_a_joke_stays_one(ex: RuleExtractor) -> None:
    """老李，你…: the nickname a message opens with calls someone in the chat, so the joke veto still holds
    (holdout57); named inside a report the nickname is a side."""
    text = "老李，你再不把上回打牌输的那包烟还我，我就跟你同归于尽😂😂 开玩笑的哈，晚上来我屋喝茶"
    assert not ex.extract(text, SENT).is_dispute
    text = "老李跟老王为打牌输的烟钱吵起来了，老王说要跟他同归于尽"
    assert "老李" in ex.extract(text, SENT).parties


@pytest.mark.parametrize(
    "text",
    [  # holdouts 65 to 67: asking what the noise was, the all-clear after it, a false alarm, news seen online, a lost
        # key, a crop asked after in dialect
        "刚才3组那边吵吵嚷嚷的咋了？是不是打起来了",
        "东门那边咋回事？围了好多人，出啥事了吗",
        "没事没事，是老刘家孙子满月放鞭炮，大家别担心",
        "不是打架，是两个娃在闹着玩，家长已经领回去了",
        "接到电话说村口有人拿棍子要打人，过去看了是搬家抬家具的，虚惊一场",
        "刷抖音看到说邻县有个村为了分红打起来了，咱们可别这样",
        "谁家的钥匙掉2栋楼道里了，挂个蓝色小挂件，放门卫室了",
        "今年的花生种上了冇得？俺家的还没下种",
    ],
)
def test_questions_all_clears_and_news_after_holdout65(rules_only: RuleExtractor, text: str) -> None:
    assert not rules_only.extract(text, SENT, "幸福村").is_dispute


def test_a_matter_made_up_long_ago_and_a_new_one_now_is_a_report(rules_only: RuleExtractor) -> None:
    """早就和好了 settles the old fight only: 现在 starts the new matter (holdout66). 要结清了才走 is a demand, not a
    settled wage (holdout67)."""
    text = "我家跟隔壁老周去年吵过一回，早就和好了，现在是他家空调外机滴水滴到我家阳台，跟他说了也不管"
    assert rules_only.extract(text, SENT, "幸福村").is_dispute
    text = "老陈小吃店欠两个服务员工资6800没给，两人今天在店里坐着不走，要结清了才走"
    assert rules_only.extract(text, SENT).is_dispute
    assert not rules_only.extract("老陈小吃店欠服务员的工资昨天结清了，两人也回老家了", SENT).is_dispute


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [  # holdout67: a workplace's workshops and cold store named alone in its own group are its parts
        ("2号车间夜班两个工人为抢叉车吵起来了，孙某把周某推倒在地上", "永兴食品厂", "永兴食品厂2号车间"),
        ("喷漆车间十来个临时工说计件单价被压了，今天上午都在车间门口坐着不上工", "永兴食品厂", "永兴食品厂喷漆车间"),
        ("一个摊主欠两个搬运工工钱没给，两人在市场冷库门口等他", "城北农批市场", "城北农批市场冷库"),
        # the neighbour's cold store, and one named by its owner, are no parts of the area
        ("我家晾的鱼干被隔壁冷库排的水泡了，冷库老板孙某说不关他事", "渔湾村", "渔湾村"),
        # nor is a part the area's name ends in named twice
        ("冷库这边两个装卸工为排班吵起来了，钱某把孙某推倒了", "海丰果品冷库", "海丰果品冷库"),
        ("我们车间老周借给吴某三万，拖了两年不还", "永兴食品厂", "永兴食品厂"),
    ],
)
def test_a_workplace_parts_after_holdout67(rules_only: RuleExtractor, text: str, area: str, place: str) -> None:
    assert rules_only.extract(text, SENT, area).location == place


@pytest.mark.parametrize(
    ("text", "party", "not_party"),
    [  # holdout67: a firm named by its trade is a side; the trade word inside a longer name or a zone's is not one
        ("今天下午宏达土方的渣土车把路边停的一辆车刮了，车主钱女士要赔3000", "宏达土方", None),
        ("金穗冷链的十来个分拣工说公司停了三个月社保，今天都坐在门口不上班", "金穗冷链", None),
        ("找的瑞祥装饰公司装修，做到一半人跑了，合同签了九万", "瑞祥装饰公司", "瑞祥装饰"),
        ("南湖物流园门口两个货车司机为抢车位吵起来了", None, "南湖物流"),
        # a name jieba splits into single characters at the start of the message (正 read as an adverb)
        ("正祥物业今年物业费从每平1.8涨到2.5，一百多户业主说不交", "正祥物业", None),
    ],
)
def test_firms_named_by_their_trade_after_holdout67(
    ex: RuleExtractor, text: str, party: str | None, not_party: str | None
) -> None:
    parties = ex.extract(text, SENT, "幸福小区").parties
    assert party is None or party in parties
    assert not_party is None or not_party not in parties


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [  # holdout66: a house number's floor or flat is part of the place; a flat named alone is the compound's
        ("我妹说她男人把她关在屋里两天了，地址是东风正街112号4楼", "大坪社区", "东风正街112号4楼"),
        ("人民西路38号302的阿伯拿着把水果刀站在邻居门口，说再吵就一起死", "龙津社区", "人民西路38号302"),
        ("阿拉楼上，18号202室个小囡天天夜里弹琴弹到十点钟", "曹杨新村", "曹杨新村18号202室"),
        ("这个月18号下午两家又为车位吵起来了", "曹杨新村", "曹杨新村"),  # a date's 18号 is no house
    ],
)
def test_floors_and_flats_after_holdout66(rules_only: RuleExtractor, text: str, area: str, place: str) -> None:
    assert rules_only.extract(text, SENT, area).location == place


@pytest.mark.parametrize(
    "text",
    [  # holdouts 69 and 70: the three reds neither the lists nor the net read
        "县医院输液室刚才一个家长嫌扎针扎了好几回，给护士一个大嘴巴子，护士脸都肿了",
        "阮隔壁阿英个翁又饮酒咧拍伊，拍到伊倒佇塗跤，囡仔嘛佇哭",
        "两个家长在班级群里吵翻了，一个爸爸说明天要带人到学校堵那个孩子",
    ],
)
def test_reds_after_holdouts_69_and_70(rules_only: RuleExtractor, text: str) -> None:
    assert rules_only.extract(text, SENT).risk == "high"


def test_a_loud_mouth_is_no_slap(rules_only: RuleExtractor) -> None:
    text = "老王那张嘴巴子厉害得很，跟隔壁为晾衣杆的事吵了两句"
    assert rules_only.extract(text, SENT, "幸福村").risk != "high"


@pytest.mark.parametrize(
    ("text", "area", "place"),
    [  # holdout70: a place written only in common words and numbers is the part of the workplace whose group it is
        ("成品仓库叉车倒车把人家放在装货口的货撞翻了，两边吵起来了", "宏达电子厂", "宏达电子厂成品仓库"),
        ("B栋宿舍4楼天天晚上有人打牌吼到一两点，说了也不听", "宏达电子厂", "宏达电子厂B栋宿舍4楼"),
        ("售票厅3号窗口一个旅客嫌退票扣钱多，跟售票员吵起来了", "城南客运站", "城南客运站售票厅3号窗口"),
        ("家具市场东门口，一辆送货三轮把人家的沙发刮破了，两边在吵", "南康家具市场", "南康家具市场东门"),
        # a shop has a name of its own, and a compound's group is no workplace's
        ("学校后门外头的晨光文具店，老板说学生偷了他的笔，把学生扣着不让走", "北辰中学", "晨光文具店"),
        ("新开的甜心奶茶，店员跟顾客为排队吵起来了", "南湖星城", "甜心奶茶"),
    ],
)
def test_a_workplace_nameless_parts_after_holdout70(ex: RuleExtractor, text: str, area: str, place: str) -> None:
    """With the tagger: it finds most such parts (B栋宿舍4楼), the rules then put them in the workplace."""
    assert ex.extract(text, SENT, area).location == place


@pytest.mark.parametrize(
    ("text", "dispute"),
    [  # holdouts 68 to 70: news on a public account from the next township, a look that found nobody, Wu 弗
        ("看到镇里公众号说隔壁乡赶集有两拨人为摊位打架被拘了，咱这边赶集大家和和气气的", False),
        ("有人说看到两个送快递的在路口打架，我过去看了一圈没看到人，应该早散了", False),
        ("东门那家鞋店，有个客人讲买的鞋子同图片弗一样，要退两百多，店主小吴讲可以换弗能退", True),
    ],
)
def test_dispute_or_not_after_holdouts_68_to_70(rules_only: RuleExtractor, text: str, dispute: bool) -> None:
    assert rules_only.extract(text, SENT, "幸福村").is_dispute is dispute


def test_minnan_pa_is_to_hit_only_with_its_pronoun(ex: RuleExtractor) -> None:
    """拍伊 is 打他 in Minnan; 监控拍到了 and 拍他照片 stay as written (a camera, a photo)."""
    assert ex.reading("拍伊，拍到伊倒佇塗跤").startswith("打他，打到")
    assert ex.reading("监控都拍到了，还拍他照片发群里") == "监控都拍到了，还拍他照片发群里"


def test_a_station_names_its_own_kind_of_workplace(tmp_path: Path) -> None:
    """`places.workplaces`: a training base's group is a workplace once the station lists 基地, and a place written
    in common words there (成品仓库) is its part."""
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules_dir)
    text = "成品仓库两个叉车工为排班吵起来了，孙某把周某推了一把"
    lexicon = _without_tagger(load_extraction_rules(rules_dir))
    before = RuleExtractor(load_rules(rules_dir), lexicon=lexicon).extract(text, SENT, "蓝天实训基地")
    yaml_file = rules_dir / "extraction.yaml"
    yaml_file.write_text(yaml_file.read_text("utf-8").replace("workplaces: [", "workplaces: [基地, ", 1), "utf-8")
    lexicon = _without_tagger(load_extraction_rules(rules_dir))
    after = RuleExtractor(load_rules(rules_dir), lexicon=lexicon).extract(text, SENT, "蓝天实训基地")
    assert before.location == "成品仓库" and after.location == "蓝天实训基地成品仓库"
