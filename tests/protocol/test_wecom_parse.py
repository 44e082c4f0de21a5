"""Golden payloads for the WeCom parsers: app XML (outer and inner) and 智能机器人 JSON."""

from __future__ import annotations

import json

import pytest

from bot.channels.wecom.crypto import MalformedPayload, WeComCrypto
from bot.channels.wecom.parse import (
    AppCardClick,
    AppEnvelope,
    AppOtherEvent,
    AppOtherMessage,
    AppText,
    BotEvent,
    BotMessage,
    SelectedItem,
    parse_app_envelope,
    parse_app_message,
    parse_bot_envelope,
    parse_bot_payload,
    strip_mention,
)

# --- app: outer envelope ---------------------------------------------------------------------------


def test_app_envelope_official_shape() -> None:
    body = (
        b"<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n"
        b"<Encrypt><![CDATA[Kl7kjoSf6DMD]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>"
    )
    assert parse_app_envelope(body) == AppEnvelope(
        to_user="ww1436e0e65a779aee", agent_id="1000002", encrypt="Kl7kjoSf6DMD"
    )


def test_app_envelope_without_agent_id() -> None:
    body = "<xml><ToUserName>ww1</ToUserName><Encrypt>abc=</Encrypt></xml>"
    assert parse_app_envelope(body) == AppEnvelope(to_user="ww1", agent_id="", encrypt="abc=")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<xml><ToUserName>ww1</ToUserName><AgentID>1</AgentID></xml>", "no Encrypt"),
        (b"<xml><Encrypt></Encrypt></xml>", "no Encrypt"),
        (b"<xml><Encrypt><a>1</a></Encrypt></xml>", "not a text element"),
        (b"<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>", "not a text element"),
        (b"<root><Encrypt>abc</Encrypt></root>", "root element"),
        (b"<xml>text only</xml>", "root element"),
        (b"<xml><Encrypt>abc</Encrypt>", "well-formed"),
        (b'{"encrypt": "abc"}', "well-formed"),
        (b"\xff\xfe<xml/>", "well-formed"),
    ],
)
def test_app_envelope_malformed(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        parse_app_envelope(body)


def test_app_envelope_refuses_entity_declarations() -> None:
    billion_laughs = (
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b"<xml><Encrypt>&b;</Encrypt></xml>"
    )
    with pytest.raises(MalformedPayload):
        parse_app_envelope(billion_laughs)


# --- app: decrypted messages -----------------------------------------------------------------------


def test_app_text_official_t2() -> None:
    xml = (
        "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
        "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
        "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
    ).encode()
    assert parse_app_message(xml) == AppText(
        msg_id="1456453720",
        from_user="ChenJiaShun",
        to_user="ww1436e0e65a779aee",
        agent_id="1000002",
        create_time=1476422779,
        content="你好",
    )


def test_app_text_cdata_t4() -> None:
    xml = (
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
        "<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n"
        "<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n"
        "<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>"
    )
    message = parse_app_message(xml)
    assert isinstance(message, AppText)
    assert message.msg_id == "4561255354251345929"  # 64-bit id kept exact, as a string
    assert (message.from_user, message.content, message.agent_id) == ("mycreate", "hello", "218")


def test_app_text_end_to_end_w3() -> None:
    crypto = WeComCrypto("123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a")
    body = (
        "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<Encrypt><![CDATA["
        "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283d"
        "Gymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwB"
        "iT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54S"
        "NdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91"
        "eBdCRxthuL0=]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>"
    )
    envelope = parse_app_envelope(body)
    plain = crypto.decrypt("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294", envelope.encrypt)
    message = parse_app_message(plain)
    assert isinstance(message, AppText)
    assert (message.msg_id, message.from_user, message.content) == ("4363689963896700987", "messense", "test")


def test_app_text_without_msg_id_falls_back_to_sender_and_time() -> None:
    xml = "<xml><FromUserName>zs</FromUserName><CreateTime>7</CreateTime><MsgType>text</MsgType></xml>"
    message = parse_app_message(xml)
    assert isinstance(message, AppText)
    assert (message.msg_id, message.content, message.to_user, message.agent_id) == ("zs:7", "", "", "")


# Fixture from binarywang/WxJava WxCpXmlMessageTest (PROTOCOLS A2).
CARD_EVENT_XML = (
    "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName>\n"
    "<CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType>\n"
    "<Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[key111]]></EventKey>\n"
    "<TaskId><![CDATA[taskid111]]></TaskId><CardType><![CDATA[text_notice]]></CardType>\n"
    "<ResponseCode><![CDATA[ResponseCode]]></ResponseCode><AgentID>1</AgentID>\n"
    "<SelectedItems><SelectedItem><QuestionKey><![CDATA[QuestionKey1]]></QuestionKey>\n"
    "<OptionIds><OptionId><![CDATA[OptionId1]]></OptionId><OptionId><![CDATA[OptionId2]]></OptionId></OptionIds>\n"
    "</SelectedItem></SelectedItems></xml>"
)


def test_app_template_card_event() -> None:
    assert parse_app_message(CARD_EVENT_XML) == AppCardClick(
        msg_id="FromUser:123456789",
        from_user="FromUser",
        to_user="toUser",
        agent_id="1",
        create_time=123456789,
        event="template_card_event",
        event_key="key111",
        task_id="taskid111",
        card_type="text_notice",
        response_code="ResponseCode",
        selected_items=(SelectedItem(question_key="QuestionKey1", option_ids=("OptionId1", "OptionId2")),),
    )


def test_app_template_card_event_single_option_and_menu_event() -> None:
    xml = (
        "<xml><ToUserName>ww1</ToUserName><FromUserName>zs</FromUserName><CreateTime>5</CreateTime>"
        "<MsgType>event</MsgType><Event>template_card_menu_event</Event><EventKey>menu_done</EventKey>"
        "<TaskId>case-42</TaskId><CardType>button_interaction</CardType><ResponseCode>rc1</ResponseCode>"
        "<AgentID>1000002</AgentID><SelectedItems><SelectedItem><QuestionKey>q</QuestionKey>"
        "<OptionIds><OptionId>only</OptionId></OptionIds></SelectedItem></SelectedItems></xml>"
    )
    message = parse_app_message(xml)
    assert isinstance(message, AppCardClick)
    assert message.event == "template_card_menu_event"
    assert (message.event_key, message.task_id, message.response_code) == ("menu_done", "case-42", "rc1")
    assert message.selected_items == (SelectedItem(question_key="q", option_ids=("only",)),)


def test_app_button_click_without_selected_items() -> None:
    xml = (
        "<xml><ToUserName>ww1</ToUserName><FromUserName>zs</FromUserName><CreateTime>5</CreateTime>"
        "<MsgType>event</MsgType><Event>template_card_event</Event><EventKey>accept</EventKey>"
        "<TaskId>t1</TaskId><CardType>button_interaction</CardType><ResponseCode>rc</ResponseCode></xml>"
    )
    message = parse_app_message(xml)
    assert isinstance(message, AppCardClick)
    assert message.selected_items == ()
    assert message.agent_id == ""


def test_app_enter_agent_event() -> None:
    xml = (
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName>"
        "<CreateTime>1408091189</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey><AgentID>1</AgentID></xml>"
    )
    assert parse_app_message(xml) == AppOtherEvent(
        msg_id="FromUser:1408091189",
        from_user="FromUser",
        to_user="toUser",
        agent_id="1",
        create_time=1408091189,
        event="enter_agent",
        event_key="",
    )


def test_app_menu_click_event_keeps_key() -> None:
    xml = (
        "<xml><ToUserName>ww1</ToUserName><FromUserName>zs</FromUserName><CreateTime>9</CreateTime>"
        "<MsgType>event</MsgType><Event>click</Event><EventKey>my_cases</EventKey><AgentID>1</AgentID></xml>"
    )
    message = parse_app_message(xml)
    assert isinstance(message, AppOtherEvent)
    assert (message.event, message.event_key, message.msg_id) == ("click", "my_cases", "zs:9")


def test_app_image_message() -> None:
    xml = (
        "<xml><ToUserName>ww1</ToUserName><FromUserName>zs</FromUserName><CreateTime>1348831860</CreateTime>"
        "<MsgType>image</MsgType><PicUrl>http://example.invalid/p.jpg</PicUrl><MediaId>m1</MediaId>"
        "<MsgId>1234567890123456</MsgId><AgentID>1</AgentID></xml>"
    )
    assert parse_app_message(xml) == AppOtherMessage(
        msg_id="1234567890123456",
        from_user="zs",
        to_user="ww1",
        agent_id="1",
        create_time=1348831860,
        msg_type="image",
    )


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        ("", "empty"),
        ("<xml><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>", "FromUserName"),
        ("<xml><FromUserName>zs</FromUserName><MsgType>text</MsgType></xml>", "CreateTime"),
        ("<xml><FromUserName>zs</FromUserName><CreateTime>1</CreateTime></xml>", "MsgType"),
        (
            "<xml><FromUserName>zs</FromUserName><CreateTime>soon</CreateTime><MsgType>text</MsgType></xml>",
            "not an integer",
        ),
        (
            "<xml><FromUserName>zs</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType></xml>",
            "Event",
        ),
        ("<xml><FromUserName>zs</FromUserName>", "well-formed"),
        (
            "<xml><FromUserName>zs</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>"
            "<Event>template_card_event</Event><SelectedItems>x</SelectedItems></xml>",
            "SelectedItems",
        ),
    ],
)
def test_app_message_malformed(xml: str, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        parse_app_message(xml)


# --- 智能机器人 --------------------------------------------------------------------------------------


def bot_json(**fields: object) -> bytes:
    base: dict[str, object] = {
        "msgid": "CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=",
        "aibotid": "AIBOTID",
        "chatid": "CHATID",
        "chattype": "group",
        "from": {"userid": "USERID"},
        "response_url": "RESPONSEURL",
    }
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not None}, ensure_ascii=False).encode()


