"""Triage before any lookup (emergency, fraud, legal, courtesies, never-answered), on phrasings in neither data set."""

from __future__ import annotations

import pytest

from bot.qa import QAService, load_qa
from config.settings import RULES_DIR


@pytest.fixture(scope="module")
def qa() -> QAService:
    return load_qa(RULES_DIR)


@pytest.mark.parametrize(
    ("text", "numbers", "label"),
    [
        ("救命！有人闯进我家了", ("110",), "暴力警情"),
        ("我老公喝了酒又在打我", ("110",), "暴力警情"),
        ("菜市场有个人挥着菜刀乱砍", ("110",), "暴力警情"),
        ("有个男的一直跟着我不放 我好怕", ("110",), "暴力警情"),
        ("楼道里着火了 好大的烟", ("119",), "火灾"),
        ("厨房煤气泄漏了 味道很大", ("119",), "火灾"),
        ("爷爷突然倒地 口吐白沫", ("120",), "急病受伤"),
        ("有人触电了", ("120",), "急病受伤"),
        ("我女儿说活着没意思 要去跳河", ("110", "120"), "轻生"),
        ("有人坐在天台边上 好像要跳下去", ("110", "120"), "轻生"),
        ("奶奶有老年痴呆 中午出门到现在没回家", ("110",), "人员走失"),
        ("超市门口有人把一个小孩抱走了 孩子一直哭", ("110",), "儿童遇险"),
        ("邻居家孩子被他爸拿皮带抽 打得满身是伤", ("110",), "儿童遇险"),
        ("我被老公锁在家里 他还打我", ("110",), "家庭暴力"),
        ("路口有辆车撞了人 伤者躺着不动", ("120", "122"), "交通事故伤人"),
    ],
)
def test_emergencies_get_the_right_numbers_at_once(
    qa: QAService, text: str, numbers: tuple[str, ...], label: str
) -> None:
    a = qa.answer(text)
    assert a.kind == "emergency" and a.score == 1.0
    assert set(numbers) <= set(a.numbers) and label in a.labels
    assert a.text and f"请立即拨打 {a.numbers[0]}" in a.text and "已同时通知值班民警" in a.text


@pytest.mark.parametrize(
    "text",
    [
        "冬天怎么预防煤气中毒",
        "万一家里着火了先做什么",
        "火灾隐患怎么上报",
        "老人走丢了要等24小时才能报警吗",
        "家暴能找警察吗",
        "急救电话是120吗",
        "撞车了没人受伤要报警吗",
        "他打电话骂了我一顿",
        "我在打疫苗的地方排队 人好多",
        "被人打了 会留案底吗",
        "带孩子去香港要办什么证",
        "跳楼价甩卖的东西能买吗",
    ],
)
def test_questions_about_emergencies_are_not_emergencies(qa: QAService, text: str) -> None:
    assert qa.answer(text).kind != "emergency"


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("自称法院的人说我有案子 让我把钱转进安全账户核查", "fraud-safe-account"),
        ("接了个兼职刷单 先垫付了800 现在说要再充2000才能返", "fraud-brushing"),
        ("自称抖音客服说我开了会员要扣费 让我开屏幕共享关闭", "fraud-customer-service"),
        ("微信上一个新加的领导让我先转5万给合作方", "fraud-impersonate-acquaintance"),
        ("网贷平台说我流水不够 要先交5000验证还款能力", "fraud-loan"),
        ("收到短信说我中了二等奖 要先交3000税费", "fraud-winning"),
        ("短信说我的医保卡异常要冻结 让我点链接重新认证 我已经填了卡号", "fraud-link"),
        ("网友带我在一个投资平台炒币 我投了十万 现在提现不了", "fraud-investment"),
        ("刚才被骗了两万 怎么办", "fraud-after-scammed"),
    ],
)
def test_scams_in_progress_get_the_anti_fraud_answer(qa: QAService, text: str, entry: str) -> None:
    a = qa.answer(text)
    assert (a.kind, a.entry_id) == ("fraud", entry)
    assert a.text and "96110" in a.text and "警惕诈骗" in a.text


@pytest.mark.parametrize(
    "text",
    ["安全账户是真的吗", "刷单是不是骗局", "贷款前要交手续费正常吗", "怎么识别冒充客服的骗子", "要是被骗了能追回吗"],
)
def test_is_this_a_scam_questions_are_answered_from_the_faq(qa: QAService, text: str) -> None:
    a = qa.answer(text)
    assert a.kind == "faq" and a.entry_id and a.entry_id.startswith("fraud-")
    assert a.text and "96110" in a.text


@pytest.mark.parametrize(
    "text",
    [
        "离婚了孩子抚养费一个月给多少",
        "邻居占了我家地 起诉能赢吗",
        "被人打伤了能赔多少钱",
        "口头借条算数吗 借的钱能要回来吗",
    ],
)
def test_legal_advice_is_referred_not_answered(qa: QAService, text: str) -> None:
    a = qa.answer(text)
    assert (a.kind, a.entry_id, a.reason) == ("faq", "legal-consult-handoff", "legal")
    assert a.text and "12348" in a.text and "司法所" in a.text and "调解" in a.text


@pytest.mark.parametrize(
    ("text", "reason", "replies"),
    [
        ("你好", "greeting", True),
        ("大家晚上好", "greeting", True),
        ("谢谢民警同志", "thanks", True),
        ("好的 收到", "ack", False),
        ("👍👍", "ack", False),
        ("【通知】明天上午九点在村委会开反诈讲座", "announcement", False),
        ("哈哈哈哈", "ack", False),
        ("今天天气真好", "chatter", False),
    ],
)
def test_courtesies_are_not_questions(qa: QAService, text: str, reason: str, replies: bool) -> None:
    a = qa.answer(text, "城关派出所")
    assert (a.kind, a.reason) == ("not_question", reason)
    assert (a.text is not None) == replies
    if reason == "greeting":
        assert a.text and "城关派出所" in a.text and "110" in a.text


def test_a_question_after_a_greeting_is_still_answered(qa: QAService) -> None:
    a = qa.answer("你好 请问身份证丢了怎么补")
    assert (a.kind, a.entry_id) == ("faq", "idcard-reissue-lost")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("帮我查一下王某的手机号", "others_data"),
        ("能查下隔壁租客住哪里的吗", "others_data"),
        ("我前天反映的那个纠纷处理得怎么样了", "case_status"),
        ("#0012 有进展没", "case_status"),
        ("问民警：我家门口能装监控吗", "asked"),
    ],
)
def test_never_answered_by_the_bot(qa: QAService, text: str, reason: str) -> None:
    a = qa.answer(text)
    assert (a.kind, a.reason, a.text) == ("handoff", reason, None)
    assert "{code}" in a.handoff_reply


def test_shape_tells_alarms_questions_and_statements(qa: QAService) -> None:
    assert qa.shape("有人拿刀砍人") == "alarm"
    assert qa.shape("身份证怎么补办") == "question"
    assert qa.shape("你好") == "question"
    assert qa.shape("我和邻居因为宅基地吵起来了，他扬言要报复") == "statement"
    assert qa.answerable("身份证丢了") and not qa.answerable("今年的小麦收成不错")
