"""What the handlers of one sweep batch share: the transaction, the rules, `now`, and per-batch caches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.context import HandlerContext, Services
from bot.messages import InboundMessage, Target
from bot.outbox import Notifier
from bot.privacy import Privacy
from handlers.routing import AreaRoute, route_for
from jobs.config import JobsConfig
from jobs.store import JobsStore
from storage.models import Dispute, OutboxMessage, Person, Reminder
from storage.repositories import OutboxRepository
from storage.uow import UnitOfWork

SYSTEM = "系统"


class QueuedOutbox(OutboxRepository):
    """A batch's outbox rows are written with the batch (multi-row INSERTs at commit), not one flush each."""

    async def add(self, message: OutboxMessage) -> OutboxMessage:
        self.session.add(message)
        return message


class BatchNotifier(Notifier):
    """The Notifier, remembering each target's audience for the length of one batch (masking is unchanged)."""

    def __init__(self, uow: UnitOfWork, services: Services) -> None:
        super().__init__(uow, services.clock)
        self._audience: dict[Target, Privacy] = {}

    async def privacy_for(self, target: Target) -> Privacy:
        if target not in self._audience:
            self._audience[target] = await super().privacy_for(target)
        return self._audience[target]


@dataclass
class Sweep:
    """One batch: its transaction and the rules, the sweep's `now`, the notifier, and the routes looked up."""

    uow: UnitOfWork
    services: Services
    config: JobsConfig
    now: datetime
    notifier: Notifier
    store: JobsStore
    cycle_sizes: dict[tuple[int, datetime], int] = field(default_factory=dict)
    _routes: dict[str | None, AreaRoute] = field(default_factory=dict)

    async def route(self, area: str | None) -> AreaRoute:
        if area not in self._routes:
            self._routes[area] = await route_for(self.uow, self.services.rules, area)
        return self._routes[area]

    def mention(self, person: Person | None, platform: str) -> list[str]:
        uid = self.uow.people.identity(person, platform) if person else None
        return [uid] if uid else []

    def system_context(self, reminder: Reminder) -> HandlerContext:
        """A handler context for work the system does on a reminder's behalf (timeline actor 系统)."""
        msg = InboundMessage(
            platform="system",
            message_id=f"reminder:{reminder.id}",
            chat_id="jobs",
            sender_id="system",
            text="",
            sent_at=self.now,
            chat_kind="direct",
            kind="event",
            sender_name=SYSTEM,
            addressed=False,
        )
        return HandlerContext(
            msg=msg,
            inbox_id=0,
            uow=self.uow,
            services=self.services,
            person=None,
            group=None,
            notifier=self.notifier,
        )


Handler = Callable[[Sweep, Reminder, Dispute], Awaitable[None]]
