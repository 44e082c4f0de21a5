"""The typed context every handler receives: the message, who sent it, where, and the unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.clock import Clock
from bot.extraction.types import AsyncExtractor
from bot.messages import Button, InboundMessage, OutboundKind, Target
from bot.outbox import Notifier, Render
from config.rules import Rules
from config.settings import Settings
from storage.models import Group, Person
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Services:
    """Long-lived collaborators built once by the composition root."""

    settings: Settings
    rules: Rules
    clock: Clock
    extractor: AsyncExtractor


@dataclass
class HandlerContext:
    msg: InboundMessage
    inbox_id: int
    uow: UnitOfWork
    services: Services
    person: Person | None
    group: Group | None
    notifier: Notifier

    @property
    def rules(self) -> Rules:
        return self.services.rules

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def role(self) -> str:
        return self.person.role if self.person else "resident"

    @property
    def actor_label(self) -> str:
        if self.person:
            role = self.rules.roles.roles.get(self.person.role)
            return f"{role.name if role else ''}{self.person.name}"
        return self.msg.sender_name or "未登记用户"

    def reply_target(self) -> Target:
        if self.msg.chat_kind == "direct":
            return Target(self.msg.platform, user_id=self.msg.sender_id)
        return Target(self.msg.platform, chat_id=self.msg.chat_id)

    async def reply(
        self,
        template: str,
        render: Render,
        *,
        dispute_id: int | None = None,
        kind: OutboundKind = "text",
        buttons: Sequence[Button] = (),
    ) -> None:
        await self.notifier.send(
            self.reply_target(), template, render, dispute_id=dispute_id, kind=kind, buttons=buttons
        )
