"""Pure DingTalk pieces: message bodies and msgParam limits, the per-robot budget, click and message mapping."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.channels.dingtalk.card_callback import parse_card_callback
from bot.channels.dingtalk.inbound import card_click_inbound, robot_message_inbound
from bot.channels.dingtalk.ratelimit import RobotRateLimiter
from bot.channels.dingtalk.render import MSG_PARAM_MAX_BYTES, command_text, openapi_message, outgoing, webhook_body
from bot.channels.dingtalk.robot import parse_robot_message
from bot.clock import SHANGHAI, ManualClock
from bot.messages import Button
from storage.models import OutboxMessage
from tests.fakes.dingtalk_server import card_click, robot_message

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)


def row(text: str, kind: str = "text", **payload: Any) -> OutboxMessage:
    return OutboxMessage(id=1, platform="dingtalk", chat_id="cid", kind=kind, text=text, payload=payload, template="t")


def test_mentions_are_written_into_text_and_markdown() -> None:
    o = outgoing(row("请处理", mentions=["staff-1", "staff-2"], masked=False, mention_mobiles=["13800138002"]))
    body = webhook_body(o)
    assert body["text"]["content"] == "请处理\n@staff-1 @staff-2 @13800138002"
    assert body["at"] == {"atUserIds": ["staff-1", "staff-2"], "atMobiles": ["13800138002"], "isAtAll": False}
    md = webhook_body(outgoing(row("已 @staff-1 请处理", "markdown", title="标题", mentions=["staff-1"])))
    assert md["markdown"] == {"title": "标题", "text": "已 @staff-1 请处理"}  # already there: not repeated


def test_a_masked_row_never_ats_by_mobile() -> None:
    body = webhook_body(outgoing(row("请回电", mention_mobiles=["13800138002"], masked=True)))
    assert body["at"]["atMobiles"] == [] and "138" not in body["text"]["content"]


def test_buttons_become_an_action_card_that_sends_the_typed_command() -> None:
    buttons = [Button("满意", "回访", "7", "满意").to_dict()]
    o = outgoing(row("回访", buttons=buttons))
    assert command_text(o.buttons[0]) == "回访 #7 满意"
    card = webhook_body(o)["actionCard"]
    assert card["singleTitle"] == "满意"
    assert (
        card["singleURL"] == "dtmd://dingtalkclient/sendMessage?content=%E5%9B%9E%E8%AE%BF%20%237%20%E6%BB%A1%E6%84%8F"
    )
    key, param = openapi_message(o)
    assert key == "sampleActionCard" and json.loads(param)["singleURL"] == card["singleURL"]


def test_msg_param_is_cut_to_15000_bytes() -> None:
    long = "纠纷详情。\n" * 4000  # about 64 KB of UTF-8
    for kind in ("text", "markdown"):
        key, param = openapi_message(outgoing(row(long, kind)))
        assert len(param.encode("utf-8")) <= MSG_PARAM_MAX_BYTES
        body = json.loads(param)["content" if key == "sampleText" else "text"]
        assert body.startswith("纠纷详情。") and body.endswith("（内容过长，已截断）")
    short_key, short = openapi_message(outgoing(row("短消息")))
    assert (short_key, json.loads(short)) == ("sampleText", {"content": "短消息"})


def test_twenty_a_minute_per_robot_and_the_penalty() -> None:
    clock = ManualClock(NOW)
    limiter = RobotRateLimiter(clock, per_minute=20, penalty_seconds=600)
    assert all(limiter.reserve("custom:a") is None for _ in range(20))
    assert limiter.reserve("custom:a") == 60.0
    assert limiter.reserve("custom:b") is None  # per robot
    clock.advance(timedelta(seconds=30))
    assert limiter.reserve("custom:a") == 30.0
    clock.advance(timedelta(seconds=30))
    assert limiter.reserve("custom:a") is None
    assert limiter.penalize("custom:b") == 600
    clock.advance(timedelta(minutes=9))
    assert limiter.reserve("custom:b") == 60.0
    clock.advance(timedelta(minutes=1))
    assert limiter.reserve("custom:b") is None


def test_robot_message_mapping_drops_the_robots_own_mention() -> None:
    body = robot_message(
        msg_id="m", text="转派 #7 @赵志刚", create_at=1_795_000_000_000, session_webhook="https://oapi.dingtalk.com/s",
        expires_at=1_795_005_400_000, staff_id="staff-wang", at_staff=("staff-zhao",),
    )  # fmt: skip
    msg = robot_message_inbound(parse_robot_message(body), SHANGHAI)
    assert msg is not None and msg.mentions == ("staff-zhao",) and msg.text == "转派 #7 @赵志刚"
    picture = body | {"msgtype": "picture", "content": {"downloadCode": "x"}}
    assert robot_message_inbound(parse_robot_message(picture), SHANGHAI) is None


def test_card_clicks_find_their_verb_from_params_or_action_ids() -> None:
    def click(action_id: str, params: dict[str, str]) -> Any:
        cb = parse_card_callback(card_click("jw-1-x", "staff-wang", action_id, params))
        return card_click_inbound(
            cb, delivery_id=None, card_chat_id="cidPolice", card_user_id=None, card_code="7", now=NOW
        )

    by_param = click("whatever", {"action": "反馈", "code": "#0007", "args": "已化解 双方和解"})
    assert (by_param.action, by_param.action_code, by_param.text) == ("反馈", "0007", "已化解 双方和解")
    by_id = click("accept", {})
    assert (by_id.kind, by_id.action, by_id.action_code, by_id.chat_kind) == ("action", "接单", "7", "group")
    assert click("accept", {}).message_id == by_id.message_id  # an HTTP redelivery has the same digest
    assert click("", {}) is None
