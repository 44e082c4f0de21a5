"""Answering one resident message: triage first, then the FAQ above a confidence threshold, else an officer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeGuard

from bot.qa import triage
from bot.qa.knowledge import KnowledgeBase, render
from bot.qa.retrieval import Match, Retriever, Weights
from bot.qa.rules import EmergencyKind, QARules
from bot.qa.text import Analyzer

Kind = Literal["faq", "emergency", "fraud", "handoff", "not_question"]
Shape = Literal["alarm", "question", "statement"]


@dataclass(frozen=True)
class Answer:
    kind: Kind
    text: str | None  # what the resident is told; None when the bot stays quiet or an officer will answer
    entry_id: str | None
    score: float  # retrieval confidence, or 1.0 for a rule that fired
    reason: str  # faq | legal | emergency | fraud | low_confidence | asked | others_data | case_status | <small talk>
    labels: tuple[str, ...] = ()  # emergency kinds or the scam's name, for the alert
    numbers: tuple[str, ...] = ()  # numbers to call, for an emergency
    question: str = ""  # the question as it goes to an officer (without 「问民警」)
    handoff_reply: str = ""  # the reply to send with a ticket code, {code} still to fill
    matches: tuple[Match, ...] = field(default=(), compare=False)

    def contract(self) -> dict[str, object]:
        """The `jingwu ask` line: kind, answer, entry_id, score."""
        return {"kind": self.kind, "answer": self.text, "entry_id": self.entry_id, "score": round(self.score, 3)}


class QAService:
    def __init__(self, kb: KnowledgeBase, rules: QARules, weights: Weights | None = None) -> None:
        self.kb, self.rules = kb, rules
        analyzer = Analyzer(kb.synonyms, rules.words, rules.stopwords)
        self.retriever = Retriever(kb, analyzer, weights or rules.retrieval.weights(), rules.key_terms)
        self._legal_topic = kb.entry(rules.legal.entry).topic

    def shape(self, text: str) -> Shape:
        """alarm: an emergency or a scam in progress; question: something to answer (or a courtesy);
        statement: anything else, e.g. a resident describing a dispute of their own (intake's business)."""
        m = triage.Message.of(text)
        if triage.emergencies(self.rules, m) or triage.fraud(self.rules, m) is not None:
            return "alarm"
        if (
            triage.is_question(self.rules, m)
            or triage.small_talk(self.rules, m) is not None
            or triage.asks_for_officer(self.rules, m) is not None
            or triage.others_data(self.rules, m)
            or triage.case_status(self.rules, m)
        ):
            return "question"
        return "statement"

    def answerable(self, text: str) -> bool:
        """A statement the FAQ answers with confidence (「身份证丢了」 is a question without a question mark)."""
        return self.answer(text).kind == "faq"

    def values(self, station: str | None, **extra: str) -> dict[str, str]:
        return {**self.kb.values_for(station), **extra}

    def render(self, template: str, station: str | None, **extra: str) -> str:
        return render(template, self.values(station, **extra))

    def answer(self, text: str, station: str | None = None) -> Answer:
        m = triage.Message.of(text)
        found = triage.emergencies(self.rules, m)
        if found:
            return self._emergency(found, station)
        scam = triage.fraud(self.rules, m)
        if scam is not None:
            body = self.kb.render(self.kb.entry(scam.entry), station)
            reply = self.render(self.rules.fraud.reply, station, label=scam.label, answer=body)
            return Answer("fraud", reply, scam.entry, 1.0, "fraud", labels=(scam.label,))
        asked = triage.asks_for_officer(self.rules, m)
        if asked is not None:
            return self._handoff(asked or text, "asked", 1.0, self.rules.handoff.reply)
        talk = triage.small_talk(self.rules, m)
        if talk is not None:
            courtesy = self.render(talk.reply, station) if talk.reply else None
            return Answer("not_question", courtesy, None, 1.0, talk.id)
        if triage.others_data(self.rules, m):
            return self._handoff(text, "others_data", 1.0, self.rules.others_data.reply)
        if triage.case_status(self.rules, m):
            return self._handoff(text, "case_status", 1.0, self.rules.case_status.reply)
        matches = tuple(self.retriever.search(text))
        top = matches[0] if matches else None
        if triage.legal(self.rules, m) and not self._confident_elsewhere(top):
            entry = self.kb.entry(self.rules.legal.entry)
            if self._fits(top) and self.kb.entry(top.entry_id).topic == self._legal_topic:  # 欠薪: its own referral
                entry = self.kb.entry(top.entry_id)
            return Answer("faq", self.kb.render(entry, station), entry.id, 1.0, "legal", matches=matches)
        if self._fits(top):
            entry = self.kb.entry(top.entry_id)
            return Answer("faq", self.kb.render(entry, station), entry.id, top.confidence, "faq", matches=matches)
        return self._handoff(text, "low_confidence", top.confidence if top else 0.0, self.rules.handoff.reply, matches)

    def _fits(self, top: Match | None) -> TypeGuard[Match]:
        return top is not None and top.confidence >= self.rules.answer_threshold

    def _confident_elsewhere(self, top: Match | None) -> bool:
        """A legal cue gives way when a non-legal entry answers the question well (离婚后户口怎么迁)."""
        return (
            top is not None
            and top.confidence >= self.rules.legal_override
            and self.kb.entry(top.entry_id).topic != self._legal_topic
        )

    def _emergency(self, kinds: list[EmergencyKind], station: str | None) -> Answer:
        numbers = tuple(dict.fromkeys(n for k in kinds for n in k.numbers))
        advice = "\n".join(dict.fromkeys(k.advice for k in kinds))
        reply = self.render(self.rules.emergency.reply, station, numbers="、".join(numbers), advice=advice)
        return Answer("emergency", reply, None, 1.0, "emergency", tuple(k.label for k in kinds), numbers)

    @staticmethod
    def _handoff(question: str, reason: str, score: float, reply: str, matches: tuple[Match, ...] = ()) -> Answer:
        return Answer(
            "handoff", None, None, score, reason, question=question.strip(), handoff_reply=reply, matches=matches
        )


def template_fields(rules: QARules) -> Mapping[tuple[str, ...], tuple[str, set[str]]]:
    """Each reply template in qa.yaml with the fields it may use besides the station placeholders."""
    out: dict[tuple[str, ...], tuple[str, set[str]]] = {
        ("emergency", "reply"): (rules.emergency.reply, {"numbers", "advice"}),
        ("emergency", "alert"): (rules.emergency.alert, {"kinds", "chat", "asker", "text", "numbers", "mention"}),
        ("fraud", "reply"): (rules.fraud.reply, {"label", "answer"}),
        ("fraud", "alert"): (rules.fraud.alert, {"label", "chat", "asker", "text", "mention"}),
        ("others_data", "reply"): (rules.others_data.reply, {"code"}),
        ("case_status", "reply"): (rules.case_status.reply, {"code"}),
        ("handoff", "reply"): (rules.handoff.reply, {"code"}),
        ("handoff", "notice"): (rules.handoff.notice, {"code", "chat", "asker", "text", "reason", "mention"}),
        ("handoff", "answer"): (rules.handoff.answer, {"code", "question", "officer", "answer"}),
        ("faq_footer",): (rules.faq_footer, set()),
    }
    for n, talk in enumerate(rules.small_talk):
        if talk.reply:
            out[("small_talk", str(n), "reply")] = (talk.reply, set())
    return out
