"""The WeCom sender: picks the outbound path for an outbox row, sends it part by part, keeps its progress."""

from __future__ import annotations

import logging
from typing import Any

from bot.channels.base import SendError
from bot.channels.wecom import render
from bot.channels.wecom.bookkeeping import Origin, claim, give_back_try, load_origin
from bot.channels.wecom.client import (
    FREQ_LIMIT,
    INVALID_WEBHOOK,
    IP_NOT_ALLOWED,
    SYSTEM_BUSY,
    WeComApiError,
    WeComClient,
    WeComTransportError,
)
from bot.channels.wecom.ratelimit import RateLimiter
from bot.channels.wecom.settings import PLATFORM, WeComSettings
from bot.channels.wecom.stream import StreamRegistry
from bot.clock import Clock
from storage.models import OutboxMessage
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

# Errors a retry cannot mend: a removed webhook key, content the API refuses, unknown users, a wrong secret.
NOT_RETRYABLE = frozenset({INVALID_WEBHOOK, 40001, 40003, 40008, 40058, 44004, 81013, 301002})
BUSY = frozenset({SYSTEM_BUSY, FREQ_LIMIT, 45033})  # try the same way again later (45033: too many at once)
IP_RETRY_SECONDS = 300.0
CARD_DONE_TEXT = "已处理"
STATE = "wecom"  # the key of this sender's progress in the outbox row's payload


def _send_error(exc: WeComApiError | WeComTransportError) -> SendError:
    if isinstance(exc, WeComTransportError):
        return SendError(str(exc), retryable=True)
    if exc.errcode == IP_NOT_ALLOWED:
        log.error("wecom %s: errcode 60020, this server's IP is not in the app's 企业可信IP (docs/wecom.md)", exc.api)
        return SendError(str(exc), retryable=True, retry_after=IP_RETRY_SECONDS)
    return SendError(str(exc), retryable=exc.errcode not in NOT_RETRYABLE)


