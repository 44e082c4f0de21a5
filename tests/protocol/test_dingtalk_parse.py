"""Golden payloads for DingTalk robot callbacks, Stream frames, card callbacks and their ACKs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.channels.dingtalk.card_callback import card_update_response, parse_card_callback
from bot.channels.dingtalk.frames import (
    BOT_MESSAGE_TOPIC,
    CARD_CALLBACK_TOPIC,
    BotMessageFrame,
    CardCallbackFrame,
    DisconnectFrame,
    EventFrame,
    MalformedFrame,
    PingFrame,
    StreamAck,
    UnhandledFrame,
    ack_bad_request,
    ack_callback,
    ack_event,
    default_ack,
    parse_stream_frame,
)
from bot.channels.dingtalk.payload import MalformedCallback
from bot.channels.dingtalk.robot import AtUser, ConversationType, parse_robot_message, strip_robot_mention

# PROTOCOLS.md B1 fixture (a 1:1 chat), verbatim.
SINGLE_BODY = (
    '{"chatbotCorpId":"dinge19e25c0b3f73fd635c2f4657eb6378f",'
    '"chatbotUserId":"$:LWCP_v1:$01B/44e/ph+R21B/X+43WLnAcUVO5BKL",'
    '"conversationId":"cidh6ezDLHQau9V23Es/xSLNoiDDmPuN354KylQ2BaIhuM=","conversationType":"1",'
    '"createAt":1774080994334,"isAdmin":false,"msgId":"msgBjXREkdlZkfTfrIiQomjAw==","msgtype":"text",'
    '"robotCode":"dingf0apw4ibx5u5ktba","senderCorpId":"dinge19e25c0b3f73fd635c2f4657eb6378f",'
    '"senderId":"$:LWCP_v1:$gzXDEXQDiM8piyLH4HRRcg==","senderNick":"赵文浩 022-3819",'
    '"senderStaffId":"032615015535634423",'
    '"sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=3dc9981636af125faaf72220d6242ff7",'
    '"sessionWebhookExpiredTime":1774086394522,"text":{"content":"hello"}}'
)

BOT_USER_ID = "$:LWCP_v1:$01B/44e/ph+R21B/X+43WLnAcUVO5BKL"


def group_body(**overrides: Any) -> dict[str, Any]:
    """A group message in the B1 field layout: the robot and one colleague are @-mentioned."""
    body: dict[str, Any] = {
        "conversationId": "cidGroupAbc123==",
        "atUsers": [
            {"dingtalkId": BOT_USER_ID},
            {"dingtalkId": "$:LWCP_v1:$colleague==", "staffId": "0211223344"},
        ],
        "chatbotCorpId": "dinge19e25c0b3f73fd635c2f4657eb6378f",
        "chatbotUserId": BOT_USER_ID,
        "msgId": "msgGroup0001==",
        "senderNick": "李警官",
        "isAdmin": True,
        "senderStaffId": "0199887766",
        "sessionWebhookExpiredTime": 1774086394522,
        "createAt": 1774080994334,
        "senderCorpId": "dinge19e25c0b3f73fd635c2f4657eb6378f",
        "conversationType": "2",
        "senderId": "$:LWCP_v1:$sender==",
        "conversationTitle": "城关派出所警务室",
        "isInAtList": True,
        "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=group",
        "text": {"content": " 查询 @王五 的报案进度\u2005"},
        "robotCode": "dingf0apw4ibx5u5ktba",
        "msgtype": "text",
    }
    body.update(overrides)
    return body


def frame_text(type_: str, topic: str, data: str, message_id: str = "msg-1") -> str:
    return json.dumps(
        {
            "specVersion": "1.0",
            "type": type_,
            "headers": {
                "appId": "app-1",
                "connectionId": "conn-1",
                "contentType": "application/json",
                "messageId": message_id,
                "time": "1774080994400",
                "topic": topic,
            },
            "data": data,
        },
        ensure_ascii=False,
    )


# --- robot message bodies -------------------------------------------------------------------------------


def test_single_chat_fixture() -> None:
    msg = parse_robot_message(SINGLE_BODY.encode("utf-8"))
    assert msg.msg_id == "msgBjXREkdlZkfTfrIiQomjAw=="
    assert msg.msgtype == "text"
    assert msg.text == msg.raw_text == "hello"
    assert msg.conversation_type is ConversationType.SINGLE
    assert not msg.is_group
    assert msg.addressed_to_bot
    assert msg.conversation_id == "cidh6ezDLHQau9V23Es/xSLNoiDDmPuN354KylQ2BaIhuM="
    assert msg.conversation_title is None
    assert msg.sender_id == "$:LWCP_v1:$gzXDEXQDiM8piyLH4HRRcg=="
    assert msg.sender_staff_id == "032615015535634423"
    assert msg.sender_nick == "赵文浩 022-3819"
    assert msg.sender_corp_id == "dinge19e25c0b3f73fd635c2f4657eb6378f"
    assert msg.is_admin is False
    assert msg.is_in_at_list is False
    assert msg.at_users == ()
    assert (
        msg.session_webhook == "https://oapi.dingtalk.com/robot/sendBySession?session=3dc9981636af125faaf72220d6242ff7"
    )
    assert msg.session_webhook_expired_time == 1774086394522
    assert msg.session_webhook_expired_time - msg.create_at == 5_400_188
    assert msg.robot_code == "dingf0apw4ibx5u5ktba"
    assert msg.chatbot_user_id == BOT_USER_ID
    assert msg.create_at == 1774080994334
    assert msg.download_codes == ()


def test_str_bytes_and_mapping_inputs_agree() -> None:
    as_dict = json.loads(SINGLE_BODY)
    assert parse_robot_message(SINGLE_BODY) == parse_robot_message(SINGLE_BODY.encode()) == parse_robot_message(as_dict)


def test_session_webhook_expiry() -> None:
    msg = parse_robot_message(SINGLE_BODY)
    assert msg.session_webhook_usable(1774086394521)
    assert not msg.session_webhook_usable(1774086394522)


def test_group_message_with_at_list() -> None:
    msg = parse_robot_message(group_body())
    assert msg.conversation_type is ConversationType.GROUP
    assert msg.is_group and msg.is_in_at_list and msg.addressed_to_bot
    assert msg.conversation_title == "城关派出所警务室"
    assert msg.raw_text == " 查询 @王五 的报案进度\u2005"
    assert msg.text == "查询 @王五 的报案进度"  # other people's mentions stay in the text
    assert msg.at_users == (
        AtUser(dingtalk_id=BOT_USER_ID, staff_id=None),
        AtUser(dingtalk_id="$:LWCP_v1:$colleague==", staff_id="0211223344"),
    )
    assert msg.is_admin is True


def test_group_message_not_addressed_to_bot() -> None:
    msg = parse_robot_message(group_body(isInAtList=False, atUsers=[]))
    assert not msg.addressed_to_bot


def test_mention_after_the_text_leaves_no_leading_space() -> None:
    # "帮助@机器人": DingTalk removes the trailing mention and there is no leading space to trim.
    assert parse_robot_message(group_body(text={"content": "帮助"})).text == "帮助"


def test_leading_robot_mention_is_stripped_when_the_name_is_known() -> None:
    body = group_body(text={"content": "@警务助手\u2005 我要报警"})
    assert parse_robot_message(body, robot_names=["警务助手"]).text == "我要报警"
    assert parse_robot_message(body).text == "@警务助手\u2005 我要报警"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("  hello  ", "hello"),
        ("@警务助手", ""),
        ("@警务助手 ", ""),
        ("@警务助手小王 你好", "@警务助手小王 你好"),  # a different, longer name is not a prefix match
        ("@警务 助手 你好", "助手 你好"),
        ("你好 @警务助手", "你好 @警务助手"),  # only a leading mention is removed
    ],
)
def test_strip_robot_mention(content: str, expected: str) -> None:
    assert strip_robot_mention(content, ["警务助手", "警务", ""]) == expected


def test_rich_text_joins_text_and_collects_pictures() -> None:
    body = group_body(
        msgtype="richText",
        content={
            "richText": [
                {"text": "@警务助手 "},
                {"text": "现场照片"},
                {"type": "picture", "downloadCode": "dc1"},
            ]
        },
    )
    del body["text"]
    msg = parse_robot_message(body, robot_names=["警务助手"])
    assert msg.raw_text == "@警务助手 现场照片"
    assert msg.text == "现场照片"
    assert msg.download_codes == ("dc1",)


def test_picture_message() -> None:
    body = group_body(msgtype="picture", content={"downloadCode": "pic-code", "pictureDownloadCode": "x"})
    del body["text"]
    msg = parse_robot_message(body)
    assert msg.text == "" and msg.download_codes == ("pic-code",)


def test_audio_message_uses_recognition_text() -> None:
    body = group_body(msgtype="audio", content={"duration": "4000", "downloadCode": "a1", "recognition": " 有人打架 "})
    del body["text"]
    msg = parse_robot_message(body)
    assert msg.text == "有人打架" and msg.download_codes == ("a1",)


def test_timestamps_given_as_decimal_strings() -> None:
    msg = parse_robot_message(group_body(createAt="1774080994334", sessionWebhookExpiredTime="1774086394522"))
    assert msg.create_at == 1774080994334 and msg.session_webhook_expired_time == 1774086394522


def test_message_is_frozen() -> None:
    msg = parse_robot_message(SINGLE_BODY)
    with pytest.raises(AttributeError):
        msg.text = "changed"  # type: ignore[misc]
    assert hash(msg) == hash(parse_robot_message(SINGLE_BODY))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{not json",
        b"\xff\xfe\xfd",
        b"[1, 2]",
        b'"text"',
        json.dumps(group_body(msgId=None)),
        json.dumps(group_body(msgId="")),
        json.dumps(group_body(msgtype=None)),
        json.dumps(group_body(text={})),
        json.dumps(group_body(text="hello")),
        json.dumps(group_body(conversationType="3")),
        json.dumps(group_body(conversationType=2)),
        json.dumps(group_body(conversationId=None)),
        json.dumps(group_body(senderId=None)),
        json.dumps(group_body(sessionWebhook=None)),
        json.dumps(group_body(sessionWebhookExpiredTime=None)),
        json.dumps(group_body(createAt="yesterday")),
        json.dumps(group_body(createAt=True)),
        json.dumps(group_body(isInAtList="true")),
        json.dumps(group_body(atUsers={"dingtalkId": "x"})),
        json.dumps(group_body(atUsers=[{"staffId": "x"}])),
        json.dumps(group_body(senderStaffId=123)),
    ],
)
def test_malformed_bodies(body: str | bytes) -> None:
    with pytest.raises(MalformedCallback):
        parse_robot_message(body)


def test_malformed_error_names_the_field() -> None:
    with pytest.raises(MalformedCallback, match="msgId"):
        parse_robot_message(group_body(msgId=None))


# --- Stream frames and ACKs -----------------------------------------------------------------------------

PING = (
    '{"specVersion":"1.0","type":"SYSTEM","headers":{"contentType":"application/json",'
    '"messageId":"ping-42","time":"1774080994400","topic":"ping"},'
    '"data":"{\\"opaque\\":\\"3ab1a60a-4c1b-4a23-b7a6-f2a3e44b2b88\\"}"}'
)


def test_ping_frame_and_echo_ack() -> None:
    inbound = parse_stream_frame(PING)
    assert isinstance(inbound, PingFrame)
    assert inbound.frame.message_id == "ping-42"
    assert inbound.frame.topic == "ping"
    assert inbound.frame.type == "SYSTEM"
    assert inbound.frame.spec_version == "1.0"
    assert default_ack(inbound).to_json() == (
        '{"code":200,"headers":{"contentType":"application/json","messageId":"ping-42"},'
        '"message":"OK","data":"{\\"opaque\\":\\"3ab1a60a-4c1b-4a23-b7a6-f2a3e44b2b88\\"}"}'
    )


def test_ping_ack_echoes_data_byte_for_byte() -> None:
    data = '{ "opaque" : "x",  "n": 1.0 }'
    inbound = parse_stream_frame(frame_text("SYSTEM", "ping", data))
    assert default_ack(inbound).data == data


def test_disconnect_frame() -> None:
    inbound = parse_stream_frame(frame_text("SYSTEM", "disconnect", '{"reason":"server restart"}', "d-1"))
    assert isinstance(inbound, DisconnectFrame)
    assert default_ack(inbound).to_dict() == {
        "code": 200,
        "headers": {"contentType": "application/json", "messageId": "d-1"},
        "message": "OK",
        "data": '{"reason":"server restart"}',
    }


def test_bot_message_frame_double_encoded() -> None:
    inbound = parse_stream_frame(frame_text("CALLBACK", BOT_MESSAGE_TOPIC, SINGLE_BODY, "cb-7").encode())
    assert isinstance(inbound, BotMessageFrame)
    assert inbound.message == parse_robot_message(SINGLE_BODY)
    assert inbound.frame.headers["connectionId"] == "conn-1"
    assert default_ack(inbound).to_json() == (
        '{"code":200,"headers":{"contentType":"application/json","messageId":"cb-7"},'
        '"message":"OK","data":"{\\"response\\":null}"}'
    )


def test_delegate_topic_is_a_bot_message() -> None:
    inbound = parse_stream_frame(frame_text("CALLBACK", "/v1.0/im/bot/messages/delegate", SINGLE_BODY))
    assert isinstance(inbound, BotMessageFrame)


CARD_DATA = json.dumps(
    {
        "extension": '{"source":"revisit"}',
        "corpId": "dinge19e25c0b3f73fd635c2f4657eb6378f",
        "type": "actionCallback",
        "userId": "0199887766",
        "content": '{"cardPrivateData":{"actionIds":["accept"],"params":{"caseId":"JW-2025-0001","score":"5"}}}',
        "outTrackId": "revisit-JW-2025-0001",
        "spaceType": "IM",
        "spaceId": "dtv1.card//IM_GROUP.cidGroupAbc123==",
        "userIdType": 1,
    },
    ensure_ascii=False,
)


def test_card_callback_frame_and_update_ack() -> None:
    inbound = parse_stream_frame(frame_text("CALLBACK", CARD_CALLBACK_TOPIC, CARD_DATA, "card-9"))
    assert isinstance(inbound, CardCallbackFrame)
    cb = inbound.callback
    assert cb.out_track_id == "revisit-JW-2025-0001"
    assert cb.user_id == "0199887766"
    assert cb.corp_id == "dinge19e25c0b3f73fd635c2f4657eb6378f"
    assert cb.type == "actionCallback"
    assert cb.space_id == "dtv1.card//IM_GROUP.cidGroupAbc123=="
    assert cb.extension == {"source": "revisit"}
    assert cb.action_ids == ("accept",)
    assert cb.params == {"caseId": "JW-2025-0001", "score": "5"}

    response = card_update_response({"status": "已评价"}, {"0199887766": {"voted": "true"}})
    ack = ack_callback(inbound.frame, response)
    assert ack.to_json() == (
        '{"code":200,"headers":{"contentType":"application/json","messageId":"card-9"},"message":"OK",'
        '"data":"{\\"response\\":{\\"cardData\\":{\\"cardParamMap\\":{\\"status\\":\\"已评价\\"}},'
        '\\"privateData\\":{\\"0199887766\\":{\\"cardParamMap\\":{\\"voted\\":\\"true\\"}}}}}"}'
    )
    assert json.loads(json.loads(ack.to_json())["data"]) == {"response": response}


def test_card_callback_without_content() -> None:
    cb = parse_card_callback({"outTrackId": "t", "userId": "u"})
    assert cb.content == {} and cb.action_ids == () and cb.params == {} and cb.type == "actionCallback"


@pytest.mark.parametrize(
    "data",
    [
        {"userId": "u"},
        {"outTrackId": "t"},
        {"outTrackId": "t", "userId": "u", "content": "{broken"},
        {"outTrackId": "t", "userId": "u", "content": {"already": "decoded"}},
        {"outTrackId": "t", "userId": "u", "userIdType": "1"},
    ],
)
def test_malformed_card_callbacks(data: dict[str, Any]) -> None:
    with pytest.raises(MalformedCallback):
        parse_card_callback(data)


def test_event_frame() -> None:
    raw = json.dumps(
        {
            "specVersion": "1.0",
            "type": "EVENT",
            "headers": {
                "messageId": "ev-1",
                "topic": "chat_update_title",
                "eventType": "chat_update_title",
                "eventId": "e-123",
                "eventCorpId": "ding-corp",
                "eventBornTime": "1774080994000",
                "contentType": "application/json",
            },
            "data": '{"chatId":"c1","title":"新群名"}',
        },
        ensure_ascii=False,
    )
    inbound = parse_stream_frame(raw)
    assert isinstance(inbound, EventFrame)
    assert (inbound.event_type, inbound.event_id, inbound.event_corp_id) == (
        "chat_update_title",
        "e-123",
        "ding-corp",
    )
    assert inbound.event_born_time == 1774080994000
    assert inbound.payload == {"chatId": "c1", "title": "新群名"}
    assert default_ack(inbound).to_json() == (
        '{"code":200,"headers":{"contentType":"application/json","messageId":"ev-1"},'
        '"message":"OK","data":"{\\"status\\":\\"SUCCESS\\",\\"message\\":\\"success\\"}"}'
    )
    assert ack_event(inbound.frame, success=False) == StreamAck(
        500, "ev-1", "later", '{"status":"LATER","message":"later"}'
    )


@pytest.mark.parametrize(
    ("type_", "topic"),
    [("CALLBACK", "/v1.0/graph/api/invoke"), ("SYSTEM", "KEEPALIVE"), ("FUTURE", "x")],
)
def test_unhandled_frames_get_a_404(type_: str, topic: str) -> None:
    inbound = parse_stream_frame(frame_text(type_, topic, "{}", "u-1"))
    assert isinstance(inbound, UnhandledFrame)
    assert default_ack(inbound).to_dict() == {
        "code": 404,
        "headers": {"contentType": "application/json", "messageId": "u-1"},
        "message": "no handler",
        "data": "",
    }


def test_frame_with_bad_payload_can_still_be_acked() -> None:
    with pytest.raises(MalformedFrame) as info:
        parse_stream_frame(frame_text("CALLBACK", BOT_MESSAGE_TOPIC, '{"msgtype":"text"}', "bad-1"))
    frame = info.value.frame
    assert frame is not None and frame.message_id == "bad-1"
    assert ack_bad_request(frame, "malformed").to_dict()["code"] == 400


def test_frame_with_object_data_is_malformed_but_ackable() -> None:
    raw = json.dumps({"type": "CALLBACK", "headers": {"messageId": "m", "topic": BOT_MESSAGE_TOPIC}, "data": {}})
    with pytest.raises(MalformedFrame) as info:
        parse_stream_frame(raw)
    assert info.value.frame is not None


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[]",
        '{"type":"SYSTEM","data":""}',
        '{"type":"SYSTEM","headers":{"topic":"ping"},"data":""}',
        '{"type":"SYSTEM","headers":{"topic":"ping","messageId":""},"data":""}',
    ],
)
def test_frames_that_cannot_be_acked(raw: str) -> None:
    with pytest.raises(MalformedFrame) as info:
        parse_stream_frame(raw)
    assert info.value.frame is None
    assert isinstance(info.value, MalformedCallback)


def test_non_string_header_values_are_kept_as_text() -> None:
    raw = json.dumps({"type": "SYSTEM", "headers": {"messageId": 7, "topic": "ping", "time": 1774080994400}})
    inbound = parse_stream_frame(raw)
    assert isinstance(inbound, PingFrame)
    assert inbound.frame.message_id == "7" and inbound.frame.headers["time"] == "1774080994400"
    assert inbound.frame.data == ""