def test_bot_envelope() -> None:
    assert parse_bot_envelope(b'{"encrypt": "abc="}') == "abc="


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"{}", "no encrypt"),
        (b'{"encrypt": ""}', "no encrypt"),
        (b'{"encrypt": 5}', "no encrypt"),
        (b'["encrypt"]', "not an object"),
        (b"<xml><Encrypt>abc</Encrypt></xml>", "not valid JSON"),
        (b'{"encrypt": "abc"', "not valid JSON"),
        (b'{"encrypt": "\xff"}', "not valid JSON"),
    ],
)
def test_bot_envelope_malformed(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        parse_bot_envelope(body)


def test_bot_text_x1_end_to_end() -> None:
    crypto = WeComCrypto("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "")
    encrypt = (
        "y514aRT8yYkYNee3kPvkrFfNP6QJhOJjJyKnjo25xNUCWRi/GOyybm22C5asmYjRRAxEBRDczW+TUMA1iRKACVskZSTdS3fNAzk3xOEA"
        "Cb7X3NRyRu3KdS1rcFR6RddHL/X3rQ6RAMja45Pfzuh2nj1PzrEYW6PlfcyVlvp4c5EssOwWMTYM1/oMZq5lPB+7r0Ff+/kfspd6LkaF"
        "FYdXQKHD4bGCDsyq/58xUPhUcogDd9ljxSlHkIeccVH1q3a6SrUL8wLlVI4cy7H8c8yupQQNjDY3AYMLfrjXDrW4lHL4FHgl7UWVfcG2"
        "xbXSyCWgHpBt2tvn4J7hh6mqUfoJ2Q=="
    )
    plain = crypto.decrypt("1e97f6f0187f029a1b1739e601750c90a5a76db4", "1409659813", "1372623149", encrypt)
    message = parse_bot_payload(plain)
    assert message == BotMessage(
        msg_id="CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=",
        aibot_id="AIBOTID",
        chat_id="CHATID",
        chat_type="group",
        from_user="USERID",
        response_url="RESPONSEURL",
        msg_type="text",
        text="hello robot",
        raw_text="@RobotA hello robot",
        stream_id="",
        image_urls=(),
        quote_text="",
    )
    assert message.session_key == "CHATID"


@pytest.mark.parametrize(
    "content",
    [
        "@RobotA hello robot",
        "@RobotA\u3000hello robot",
        "@RobotA\u2005hello robot",
        " @RobotA  \u3000hello robot",
    ],
)
def test_bot_text_mention_stripped_half_and_full_width(content: str) -> None:
    message = parse_bot_payload(bot_json(msgtype="text", text={"content": content}))
    assert isinstance(message, BotMessage)
    assert message.text == "hello robot"
    assert message.raw_text == content


def test_bot_text_mention_with_spaces_needs_bot_name() -> None:
    payload = bot_json(msgtype="text", text={"content": "@派出所 助手 我要报案"})
    message = parse_bot_payload(payload, bot_name="派出所 助手")
    assert isinstance(message, BotMessage)
    assert message.text == "我要报案"


def test_bot_single_chat_text_is_not_stripped_and_keys_on_sender() -> None:
    payload = bot_json(msgtype="text", chattype="single", chatid=None, text={"content": "@张三 借了钱不还"})
    message = parse_bot_payload(payload)
    assert isinstance(message, BotMessage)
    assert message.text == "@张三 借了钱不还"
    assert (message.chat_type, message.chat_id, message.session_key) == ("single", "", "USERID")


def test_bot_text_with_quote() -> None:
    payload = bot_json(
        msgtype="text",
        text={"content": "@RobotA 这条是什么意思"},
        quote={"msgtype": "text", "text": {"content": "明天上午来所里"}},
    )
    message = parse_bot_payload(payload)
    assert isinstance(message, BotMessage)
    assert (message.text, message.quote_text) == ("这条是什么意思", "明天上午来所里")


def test_bot_mixed() -> None:
    payload = bot_json(
        msgtype="mixed",
        mixed={
            "msg_item": [
                {"msgtype": "text", "text": {"content": "@RobotA 门口的车"}},
                {"msgtype": "image", "image": {"url": "https://example.invalid/a.jpg"}},
                {"msgtype": "text", "text": {"content": "挡住消防通道"}},
            ]
        },
    )
    message = parse_bot_payload(payload)
    assert isinstance(message, BotMessage)
    assert message.msg_type == "mixed"
    assert message.text == "门口的车\n挡住消防通道"
    assert message.image_urls == ("https://example.invalid/a.jpg",)


def test_bot_image_in_single_chat() -> None:
    payload = bot_json(msgtype="image", chattype="single", chatid=None, image={"url": "https://example.invalid/b.jpg"})
    message = parse_bot_payload(payload)
    assert isinstance(message, BotMessage)
    assert (message.text, message.image_urls) == ("", ("https://example.invalid/b.jpg",))


def test_bot_stream_refresh() -> None:
    payload = bot_json(msgtype="stream", msgid=None, stream={"id": "STREAMID"})
    message = parse_bot_payload(payload)
    assert isinstance(message, BotMessage)
    assert (message.msg_type, message.stream_id, message.msg_id) == ("stream", "STREAMID", "")


def test_bot_enter_chat_event() -> None:
    payload = bot_json(
        msgtype="event",
        chattype="single",
        chatid=None,
        create_time=1700000000,
        event={"eventtype": "enter_chat"},
    )
    assert parse_bot_payload(payload) == BotEvent(
        msg_id="CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=",
        aibot_id="AIBOTID",
        chat_id="",
        chat_type="single",
        from_user="USERID",
        response_url="RESPONSEURL",
        create_time=1700000000,
        event_type="enter_chat",
        event_key="",
        task_id="",
        card_type="",
        response_code="",
        selected_items=(),
    )


def test_bot_template_card_event() -> None:
    payload = bot_json(
        msgtype="event",
        event={
            "eventtype": "template_card_event",
            "template_card_event": {
                "card_type": "vote_interaction",
                "event_key": "submit_choice",
                "task_id": "case-42",
                "selected_items": {
                    "selected_item": [{"question_key": "choice", "option_ids": {"option_id": ["a", "b"]}}]
                },
            },
        },
    )
    message = parse_bot_payload(payload)
    assert isinstance(message, BotEvent)
    assert (message.event_type, message.card_type, message.event_key, message.task_id) == (
        "template_card_event",
        "vote_interaction",
        "submit_choice",
        "case-42",
    )
    assert message.selected_items == (SelectedItem(question_key="choice", option_ids=("a", "b")),)
    assert (message.create_time, message.session_key) == (None, "CHATID")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        # Tencent's own T3 sample plaintext (sic: invalid JSON).
        (
            b'{ "ToUserName": "wx5823bf96d3bd56c7", "FromUserName": :mycreate", "CreateTime": 1409659813, '
            b'"MsgType": "text", "Content": "hello", "MsgId": 4561255354251345929, "AgentID": 218}',
            "not valid JSON",
        ),
        (b"", "empty"),
        (b"[]", "not an object"),
        (bot_json(), "missing msgtype"),
        (bot_json(msgtype="text", msgid=None, text={"content": "x"}), "missing msgid"),
        (bot_json(msgtype="text", chatid=None, text={"content": "x"}), "missing chatid"),
        (bot_json(msgtype="text", chattype="room", text={"content": "x"}), "chattype"),
        (bot_json(msgtype="text", **{"from": {}}, text={"content": "x"}), "missing userid"),
        (bot_json(msgtype="text", **{"from": "USERID"}), "from is not an object"),
        (bot_json(msgtype="text", text={"content": 5}), "content is not a string"),
        (bot_json(msgtype="mixed", mixed={"msg_item": {"msgtype": "text"}}), "not a list"),
        (bot_json(msgtype="stream", stream={}), "missing id"),
        (bot_json(msgtype="event", event={}), "missing eventtype"),
        (bot_json(msgtype="event", event={"eventtype": "enter_chat"}, create_time="soon"), "create_time"),
        (
            bot_json(
                msgtype="event",
                event={
                    "eventtype": "template_card_event",
                    "template_card_event": {"selected_items": {"selected_item": [{"option_ids": {"option_id": "a"}}]}},
                },
            ),
            "option_id",
        ),
    ],
)
def test_bot_payload_malformed(payload: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        parse_bot_payload(payload)


@pytest.mark.parametrize(
    ("text", "bot_name", "expected"),
    [
        ("@RobotA hello", None, "hello"),
        ("@RobotA\u3000hello", None, "hello"),
        ("@RobotA", None, ""),
        ("hello @RobotA", None, "hello @RobotA"),
        ("no mention", None, "no mention"),
        ("@RobotA @RobotA twice", "RobotA", "@RobotA twice"),
        ("@RobotAB hello", "RobotA", "@RobotAB hello"),
        ("@警务助手\u3000我家门口有可疑人员", "警务助手", "我家门口有可疑人员"),
        ("@警务助手 第一行\n第二行", None, "第一行\n第二行"),
    ],
)
def test_strip_mention(text: str, bot_name: str | None, expected: str) -> None:
    assert strip_mention(text, bot_name) == expected
