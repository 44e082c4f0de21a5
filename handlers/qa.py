"""Resident Q&A: FAQ answers, emergencies and fraud first with an alert, the rest handed to an officer (答复 #Q3)."""

from __future__ import annotations

import logging
import re

from bot.commands import Command
from bot.context import HandlerContext
from bot.domain.errors import BadCommand, NotFound, PermissionDenied
from bot.messages import Target
from bot.privacy import Privacy
from bot.qa import Answer, QAService, load_qa
from handlers.common import mention_of
from handlers.routing import AreaRoute, responsible_officer, route_for
from storage.models import Person
from storage.models_qa import Consultation, ConsultationRepository

log = logging.getLogger(__name__)

_Q_CODE = re.compile(r"^#?\s*q\s*0*(\d{1,9})(?!\d)[\s:：,，]*", re.IGNORECASE)
REASONS = {
    "asked": "群众要求民警答复。",
    "others_data": "涉及查询他人信息：请依法处理，不要在群里提供他人信息。",
    "case_status": "询问纠纷或案件办理情况：请私下联系当事人，不要在群里公开细节。",
}


def service(ctx: HandlerContext) -> QAService:
    return load_qa(ctx.services.settings.rules_dir)


def _in_resident_chat(ctx: HandlerContext) -> bool:
    """A resident (or someone not registered) writing in a resident group or 1:1 with the bot."""
    if ctx.msg.kind != "text" or not ctx.msg.text.strip() or ctx.role != "resident":
        return False
    if ctx.msg.chat_kind == "direct":
        return True
    return ctx.group is not None and ctx.group.kind == "resident"


def wants_answer(ctx: HandlerContext) -> bool:
    """Q&A takes emergencies and scams even when the bot was not @-mentioned, and addressed questions and
    courtesies. An addressed statement stays with intake (a dispute of the resident's own, or a follow-up to one
    just reported) unless it is no dispute and the FAQ answers it with confidence (「身份证丢了」)."""
    if not _in_resident_chat(ctx):
        return False
    qa = service(ctx)
    shape = qa.shape(ctx.msg.text)
    if shape == "alarm":
        return True
    if not ctx.msg.addressed:
        return False
    if shape == "question":
        return True
    area = ctx.group.area if ctx.group else None
    if ctx.services.extractor.extract(ctx.msg.text, ctx.msg.sent_at, area).is_dispute:
        return False
    return qa.answerable(ctx.msg.text)


def _area(ctx: HandlerContext) -> str | None:
    return ctx.group.area if ctx.group and ctx.group.area else ctx.rules.routing.default_area


def _asker(ctx: HandlerContext) -> str:
    return ctx.person.name if ctx.person else (ctx.msg.sender_name or "未登记用户")


def _chat(ctx: HandlerContext) -> str:
    return ctx.group.name if ctx.group else "私聊"


async def answer_resident(ctx: HandlerContext) -> None:
    qa = service(ctx)
    route = await route_for(ctx.uow, ctx.rules, _area(ctx))
    station = route.station
    answer = qa.answer(ctx.msg.text, station)
    log.info("qa inbox %s -> %s (%s) entry=%s score=%.2f", ctx.inbox_id, answer.kind, answer.reason,
             answer.entry_id, answer.score)  # fmt: skip
    if answer.kind == "handoff":
        await _hand_off(ctx, qa, answer, route)
        return
    if answer.text is None:  # acknowledgements and announcements: nothing to say
        return
    text = answer.text
    if answer.kind == "faq" and qa.rules.faq_footer:
        text = f"{text}\n{qa.render(qa.rules.faq_footer, station)}"
    await _reply(ctx, f"qa_{answer.kind}", text)
    if answer.kind == "emergency":
        await _alert(ctx, "qa_emergency_alert", qa.rules.emergency.alert, qa, route,
                     kinds="、".join(answer.labels), numbers="、".join(answer.numbers))  # fmt: skip
    elif answer.kind == "fraud":
        await _alert(ctx, "qa_fraud_alert", qa.rules.fraud.alert, qa, route, label="、".join(answer.labels))


async def _reply(ctx: HandlerContext, template: str, text: str) -> None:
    """To the asker's chat; in a group the asker is @-mentioned so the answer finds them. The text is the
    station's own vetted configuration (answers, numbers, ticket code), never the asker's words."""
    mentions = [ctx.msg.sender_id] if ctx.msg.chat_kind == "group" else []
    await ctx.notifier.send(ctx.reply_target(), template, lambda p: text, mentions=mentions, vetted=True)


async def _duty_officer(ctx: HandlerContext, route: AreaRoute) -> tuple[Person | None, Target]:
    """The area's officer (the station leader if none is registered), and the station's police group."""
    return await responsible_officer(ctx.uow, route), route.police_group


