"""The DingTalk sender: each outbox row goes by card, sessionWebhook, custom robot or OpenAPI, under the limit."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_object_session

from bot.channels.base import SendError
from bot.channels.dingtalk.cards import CardService
from bot.channels.dingtalk.client import DingTalkApi, DingTalkApiError, WebhookReply
from bot.channels.dingtalk.inbound import OUT_TRACK_ID, SESSION_WEBHOOK, SESSION_WEBHOOK_EXPIRES
from bot.channels.dingtalk.ratelimit import RobotRateLimiter
from bot.channels.dingtalk.render import Outgoing, openapi_message, outgoing, webhook_body
from bot.channels.dingtalk.settings import PLATFORM, CustomRobot, DingTalkSettings
from bot.channels.dingtalk.signing import sign_webhook_url
from bot.clock import Clock
from storage.models import InboxMessage, OutboxMessage
from storage.models_dingtalk import DingTalkCard
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

ERR_TOO_FAST = 130101  # "send too fast, exceed 20 times per minute": a 10-minute penalty follows
ERR_SECURITY = 310000  # sign, timestamp, keyword or IP check failed: a configuration error, not transient
ERR_SESSION_EXPIRED = 300001  # the sessionWebhook is no longer valid: send proactively instead
THROTTLED_RETRY_SECONDS = 60.0


class DingTalkSender:
    platform = PLATFORM

    def __init__(
        self,
        settings: DingTalkSettings,
        api: DingTalkApi,
        clock: Clock,
        uow_factory: UnitOfWorkFactory,
        limiter: RobotRateLimiter | None = None,
    ) -> None:
        self.settings, self.api, self.clock, self.uow_factory = settings, api, clock, uow_factory
        self.limiter = limiter or RobotRateLimiter(clock, settings.messages_per_minute, settings.penalty_seconds)
        self.cards = CardService(api, settings, clock)

    async def send(self, message: OutboxMessage) -> None:
        """Reads (and for cards writes) in the dispatcher's own transaction when the row is attached to one."""
        session = async_object_session(message)
        if session is not None:
            await self._send(message, session)
            return
        async with self.uow_factory() as uow:
            try:
                await self._send(message, uow.session)
            finally:
                await uow.commit()

    async def _send(self, row: OutboxMessage, session: AsyncSession) -> None:
        o = outgoing(row)
        origin = await session.get(InboxMessage, row.inbox_id) if row.inbox_id is not None else None
        hints: dict[str, Any] = dict(((origin.payload or {}).get("reply") or {}) if origin else {})
        try:
            route = await self._deliver(row, o, origin, hints, session)
        except DingTalkApiError as exc:
            raise _send_error(exc) from None
        log.info("dingtalk outbox %s sent via %s", row.id, route)
        if origin is not None and origin.kind == "action" and hints.get(OUT_TRACK_ID):
            await self._update_clicked_card(row, str(hints[OUT_TRACK_ID]), session)

    async def _deliver(
        self, row: OutboxMessage, o: Outgoing, origin: InboxMessage | None, hints: dict[str, Any], session: AsyncSession
    ) -> str:
        app_key = f"robot:{self.settings.robot}"
        if o.buttons and self.settings.card_template_id and self.settings.has_app:
            self._reserve(app_key)
            await self.cards.deliver(row, o, session)
            return "card"
        webhook = None if o.buttons else self._session_webhook(row, origin, hints)
        if webhook is not None:
            self._reserve(app_key)
            reply = await self.api.webhook(webhook, webhook_body(o))
            if reply.errcode == 0:
                return "sessionWebhook"
            if reply.errcode != ERR_SESSION_EXPIRED:
                raise self._webhook_failure(app_key, reply)
            log.info("dingtalk outbox %s: sessionWebhook expired (300001), sending proactively", row.id)
        custom = self.settings.custom_robots.get(row.chat_id) if row.chat_id is not None else None
        if custom is not None:
            await self._via_custom_robot(row.chat_id or "", custom, o)
            return "custom robot"
        if self.settings.has_app:
            if webhook is None:
                self._reserve(app_key)
            await self._via_openapi(row, o)
            return "openapi"
        raise SendError("dingtalk: no robot can reach this chat (no app credentials, no custom robot)", retryable=False)

    def _session_webhook(self, row: OutboxMessage, origin: InboxMessage | None, hints: dict[str, Any]) -> str | None:
        """The sessionWebhook of the message being answered, if it is still valid and reaches the same chat."""
        url, expires = hints.get(SESSION_WEBHOOK), hints.get(SESSION_WEBHOOK_EXPIRES)
        if origin is None or not isinstance(url, str) or not isinstance(expires, int):
            return None
        same_chat = (
            row.chat_id == origin.chat_id
            if origin.chat_kind == "group"
            else row.user_id is not None and row.user_id == origin.sender_id
        )
        now_ms = int(self.clock.now().timestamp() * 1000)
        fresh = now_ms + int(self.settings.session_webhook_margin_seconds * 1000) < expires
        # the body of a callback is not signed, so only DingTalk's own host is ever called
        trusted = urlsplit(url).hostname in self.settings.session_webhook_hosts
        return url if same_chat and fresh and trusted else None

    async def _via_custom_robot(self, chat_id: str, robot: CustomRobot, o: Outgoing) -> None:
        key = f"custom:{chat_id}"
        self._reserve(key)
        url = robot.webhook.get_secret_value()
        if robot.secret is not None:
            url = sign_webhook_url(url, robot.secret.get_secret_value(), int(self.clock.now().timestamp() * 1000))
        reply = await self.api.webhook(url, webhook_body(o))
        if reply.errcode != 0:
            raise self._webhook_failure(key, reply)

    async def _via_openapi(self, row: OutboxMessage, o: Outgoing) -> None:
        msg_key, msg_param = openapi_message(o)
        common = {"robotCode": self.settings.robot, "msgKey": msg_key, "msgParam": msg_param}
        if row.chat_id is not None:
            await self.api.openapi(
                "POST", "/v1.0/robot/groupMessages/send", {**common, "openConversationId": row.chat_id}
            )
            return
        data = await self.api.openapi("POST", "/v1.0/robot/oToMessages/batchSend", {**common, "userIds": [row.user_id]})
        if data.get("invalidStaffIdList"):
            raise SendError("dingtalk oToMessages: the user id is not a staff id of this corp", retryable=False)
        if data.get("flowControlledStaffIdList"):
            raise SendError("dingtalk oToMessages: flow controlled", retry_after=THROTTLED_RETRY_SECONDS)

    async def _update_clicked_card(self, row: OutboxMessage, track: str, session: AsyncSession) -> None:
        """The answer to a click also rewrites the card's status line, where the card lives."""
        card = await session.get(DingTalkCard, track)
        if card is None or not ((card.chat_id and card.chat_id == row.chat_id) or card.user_id == row.user_id):
            return
        status = next((ln.strip() for ln in row.text.splitlines() if ln.strip()), "")[:60]
        try:
            await self.cards.update_status(card, status)
        except DingTalkApiError as exc:  # the message itself went out; a stale card is not worth a resend
            log.warning("dingtalk card %s not updated: %s", track, exc)

    def _reserve(self, key: str) -> None:
        wait = self.limiter.reserve(key)
        if wait is not None:
            raise SendError(
                f"dingtalk {key.split(':')[0]}: over {self.settings.messages_per_minute}/min", retry_after=wait
            )

    def _webhook_failure(self, key: str, reply: WebhookReply) -> SendError:
        kind = key.split(":")[0]
        if reply.errcode == ERR_TOO_FAST:
            wait = self.limiter.penalize(key)
            return SendError(f"dingtalk {kind}: 130101 too fast, paused {wait:.0f}s", retry_after=wait)
        if reply.errcode == ERR_SECURITY:
            return SendError(f"dingtalk {kind}: 310000 security check failed: {reply.errmsg[:120]}", retryable=False)
        return SendError(f"dingtalk {kind}: errcode {reply.errcode} {reply.errmsg[:120]}")


def _send_error(exc: DingTalkApiError) -> SendError:
    throttled = exc.status == 429 or any(w in exc.code for w in ("Throttling", "QpsLimit", "FlowControl"))
    if throttled:
        return SendError(str(exc), retry_after=THROTTLED_RETRY_SECONDS)
    return SendError(str(exc), retryable=exc.status in (0, 401, 408) or exc.status >= 500)
