"""Masking rules of DOMAIN.md §9 and log redaction."""

from __future__ import annotations

import logging

import pytest

from bot.privacy import RedactingFilter, mask_name, mask_phone, scrub

ID_NUMBER = "110101199003076632"  # checksum-valid, fictional


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张某"),
        ("王建国", "王某"),
        ("欧阳娜娜", "欧阳某"),
        ("申屠晓东", "申屠某"),
        ("张某", "张某"),
        ("李某某", "李某某"),
        ("王女士", "王女士"),
        ("陈阿姨", "陈阿姨"),
        ("Tom", "某人"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_mask_phone() -> None:
    assert mask_phone("13800132233") == "138****2233"
    assert mask_phone("138 0013 2233") == "138****2233"


def test_scrub_free_text() -> None:
    text = f"张某电话13800132233，座机0571-88881234，身份证{ID_NUMBER}，另一个138-0013-2244"
    out = scrub(text)
    assert "13800132233" not in out and "138****2233" in out and "138****2244" in out
    assert "88881234" not in out and ID_NUMBER not in out and "[身份证号已隐藏]" in out


def test_logs_never_hold_phones_or_ids(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("jingwu.test.privacy")
    handler = caplog.handler
    handler.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.INFO):
            logger.info("reporter %s id %s", "13800132233", ID_NUMBER)
            try:
                raise ValueError(f"bad phone 13800132255 {ID_NUMBER}")
            except ValueError:
                logger.exception("failed")
    finally:
        handler.removeFilter(handler.filters[-1])
    assert "13800132233" not in caplog.text and "13800132255" not in caplog.text and ID_NUMBER not in caplog.text
    assert "138****2233" in caplog.text


def test_scrub_masks_every_number_the_extractor_reads() -> None:
    """Landlines in brackets or with spaces, full-width digits and ID numbers of any region are masked too."""
    text = "林业站（0745）8888 0119，座机0745 8888-2467，电话１３７００００８８３４，身份证430999198505050028"
    out = scrub(text)
    for clear in ("88880119", "8888 0119", "88882467", "8888-2467", "00008834", "430999198505050028"):
        assert clear not in out.replace("****", "")
    assert "0745-****0119" in out and "137****8834" in out and "[身份证号已隐藏]" in out


def test_scrub_masks_numbers_typed_or_read_out_digit_by_digit() -> None:
    out = scrub("谷女士电话 1 8 7 0 0 0 0 5 3 9 6，她弟弟 一八九 零零零零 三六七一，幺三五零零零零八八一二")
    assert "5 3 9 6" not in out and "三六七一" not in out and "八八一二" not in out
    assert "187****5396" in out and "189****3671" in out and "135****8812" in out
