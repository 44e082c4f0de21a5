"""Follow-ups that name a record: #0007, #7, JF-20261118-0031 (with or without the #), 纠纷7号."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.extraction import contacts

_FULL = re.compile(r"(?<![A-Za-z0-9])JF-(\d{8})-(\d{1,6})(?!\d)", re.I)
_HASH = re.compile(r"[#＃]\s?(\d{1,6})(?!\d)")
_SPOKEN = re.compile(r"(?:纠纷|编号|单号)\s?(\d{1,6})\s?号?(?!\d)")


@dataclass(frozen=True)
class CodeRef:
    number: int  # the record's sequence number: 31 for JF-20261118-0031
    day: str | None = None  # YYYYMMDD when the full code was written
    text: str = ""  # as written

    @property
    def code(self) -> str:
        """The number as records show it: 0031."""
        return f"{self.number:04d}"


@dataclass(frozen=True)
class FollowUp:
    ref: CodeRef
    phones: list[str] = field(default_factory=list)
    rest: str = ""  # the message without the code, for the record's timeline


def find_code_ref(text: str) -> CodeRef | None:
    """The first record code named in a message, or None. A full code wins over a bare #number."""
    m = _FULL.search(text)
    if m:
        return CodeRef(int(m.group(2)), m.group(1), m.group(0))
    for pattern in (_HASH, _SPOKEN):
        m = pattern.search(text)
        if m:
            return CodeRef(int(m.group(1)), None, m.group(0))
    return None


def follow_up(text: str) -> FollowUp | None:
    """A message that adds to a named record: the code, the phones it gives, and what else it says."""
    ref = find_code_ref(text)
    if ref is None:
        return None
    rest = text.replace(ref.text, " ", 1).strip(" ：:,，")
    _ids, id_spans = contacts.id_numbers(rest)
    return FollowUp(ref, contacts.phones(rest, id_spans), rest)