class WeComSender:
    """Paths: the 智能机器人's stream or response_url for the reply to a message in the same chat; a group's
    webhook (or appchat/send for chats the app created) for other group messages; message/send for 1:1, with
    an interactive template card when the row has buttons."""

    platform = PLATFORM

    def __init__(
        self,
        settings: WeComSettings,
        client: WeComClient,
        clock: Clock,
        uow_factory: UnitOfWorkFactory,
        *,
        bot_name: str,
        streams: StreamRegistry | None = None,
    ) -> None:
        self.settings, self.client, self.clock, self.uow_factory = settings, client, clock, uow_factory
        self.bot_name, self.streams = bot_name, streams
        self.limiter = RateLimiter(clock, settings.webhook_per_minute)

    async def send(self, message: OutboxMessage) -> None:
        origin = await load_origin(self.uow_factory, message.inbox_id)
        state: dict[str, Any] = dict((message.payload or {}).get(STATE) or {})
        try:
            await self._update_clicked_card(message, origin, state)
            await self._deliver(message, origin, state)
        finally:  # the dispatcher stores the payload either way: a retry never repeats a delivered part
            message.payload = {**(message.payload or {}), STATE: state}

    async def _claim(self, kind: str, handle: str, row: OutboxMessage) -> bool:
        return await claim(self.uow_factory, kind, handle, row.id, self.clock.now())

    async def _defer(self, row: OutboxMessage, seconds: float, reason: str) -> SendError:
        """Come back later without using up a try (a rate-limit slot or a stream refresh is no failure)."""
        await give_back_try(self.uow_factory, row.id)
        return SendError(f"deferred: {reason}", retryable=True, retry_after=seconds)

    # ---- the clicked card (自建应用): grey its button out once, with the click's single-use response_code -------

    async def _update_clicked_card(self, row: OutboxMessage, origin: Origin | None, state: dict[str, Any]) -> None:
        hints = origin.hints if origin else {}
        code = hints.get("response_code")
        if state.get("card") or origin is None or origin.kind != "action" or hints.get("via") != "app" or not code:
            return
        if not self.settings.has_app_api or not await self._claim("response_code", code, row):
            state["card"] = "skipped"
            return
        body = {
            "userids": [origin.sender_id],
            "agentid": self.settings.agent_id,
            "response_code": code,
            "button": {"replace_name": CARD_DONE_TEXT},
        }
        try:
            await self.client.update_template_card(body)
            state["card"] = "updated"
        except WeComTransportError as exc:
            raise _send_error(exc) from None
        except WeComApiError as exc:  # the reply still goes out; the card just keeps its buttons
            log.warning("wecom outbox %s: card not updated (%s)", row.id, exc)
            state["card"] = "failed"

    # ---- delivery -----------------------------------------------------------------------------------------------

    async def _deliver(self, row: OutboxMessage, origin: Origin | None, state: dict[str, Any]) -> None:
        if state.get("route") is None:
            state["route"] = await self._first_route(row, origin)
            state["done"] = 0
            if state["route"] == "stream":
                return
        if state["route"] == "aibot":
            body = self._aibot_body(row)
            assert body is not None  # _first_route only chose aibot for a body that fits
            try:
                assert origin is not None
                await self.client.aibot_respond(origin.hints["response_url"], body)
                state["done"] = 1
                return
            except WeComTransportError as exc:
                raise _send_error(exc) from None
            except WeComApiError as exc:
                if exc.errcode in BUSY:
                    raise _send_error(exc) from None
                # used up or expired: the chat's own path takes over
                log.warning("wecom outbox %s: response_url refused (%s), using the chat's route", row.id, exc)
                state["route"], state["done"] = self._chat_route(row), 0
        bodies = self._bodies(row, state["route"])
        for index in range(int(state.get("done", 0)), len(bodies)):
            await self._post(row, state["route"], bodies[index])
            state["done"] = index + 1

    async def _first_route(self, row: OutboxMessage, origin: Origin | None) -> str:
        hints = origin.hints if origin else {}
        if origin is None or hints.get("via") != "bot" or not self._same_conversation(row, origin):
            return self._chat_route(row)
        body = self._aibot_body(row)
        stream_id = hints.get("stream_id")
        if stream_id and self.streams is not None and body and body["msgtype"] == "markdown":
            outcome = self.streams.hand_over(stream_id, row.id, body["markdown"]["content"])
            if outcome == "delivered":
                return "stream"
            if outcome == "handed":
                raise await self._defer(row, self.settings.stream_check_seconds, "reply handed to the stream")
        url = hints.get("response_url")
        if (
            body is not None
            and url
            and self.client.response_url_ok(url)
            and await self._claim("response_url", url, row)
        ):
            return "aibot"
        return self._chat_route(row)

    @staticmethod
    def _same_conversation(row: OutboxMessage, origin: Origin) -> bool:
        if origin.chat_kind == "direct":
            return row.user_id == origin.sender_id or row.chat_id == origin.chat_id
        return row.chat_id == origin.chat_id

    def _chat_route(self, row: OutboxMessage) -> str:
        s = self.settings
        if row.user_id is not None:
            if s.has_app_api:
                return "app"
            raise SendError("wecom: 1:1 messages need the self-built app (corp id, secret, agent id)", retryable=False)
        chat = row.chat_id or ""
        if chat in s.webhooks:
            return "webhook"
        if chat in s.appchats and s.has_app_api:
            return "appchat"
        if s.webhook_for(chat):
            return "webhook"
        log.warning("wecom outbox %s: no route for group chat %s; map it in JINGWU_WECOM_WEBHOOKS", row.id, chat)
        raise SendError(f"wecom: no webhook or appchat configured for chat {chat}", retryable=False)

    # ---- bodies -------------------------------------------------------------------------------------------------

    def _task_id(self, row: OutboxMessage) -> str:
        return f"jw{row.id}_{int(row.created_at.timestamp())}"

    def _aibot_body(self, row: OutboxMessage) -> dict[str, Any] | None:
        """One response_url (or stream) reply: a clickable card when it fits, else markdown; None if too long."""
        payload = row.payload or {}
        buttons = render.buttons_of(payload)
        text = render.compose(row.kind, row.text, payload.get("title"))
        if buttons:
            head, body, fits = render.card_parts(row.text, payload.get("title"))
            if fits:
                card = render.button_card(self._task_id(row), head, body, buttons, self.bot_name)
                return {"msgtype": "template_card", "template_card": card}
            text = render.typed_hint(text, buttons, self.bot_name)
        if render.utf8_len(text) > self.settings.bot_reply_max_bytes:
            return None
        return {"msgtype": "markdown", "markdown": {"content": text}}

    def _bodies(self, row: OutboxMessage, route: str) -> list[dict[str, Any]]:
        """Every request for this row, in order; the same row always gives the same list (progress is an index)."""
        payload = row.payload or {}
        title, buttons = payload.get("title"), render.buttons_of(payload)
        kind = "text" if row.kind == "text" else "markdown"
        text = render.compose(row.kind, row.text, title)
        if route == "app":
            target = {"touser": row.user_id, "agentid": self.settings.agent_id}
            if not buttons:
                return render.app_bodies(kind, text, target)
            head, body, fits = render.card_parts(row.text, title)
            card = render.button_card(self._task_id(row), head, body, buttons, self.bot_name)
            before = [] if fits else render.app_bodies(kind, text, target)
            return [*before, {**target, "msgtype": "template_card", "template_card": card}]
        text = render.typed_hint(text, buttons, self.bot_name)  # group cards cannot be clicked
        if route == "appchat":
            return render.app_bodies(kind, text, {"chatid": row.chat_id})
        return render.webhook_bodies(kind, text, [str(m) for m in payload.get("mentions") or []])

    async def _post(self, row: OutboxMessage, route: str, body: dict[str, Any]) -> None:
        try:
            if route == "webhook":
                await self._post_webhook(row, body)
            elif route == "appchat":
                await self.client.appchat_send(body)
            else:
                answer = await self.client.send_message(body)
                if answer.get("invaliduser"):
                    raise SendError("wecom message/send: the user is not in the app's visible range", retryable=False)
        except (WeComApiError, WeComTransportError) as exc:
            raise _send_error(exc) from None

    async def _post_webhook(self, row: OutboxMessage, body: dict[str, Any]) -> None:
        key = self.settings.webhook_for(row.chat_id or "")
        if key is None:
            raise SendError(f"wecom: the webhook for chat {row.chat_id} was removed from the settings", retryable=False)
        wait = self.limiter.reserve(key)
        if wait > 0:
            raise await self._defer(row, wait, "20 messages a minute per group robot")
        try:
            await self.client.webhook_send(key, body)
        except WeComApiError as exc:
            if exc.errcode == FREQ_LIMIT:
                self.limiter.penalize(key, self.settings.freq_penalty_seconds)
                raise SendError(str(exc), retryable=True, retry_after=self.settings.freq_penalty_seconds) from None
            raise
