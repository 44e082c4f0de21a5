"""Pure rendering: UTF-8 byte splitting on line ends, button keys, card fields, webhook mentions."""

from __future__ import annotations

import pytest

from bot.channels.wecom.cards import decode_key, encode_key
from bot.channels.wecom.render import (
    CARD_SEE_ABOVE,
    button_card,
    card_parts,
    compose,
    send_chunks,
    split_utf8,
    typed_hint,
    webhook_bodies,
)

LINE = "阳光社区3栋楼上漏水，楼下王女士和楼上陈某吵起来了"  # 3-byte characters and ASCII


@pytest.mark.parametrize("limit", [2048, 4096, 100, 7])
@pytest.mark.parametrize("lines", [1, 10, 300])
def test_split_keeps_everything_within_the_byte_limit(limit: int, lines: int) -> None:
    text = "\n".join(f"{i}:{LINE}" for i in range(lines))
    chunks = split_utf8(text, limit)
    assert "".join(chunks) == text  # nothing dropped, nothing added
    assert all(0 < len(c.encode()) <= limit for c in chunks)


def test_split_cuts_on_line_ends_when_lines_fit() -> None:
    text = "\n".join(f"{i}:{LINE}" for i in range(300))
    chunks = split_utf8(text, 2048)
    assert len(chunks) > 1 and all(c.endswith("\n") for c in chunks[:-1])
    assert "\n".join(send_chunks(text, 2048)) == text


def test_a_line_longer_than_the_limit_is_cut_between_characters() -> None:
    text = "纠" * 1000  # 3000 bytes, one line
    chunks = split_utf8(text, 2048)
    assert [len(c.encode()) for c in chunks] == [2046, 954]  # never half a character
    assert "".join(chunks) == text


def test_short_text_is_one_chunk_and_blank_chunks_are_not_sent() -> None:
    assert split_utf8("你好", 2048) == ["你好"]
    assert send_chunks("a" * 10 + "\n" * 10, 8) == ["aaaaaaaa", "aa"]


def test_button_keys_round_trip() -> None:
    assert encode_key("接单", "7") == "接单|7|"
    assert decode_key("接单|7|") == ("接单", "7", "")
    assert decode_key(encode_key("回访", "12", "不满意|再调解")) == ("回访", "12", "不满意|再调解")
    assert decode_key("key111") is None and decode_key("|7|") is None
    with pytest.raises(ValueError):
        encode_key("接|单", "7")
    with pytest.raises(ValueError):
        encode_key("反馈", "7", "说" * 400)  # over 1024 bytes


def test_card_parts_show_the_whole_message_or_point_above() -> None:
    assert card_parts("新纠纷待接单\n阳光社区漏水", None) == ("新纠纷待接单", "阳光社区漏水", True)
    assert card_parts("正文", "标题") == ("标题", "正文", True)
    head, body, fits = card_parts("标题\n" + "很长的说明" * 30, None)
    assert (head, body, fits) == ("标题", CARD_SEE_ABOVE, False)
    head, _, fits = card_parts("长" * 40, None)
    assert not fits and len(head) == 36 and head.endswith("…")


def test_button_card_shape() -> None:
    buttons = [{"label": "接单", "action": "接单", "code": "7", "args": ""}]
    assert button_card("jw1_2", "标题", "", buttons, "警务助手") == {
        "card_type": "button_interaction",
        "source": {"desc": "警务助手"},
        "main_title": {"title": "标题"},
        "task_id": "jw1_2",
        "button_list": [{"text": "接单", "style": 1, "key": "接单|7|"}],
    }


def test_webhook_mentions_by_user_id_and_by_mobile_on_the_first_part_only() -> None:
    text = "\n".join(LINE for _ in range(100))
    bodies = webhook_bodies("text", text, ["zhaozhigang", "@all", "13800138000"])
    assert bodies[0]["text"]["mentioned_list"] == ["zhaozhigang", "@all"]
    assert bodies[0]["text"]["mentioned_mobile_list"] == ["13800138000"]
    assert all("mentioned_list" not in b["text"] for b in bodies[1:])
    (md,) = webhook_bodies("markdown", "**周报**", ["zhaozhigang"])
    assert md == {"msgtype": "markdown", "markdown": {"content": "**周报**\n<@zhaozhigang>"}}


def test_markdown_reserves_room_for_its_mentions() -> None:
    bodies = webhook_bodies("markdown", "\n".join(LINE for _ in range(200)), ["zhaozhigang"])
    assert all(len(b["markdown"]["content"].encode()) <= 4096 for b in bodies)
    assert bodies[0]["markdown"]["content"].endswith("<@zhaozhigang>")


def test_compose_and_typed_hint() -> None:
    assert compose("markdown", "正文", "标题") == "**标题**\n正文"
    assert compose("text", "正文", "标题") == "标题\n正文"
    buttons = [{"action": "接单", "code": "7", "args": ""}, {"action": "回访", "code": "7", "args": "满意"}]
    assert typed_hint("通知", buttons, "警务助手") == "通知\n请 @警务助手 回复：「接单 #7」｜「回访 #7 满意」"
    assert typed_hint("回复「接单 #7」或「回访 #7 满意」", buttons, "警务助手").count("\n") == 0
