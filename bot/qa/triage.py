"""What is decided before any FAQ lookup: emergencies, fraud in progress, small talk, and questions never answered."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.qa.rules import EmergencyKind, FraudKind, QARules, SmallTalk
from bot.qa.text import normalize

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Message:
    """One message in the two forms the patterns read: punctuation kept, and bare words only."""

    folded: str  # full-width folded, lower case, whitespace collapsed; 【】, ？ and ！ kept
    bare: str  # letters, digits and Chinese only (emoji and punctuation gone)

    @classmethod
    def of(cls, text: str) -> Message:
        folded = _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()
        return cls(folded, normalize(text))


def _found(pattern: re.Pattern[str] | None, m: Message) -> bool:
    return pattern is not None and bool(pattern.search(m.folded) or pattern.search(m.bare))


def emergencies(rules: QARules, m: Message) -> list[EmergencyKind]:
    """Every emergency kind the message shows. Ordinary cues count only when the message is not framed as a
    question about procedure; urgent ones always, except in a "what if" question that says nothing is happening."""
    e = rules.emergency
    if _found(e.hypothetical_re, m) and is_question(rules, m) and not _found(e.present_re, m):
        return []
    procedural = _found(e.not_now_re, m)
    return [k for k in e.kinds if _found(k.urgent_re, m) or (not procedural and _found(k.cues_re, m))]


def fraud(rules: QARules, m: Message) -> FraudKind | None:
    """A scam being worked on the asker now; 'is this a scam?' questions without money at stake go to the FAQ."""
    f = rules.fraud
    if _found(f.not_now_re, m):
        return None
    kind = next((k for k in f.kinds if _found(k.cues_re, m)), None)
    if kind is None:
        return None
    if _found(f.involved_re, m) or not _found(f.verify_re, m):
        return kind
    return None


def is_question(rules: QARules, m: Message) -> bool:
    return bool(rules.question_re.search(m.folded))


def small_talk(rules: QARules, m: Message) -> SmallTalk | None:
    """Greetings, thanks, acknowledgements and announcements; a real question inside wins over the courtesy."""
    question = is_question(rules, m)
    for talk in rules.small_talk:
        if (talk.id == "announcement" or not question) and _found(talk.patterns_re, m):
            return talk
    return None


def asks_for_officer(rules: QARules, m: Message) -> str | None:
    """The question after 「问民警」/「转人工」, when the resident asks for a person instead of the FAQ."""
    hit = rules.ask_officer_re.match(m.folded)
    return m.folded[hit.end() :].strip() if hit else None


def others_data(rules: QARules, m: Message) -> bool:
    return _found(rules.others_data.patterns_re, m)


def case_status(rules: QARules, m: Message) -> bool:
    return _found(rules.case_status.patterns_re, m)


def legal(rules: QARules, m: Message) -> bool:
    return _found(rules.legal.cues_re, m) or (_found(rules.legal.topics_re, m) and is_question(rules, m))
