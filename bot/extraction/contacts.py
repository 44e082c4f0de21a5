"""Phone numbers (jionlp finds them, we normalise) and ID numbers (jionlp finds them, we check the checksum)."""

from __future__ import annotations

import re
from datetime import date

from bot.extraction import nlp
from bot.privacy import SPACED_MOBILE, SPOKEN_DIGITS, SPOKEN_MOBILE

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_SPLIT_DIGITS = re.compile(r"(?<=\d)[ \u00a0\-]+(?=\d)")
# landlines jionlp misses: (0745)8888 0119, 074588882467, 0745 8888-2467, 0891-6000 352
_LANDLINE = re.compile(r"(?<![\d+])[(（]?(0\d{2,3})[)）]?[ \-]?(\d{3,4})[ \-]?(\d{3,4})(?!\d)")


_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")


def _born(value: str) -> bool:
    """Digits 7-14 are a birth date (1900 on)."""
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return born.year >= 1900


def id_checksum_ok(value: str) -> bool:
    """GB 11643: the 18th character is the ISO 7064 MOD 11-2 check of the first 17 digits."""
    if not re.fullmatch(r"\d{17}[\dXx]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == value[17].upper()


def id_numbers(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Valid 18-digit ID numbers, and the spans of every ID-like number (valid or not) so phones skip them."""
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    candidates = list(nlp.id_card_spans(text))
    # jionlp also checks the region code against its table; a number with a valid birth date and check digit is
    # an ID number to us either way (and must be masked like one)
    candidates += [(m.group(0), m.start(), m.end()) for m in _ID_LIKE.finditer(text) if _born(m.group(0))]
    for value, start, end in sorted(candidates, key=lambda c: c[1]):
        spans.append((start, end))
        if id_checksum_ok(value):
            found.append(value.upper())
    return list(dict.fromkeys(found)), spans


def normalise_phone(raw: str) -> str | None:
    """13800138000 for a mobile, 0571-88884321 for a landline; None for anything else."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if _MOBILE.fullmatch(digits):
        return digits
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        dash = re.search(r"^\s*(0\d{2,3})\D", raw.strip().lstrip("+"))
        area = dash.group(1) if dash else digits[:3] if digits[1] in "12" else digits[:4]
        return f"{area}-{digits[len(area) :]}"
    return None


def phones(text: str, skip: list[tuple[int, int]] | None = None) -> list[str]:
    """Every mobile and landline number in the text, in order, once each; ID numbers are not phones."""
    found: list[tuple[int, str]] = []
    for kind, raw, start, end in nlp.phone_spans(text):
        if any(start < s_end and s_start < end for s_start, s_end in skip or ()):
            continue
        value = normalise_phone(raw)
        if value is None or (kind == "landline_phone" and not value.startswith("0")):
            continue  # jionlp reports a spaced mobile also as a landline
        found.append((start, value))
    taken = [*(skip or ()), *((start, start + 1) for start, _ in found)]
    for m in _LANDLINE.finditer(text):
        area, number = m.group(1), m.group(2) + m.group(3)
        if len(area) + len(number) in (11, 12) and not _overlaps(m.start(), m.end(), taken):
            found.append((m.start(), f"{area}-{number}"))
    taken = [*(skip or ()), *((start, start + 1) for start, _ in found)]
    # typed or dictated digit by digit (1 8 7 0 0 0 0 5 3 9 6, 一八九 零零零零 三六七一)
    for m in [*SPACED_MOBILE.finditer(text), *SPOKEN_MOBILE.finditer(text)]:
        digits = re.sub(r"\D", "", m.group(0).translate(SPOKEN_DIGITS))
        if _MOBILE.fullmatch(digits) and not _overlaps(m.start(), m.end(), taken):
            found.append((m.start(), digits))
    found.sort()
    return list(dict.fromkeys(v for _, v in found))


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)


def compact_digits(text: str) -> str:
    """The text with spaces and dashes inside digit runs removed (138 0013 8000 -> 13800138000)."""
    return _SPLIT_DIGITS.sub("", text)
