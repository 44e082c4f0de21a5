"""The Chinese NLP libraries (jionlp, jieba), loaded once per process, with the time that took."""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import re
import threading
import time
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

_lock = threading.Lock()
_state: dict[str, Any] = {}
LOAD_SECONDS: dict[str, float] = {}


def _drop_jionlp_records(record: logging.LogRecord) -> bool:
    return "jionlp" not in record.pathname


def _jio() -> Any:
    mod = _state.get("jionlp")
    if mod is None:
        with _lock:
            mod = _state.get("jionlp")
            if mod is None:
                started = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
                    import jionlp

                    jionlp.parse_time("今天上午", time_base=[2026, 1, 1, 12, 0, 0])  # builds the time parser's tables
                    jionlp.parse_money("一百元")
                    jionlp.tra2sim("臺灣", mode="char")  # loads the traditional-simplified table
                # jionlp logs a traceback through the root logger for every time phrase it cannot read, with a
                # piece of the message in it: noise, and message text must not reach our logs
                logging.getLogger().addFilter(_drop_jionlp_records)
                LOAD_SECONDS["jionlp"] = time.perf_counter() - started
                _state["jionlp"] = mod = jionlp
    return mod


def _jieba() -> Any:
    tok = _state.get("jieba")
    if tok is None:
        with _lock:
            tok = _state.get("jieba")
            if tok is None:
                started = time.perf_counter()
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                LOAD_SECONDS["jieba"] = time.perf_counter() - started
                _state["jieba"] = tok
    return tok


def warm_up() -> dict[str, float]:
    """Load both libraries now (not on the first message); returns the seconds each took, once per process."""
    _jio()
    _jieba()
    return dict(LOAD_SECONDS)


_TAUGHT = 20000  # the frequency of a word taught: high enough that jieba keeps it whole


def add_words(words: Iterable[str], split: Iterable[str] = ()) -> None:
    """Teach jieba words it must keep whole, and forget words it must split (村东 in 柳树湾村东干渠)."""
    tok = _jieba()
    with _lock:
        for w in words:
            # jieba adds every add_word's frequency to its total: a word taught twice (a second extractor in the
            # process, a rules reload) would shift every word's probability and so the segmentation
            if len(w) > 1 and not w.startswith("re:") and tok.FREQ.get(w) != _TAUGHT:
                tok.add_word(w, freq=_TAUGHT)
        for w in split:
            tok.del_word(w)
        _state.pop("pos", None)
    segment.cache_clear()


def _pos() -> Any:
    pos = _state.get("pos")
    if pos is None:
        import jieba.posseg

        pos = _state["pos"] = jieba.posseg.POSTokenizer(_jieba())
    return pos


def pos_tags(text: str) -> list[str]:
    """jieba part-of-speech flags of the words of a short text (a few characters: it is slow on long ones)."""
    return [flag for _, flag in _pos().lcut(text, HMM=False)]


def word_tag(word: str) -> str:
    """The dictionary part of speech of one jieba word ('x' if unknown): a lookup, no tagging."""
    return str(_pos().word_tag_tab.get(word, "x"))


@functools.lru_cache(maxsize=64)
def segment(text: str) -> tuple[str, ...]:
    """jieba's words, dictionary only (no HMM guesses), so that a name never swallows its neighbours."""
    return tuple(_jieba().cut(text, HMM=False))


def _simplified_writing(ch: str) -> bool:
    """The character belongs to simplified writing's basic set (GB 2312)."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def simplified(text: str, keep: Collection[str] = ()) -> str:
    """A message typed in traditional characters (撞死我阿爺嗰個司機) in simplified ones, one for one, so that the cue
    lists read it: jionlp's table, for the characters simplified writing has no use for (條, 錢, 買) whose simplified
    form it has. Only when there are three or more of them: one alone is a place name's character more often (东垵村),
    not a message in traditional. `keep`: characters a dialect list reads as they are (嘅, which the table turns into
    慨)."""
    if _simplified_writing(text):
        return text  # nearly every message: all of it in GB 2312
    converted = _jio().tra2sim(text, mode="char")
    if len(converted) != len(text):
        return text
    swaps = {
        i: new
        for i, (old, new) in enumerate(zip(text, converted, strict=True))
        if old != new and old not in keep and not _simplified_writing(old) and _simplified_writing(new)
    }
    if len(swaps) < 3:
        return text
    return "".join(swaps.get(i, ch) for i, ch in enumerate(text))


def phone_spans(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of every phone number jionlp finds; kind is cell_phone or landline_phone."""
    found = _jio().extract_phone_number(text, detail=True)
    return [(f["type"], f["text"], f["offset"][0], f["offset"][1]) for f in found]


def id_card_spans(text: str) -> list[tuple[str, int, int]]:
    found = _jio().extract_id_card(text, detail=True)
    return [(f["text"], f["offset"][0], f["offset"][1]) for f in found]


_DATED = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _dated(value: object) -> bool:
    return isinstance(value, str) and _DATED.fullmatch(value) is not None


def time_spans(text: str, base: datetime) -> list[tuple[str, int, list[str]]]:
    """(text, start, [first, last] as 'YYYY-MM-DD HH:MM:SS') of each time jionlp finds (昨天晚上8点开始 is a span
    that starts then); `base` is the local time the message was sent."""
    try:
        found = _jio().ner.extract_time(text, time_base=base.replace(tzinfo=None), with_parsing=True)
    except (ValueError, KeyError, IndexError, TypeError):
        return []
    out: list[tuple[str, int, list[str]]] = []
    for f in found:
        detail = f.get("detail") or {}
        times = detail.get("time")
        # an open-ended time (今天前晌 is read as from '-inf') dates nothing
        if f.get("type") in ("time_point", "time_span") and isinstance(times, list) and all(map(_dated, times)):
            out.append((f["text"], f["offset"][0], times))
    return out


def without_division(place: str) -> str:
    """The place without the province, city or county jionlp's division list names before it (三亚吉阳区仁心诊所 ->
    仁心诊所, 睢宁县棠梨庄村5组 -> 棠梨庄村5组); the place itself when it names none."""
    try:
        parsed = _jio().parse_location(place)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return place
    detail = parsed.get("detail") or ""
    named = any(parsed.get(level) for level in ("province", "city", "county"))
    return detail if named and detail and place.endswith(detail) else place


def parse_number(text: str) -> tuple[float, float] | None:
    """A Chinese or Arabic number, exact or vague (二十多, 五六, 1.6万), as (low, high) via jionlp's money parser."""
    try:
        parsed = _jio().parse_money(text if text.endswith("元") else text + "元")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    num = parsed.get("num")
    if isinstance(num, list):  # a range; jionlp leaves an end it cannot read as None (两几)
        ends = [float(n) for n in num if n is not None]
        return (ends[0], ends[-1]) if ends else None
    if num is None:
        return None
    return float(num), float(num)
