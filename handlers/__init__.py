"""What the bot does: the route table from verbs and message kinds to use-case handlers."""

from __future__ import annotations

from bot import templates
from bot.context import HandlerContext
from bot.router import Fallback, Route, Router
from handlers import intake, officer, qa, revisit, workflow


async def not_understood(ctx: HandlerContext) -> None:
    await ctx.reply("not_understood", lambda p: templates.NOT_UNDERSTOOD)


ROUTES = [
    Route("接单", officer.accept_dispute),
    Route("反馈", officer.feedback_dispute),
    Route("办结", officer.close_dispute),
    Route("查", officer.query_dispute),
    Route("补充", officer.supplement_dispute),
    Route("我的待办", officer.my_todo),
    Route("帮助", officer.show_help),
    Route("回访", revisit.record_revisit),
    Route("转派", workflow.reassign_dispute),
    Route("分流", workflow.divert_dispute),
    Route("上提", workflow.escalate_dispute),
    Route("转案件", workflow.convert_dispute),
    Route("撤销", workflow.withdraw_dispute),
    Route("合并", workflow.merge_dispute),
    Route("定级", workflow.regrade_dispute),
    Route("答复", qa.answer_consultation),
]

FALLBACKS = [
    Fallback("qa", qa.wants_answer, qa.answer_resident),
    Fallback("report", intake.looks_like_report, intake.register_dispute),
    Fallback("not_understood", lambda ctx: ctx.msg.addressed and ctx.msg.kind == "text", not_understood),
]


def build_router() -> Router:
    return Router(ROUTES, FALLBACKS)
