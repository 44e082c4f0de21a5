"""HTTP callbacks: the robot (/dingtalk/robot), card clicks (/dingtalk/card), event subscription (/dingtalk/event)."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.dingtalk.card_callback import parse_card_callback
from bot.channels.dingtalk.payload import MalformedCallback
from bot.channels.dingtalk.robot import parse_robot_message
from bot.channels.dingtalk.signing import (
    DingTalkSignError,
    MissingHeaders,
    event_reply_envelope,
    verify_callback_headers,
)
from bot.channels.wecom.crypto import WeComCrypto, WeComCryptoError

if TYPE_CHECKING:
    from bot.channels.dingtalk.channel import DingTalkChannel

log = logging.getLogger(__name__)

EMPTY_REPLY = {"msgtype": "empty"}  # "nothing to say now": replies go through the outbox


class DingTalkRoutes:
    """Verify, parse, persist (through the channel), ack. Nothing else runs inside a request."""

    def __init__(self, channel: DingTalkChannel) -> None:
        self.channel = channel
        settings = channel.settings
        self.crypto = (
            WeComCrypto(
                settings.event_token.get_secret_value(), settings.event_aes_key.get_secret_value(), settings.app_key
            )
            if settings.event_token and settings.event_aes_key and settings.app_key
            else None
        )

    def table(self) -> list[web.RouteDef]:
        if not self.channel.settings.has_app:  # custom robots only send; nothing can call us back
            return []
        routes = [web.post("/dingtalk/robot", self.robot), web.post("/dingtalk/card", self.card)]
        if self.crypto is not None:
            routes.append(web.post("/dingtalk/event", self.event))
        return routes

    async def robot(self, request: web.Request) -> web.Response:
        """The enterprise robot's message callback: timestamp + sign headers, then the B1 JSON body."""
        if (refused := self._verify(request, "robot")) is not None:
            return refused
        try:
            message = parse_robot_message(await request.read(), robot_names=self.channel.settings.robot_names)
        except MalformedCallback as exc:
            log.warning("dingtalk robot callback: malformed body: %s", str(exc)[:200])
            return web.json_response({"error": "malformed body"}, status=400)
        try:
            await self.channel.on_robot_message(message)
        except Exception as exc:  # not stored, so not acked: DingTalk will call again
            return _unavailable("robot", exc)
        return web.json_response(EMPTY_REPLY)

    async def card(self, request: web.Request) -> web.Response:
        """A card button click in HTTP callback mode; the answer updates the card in place."""
        if (refused := self._verify(request, "card")) is not None:
            return refused
        try:
            callback = parse_card_callback(await request.read())
        except MalformedCallback as exc:
            log.warning("dingtalk card callback: malformed body: %s", str(exc)[:200])
            return web.json_response({"error": "malformed body"}, status=400)
        try:
            return web.json_response(await self.channel.on_card_click(callback, delivery_id=None))
        except Exception as exc:
            return _unavailable("card", exc)

    async def event(self, request: web.Request) -> web.Response:
        """Event subscription (事件订阅): WeCom-style crypto with the app key as receive id (PROTOCOLS B4 V1)."""
        assert self.crypto is not None
        q = request.query
        signature = q.get("msg_signature") or q.get("signature") or ""
        timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
        try:
            body = json.loads(await request.read())
            encrypt = body["encrypt"] if isinstance(body, dict) else None
            if not isinstance(encrypt, str) or not timestamp or not nonce:
                raise ValueError("missing encrypt, timestamp or nonce")
        except (ValueError, KeyError):
            return web.json_response({"error": "malformed body"}, status=400)
        try:
            plain = json.loads(self.crypto.decrypt(signature, timestamp, nonce, encrypt))
        except WeComCryptoError as exc:
            log.warning("dingtalk event callback rejected: %s", type(exc).__name__)
            return web.json_response({"error": "forbidden"}, status=403)
        except ValueError:
            return web.json_response({"error": "malformed event"}, status=400)
        event_type = plain.get("EventType") if isinstance(plain, dict) else None
        log.info("dingtalk event %s acknowledged", event_type)
        token = self.channel.settings.event_token
        assert token is not None
        encrypted, _ = self.crypto.encrypt(b"success", timestamp=timestamp, nonce=nonce)
        return web.json_response(
            event_reply_envelope(encrypted, token=token.get_secret_value(), timestamp=timestamp, nonce=nonce)
        )

    def _verify(self, request: web.Request, what: str) -> web.Response | None:
        """400 when the headers are missing, 403 for a bad or stale sign; None when the request is genuine."""
        try:
            verify_callback_headers(
                request.headers,
                app_secret=self.channel.settings.secret,
                now_ms=self.channel.now_ms(),
                window_ms=int(self.channel.settings.callback_window_seconds * 1000),
            )
        except MissingHeaders as exc:
            log.warning("dingtalk %s callback refused (400): %s", what, exc)
            return web.json_response({"error": "missing timestamp or sign"}, status=400)
        except DingTalkSignError as exc:
            log.warning("dingtalk %s callback refused (403): %s", what, type(exc).__name__)
            return web.json_response({"error": "forbidden"}, status=403)
        return None


def _unavailable(what: str, exc: Exception) -> web.Response:
    # only the type: a database error's text would carry the message itself (phones, the sessionWebhook)
    log.error("dingtalk %s callback not stored (%s); answering 503 so that DingTalk retries", what, type(exc).__name__)
    return web.json_response({"error": "try again"}, status=503)