async def _alert(ctx: HandlerContext, template: str, text: str, qa: QAService, route: AreaRoute, **fields: str) -> None:
    officer, target = await _duty_officer(ctx, route)
    station = route.station
    mention = f"@{officer.name}" if officer else "值班民警"
    asker, chat, said = _asker(ctx), _chat(ctx), ctx.msg.text

    def render(p: Privacy) -> str:
        return qa.render(text, station, asker=p.name(asker), chat=chat, text=p.text(said), mention=mention, **fields)

    await ctx.notifier.send(target, template, render, mentions=mention_of(ctx, officer, target.platform))


async def _hand_off(ctx: HandlerContext, qa: QAService, answer: Answer, route: AreaRoute) -> None:
    """Open a consultation ticket, tell the asker, and ask the area's officer in the police group to answer."""
    officer, target = await _duty_officer(ctx, route)
    station = route.station
    group_chat = ctx.msg.chat_kind == "group"
    ticket = await ConsultationRepository(ctx.uow.session).add(
        Consultation(
            platform=ctx.msg.platform,
            chat_id=ctx.msg.chat_id if group_chat else ctx.msg.sender_id,
            chat_kind=ctx.msg.chat_kind,
            asker_id=ctx.person.id if ctx.person else None,
            asker_user_id=ctx.msg.sender_id,
            asker_name=_asker(ctx)[:64],
            area=_area(ctx),
            question=answer.question or ctx.msg.text,
            status="open",
            officer_id=officer.id if officer else None,
            inbox_id=ctx.inbox_id,
            created_at=ctx.clock.now(),
        )
    )
    await _reply(ctx, "qa_handoff", qa.render(answer.handoff_reply, station, code=ticket.code))
    reason = REASONS.get(answer.reason) or _closest(qa, answer)
    mention = f"@{officer.name}" if officer else "值班民警"
    asker, chat, question = _asker(ctx), _chat(ctx), ticket.question

    def render(p: Privacy) -> str:
        return qa.render(
            qa.rules.handoff.notice,
            station,
            code=ticket.code,
            chat=chat,
            asker=p.name(asker),
            text=p.text(question),
            reason=reason,
            mention=mention,
        )

    await ctx.notifier.send(target, "qa_consultation", render, mentions=mention_of(ctx, officer, target.platform))


def _closest(qa: QAService, answer: Answer) -> str:
    if not answer.matches:
        return "机器人没有找到相关的常见问题。"
    best = answer.matches[0]
    entry = qa.kb.entry(best.entry_id)
    closest = f"{entry.topic}「{entry.questions[0]}」"
    return f"机器人没有把握回答（最接近的常见问题：{closest}，置信度 {best.confidence:.2f}）。"


async def answer_consultation(ctx: HandlerContext, cmd: Command) -> None:
    """答复 #Q3 内容: the officer's answer goes back to the asker's chat, and the ticket is closed."""
    qa = service(ctx)
    if ctx.person is None or ctx.role not in qa.rules.answer_roles:
        raise PermissionDenied("只有民警可以答复群众咨询。")
    number, body = cmd.number, cmd.args.strip()
    if number is None:
        m = _Q_CODE.match(body)
        if m:
            number, body = int(m.group(1)), body[m.end() :].strip()
    if number is None:
        raise BadCommand("请带上咨询编号，例如「答复 #Q3 答复内容」。")
    if not body:
        raise BadCommand(f"请写明答复内容，例如「答复 #Q{number} 请带户口簿到户籍窗口办理」。")
    repo = ConsultationRepository(ctx.uow.session)
    ticket = await repo.get(number)
    if ticket is None:
        raise NotFound(f"没有找到咨询 Q{number}，请核对编号。")
    ticket.answer, ticket.status = body, "answered"
    ticket.answered_by_id, ticket.answered_at = ctx.person.id, ctx.clock.now()
    station = (await route_for(ctx.uow, ctx.rules, ticket.area)).station
    officer = f"社区民警{ctx.person.name}"
    is_group = ticket.chat_kind == "group"
    where_to = {"chat_id": ticket.chat_id} if is_group else {"user_id": ticket.chat_id}
    target = Target(ticket.platform, **where_to)

    def render(p: Privacy) -> str:
        return qa.render(
            qa.rules.handoff.answer, station, code=ticket.code, question=p.text(ticket.question), officer=officer,
            answer=p.text(body),
        )  # fmt: skip

    await ctx.notifier.send(target, "qa_answer", render, mentions=[ticket.asker_user_id] if is_group else [])
    group = await ctx.uow.groups.get(ticket.platform, ticket.chat_id) if is_group else None
    where = group.name if group else "私聊"
    asker = ticket.asker_name or "群众"
    await ctx.reply("qa_answered", lambda p: f"已将 {ticket.code} 的答复发给 {p.name(asker)}（{where}）。")
