"""Queueing outbound messages: masking is decided here, once, by the target's audience."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.clock import Clock
from bot.messages import Button, OutboundKind, Target
from bot.privacy import FULL, MASKED, Privacy
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

POLICE_ROLES = frozenset({"officer", "leader", "admin", "mediator"})
Render = Callable[[Privacy], str]


class Notifier:
    """Renders a template for one target and queues it in the outbox, in the caller's transaction."""

    def __init__(self, uow: UnitOfWork, clock: Clock, inbox_id: int | None = None) -> None:
        self.uow, self.clock, self.inbox_id = uow, clock, inbox_id

    async def privacy_for(self, target: Target) -> Privacy:
        """Full details only for police groups and 1:1 chats with police; everyone else sees masked data."""
        if target.user_id is not None:
            person = await self.uow.people.by_identity(target.platform, target.user_id)
            return FULL if person is not None and person.role in POLICE_ROLES else MASKED
        assert target.chat_id is not None
        group = await self.uow.groups.get(target.platform, target.chat_id)
        return FULL if group is not None and group.kind == "police" else MASKED

    async def _real_names(self, dispute_id: int) -> list[str]:
        dispute = await self.uow.disputes.get(dispute_id)
        if dispute is None:
            return []
        names = [p.name for p in dispute.parties]
        if dispute.reporter is not None and dispute.reporter.role not in POLICE_ROLES:
            names.append(dispute.reporter.name)
        return names

    async def send(
        self,
        target: Target,
        template: str,
        render: Render,
        *,
        kind: OutboundKind = "text",
        title: str | None = None,
        mentions: Sequence[str] = (),
        buttons: Sequence[Button] = (),
        dispute_id: int | None = None,
        vetted: bool = False,
    ) -> OutboxMessage:
        """Queue `render(privacy)` for `target`. `vetted` marks text that comes only from the station's own
        configuration (FAQ answers with its public phone numbers): the final scrub would mask those numbers,
        so it is skipped for such text; it must never carry anything a person wrote."""
        privacy = await self.privacy_for(target)
        if privacy.masked and dispute_id is not None:
            privacy = privacy.with_names(await self._real_names(dispute_id))
        text = render(privacy)
        if privacy.masked and not vetted:  # defence in depth: no name, phone or ID leaves for a resident audience
            text = privacy.text(text)
            title = privacy.text(title) if title else title
        now = self.clock.now()
        row = OutboxMessage(
            platform=target.platform,
            chat_id=target.chat_id,
            user_id=target.user_id,
            kind=kind,
            text=text,
            template=template,
            payload={
                "title": title,
                "mentions": list(mentions),
                "buttons": [b.to_dict() for b in buttons],
                "masked": privacy.masked,
            },
            dispute_id=dispute_id,
            inbox_id=self.inbox_id,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        return await self.uow.outbox.add(row)
