"""Pairing phone numbers with the party named closest before them in the text."""

from __future__ import annotations

import re


def pair_phones(text: str, parties: list[str], phones: list[str]) -> dict[str, str]:
    digits_text = re.sub(r"(?<=\d)[ -](?=\d)", "", text)
    result: dict[str, str] = {}
    for phone in phones:
        pos = digits_text.find(phone.replace("-", ""))
        if pos < 0:
            pos = digits_text.find(phone)
        best: tuple[int, str] | None = None
        for name in parties:
            at = digits_text.rfind(name, 0, max(pos, 0))
            if at >= 0 and (best is None or at > best[0]) and name not in result:
                best = (at, name)
        if best:
            result[best[1]] = phone
    return result
