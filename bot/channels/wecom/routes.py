"""The callback endpoints /wecom/bot (智能机器人) and /wecom/app (自建应用): verify, decrypt, persist, ack."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.channels.wecom.crypto import InvalidSignature, MalformedPayload, WeComCrypto, WeComCryptoError
from bot.channels.wecom.inbound import from_app, from_bot
from bot.channels.wecom.parse import (
    BotEvent,
    BotMessage,
    parse_app_envelope,
    parse_app_message,
    parse_bot_envelope,
    parse_bot_payload,
)
from bot.channels.wecom.stream import StreamRegistry
from bot.clock import Clock
from bot.messages import InboundMessage

log = logging.getLogger(__name__)

Accept = Callable[[InboundMessage], Awaitable[bool]]


class _Reject(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class WeComCallbacks:
    """Nothing but verify -> decrypt -> persist (through `accept`) -> ack runs inside a request."""

    def __init__(
        self,
        accept: Accept,
        clock: Clock,
        *,
        max_body_bytes: int,
        bot_crypto: WeComCrypto | None = None,
        app_crypto: WeComCrypto | None = None,
        bot_name: str | None = None,
        streams: StreamRegistry | None = None,
        welcome_text: str = "",
    ) -> None:
        self.accept, self.clock, self.max_body_bytes = accept, clock, max_body_bytes
        self.bot_crypto, self.app_crypto, self.bot_name = bot_crypto, app_crypto, bot_name
        self.streams, self.welcome_text = streams, welcome_text

    def routes(self) -> list[web.RouteDef]:
        defs: list[web.RouteDef] = []
        if self.bot_crypto is not None:
            defs += [web.get("/wecom/bot", self.bot_verify), web.post("/wecom/bot", self.bot_callback)]
        if self.app_crypto is not None:
            defs += [web.get("/wecom/app", self.app_verify), web.post("/wecom/app", self.app_callback)]
        return defs

    # ---- GET: URL verification (answer the plaintext echostr, nothing else, well within 1 s) -------------------

    async def bot_verify(self, request: web.Request) -> web.StreamResponse:
        assert self.bot_crypto is not None
        return self._verify(request, self.bot_crypto, "bot")

    async def app_verify(self, request: web.Request) -> web.StreamResponse:
        assert self.app_crypto is not None
        return self._verify(request, self.app_crypto, "app")

    def _verify(self, request: web.Request, crypto: WeComCrypto, endpoint: str) -> web.StreamResponse:
        try:
            sig, ts, nonce = _signed_query(request)
            echostr = _param(request, "echostr")
            plaintext = crypto.verify_url(sig, ts, nonce, echostr)  # repairs a '+' decoded as a space
        except (_Reject, WeComCryptoError) as exc:
            return _refuse(request, endpoint, exc)
        return web.Response(body=plaintext.encode("utf-8"), content_type="text/plain")

    # ---- POST: messages and events -----------------------------------------------------------------------------

    async def bot_callback(self, request: web.Request) -> web.StreamResponse:
        crypto = self.bot_crypto
        assert crypto is not None
        try:
            sig, ts, nonce = _signed_query(request)
            body = await self._read(request)
            plaintext = crypto.decrypt(sig, ts, nonce, parse_bot_envelope(body))
            payload = parse_bot_payload(plaintext, bot_name=self.bot_name)
        except (_Reject, WeComCryptoError) as exc:
            return _refuse(request, "bot", exc)
        if isinstance(payload, BotMessage) and payload.msg_type == "stream":
            frame = self.streams.refresh(payload.stream_id) if self.streams else _finished(payload.stream_id)
            return self._encrypted(crypto, frame, nonce)
        stream = None
        if isinstance(payload, BotMessage) and self.streams is not None:
            stream = self.streams.open(payload.msg_id, payload.from_user)
        msg = from_bot(payload, self.clock.now(), stream.stream_id if stream else None)
        if msg is not None:
            failure = await self._persist(msg, "bot")
            if failure is not None:
                return failure
        if stream is not None and self.streams is not None:
            return self._encrypted(crypto, self.streams.first_frame(stream), nonce)
        if isinstance(payload, BotEvent) and payload.event_type == "enter_chat" and self.welcome_text:
            return self._encrypted(crypto, {"msgtype": "text", "text": {"content": self.welcome_text}}, nonce)
        return web.Response(text="")

    async def app_callback(self, request: web.Request) -> web.StreamResponse:
        crypto = self.app_crypto
        assert crypto is not None
        try:
            sig, ts, nonce = _signed_query(request)
            envelope = parse_app_envelope(await self._read(request))
            message = parse_app_message(crypto.decrypt(sig, ts, nonce, envelope.encrypt))
        except (_Reject, WeComCryptoError) as exc:
            return _refuse(request, "app", exc)
        msg = from_app(message, self.clock.now())
        if msg is not None:
            failure = await self._persist(msg, "app")
            if failure is not None:
                return failure
        return web.Response(text="")  # an empty 200: received, and no passive reply

    # ---- helpers ------------------------------------------------------------------------------------------------

    async def _read(self, request: web.Request) -> bytes:
        if request.content_length is not None and request.content_length > self.max_body_bytes:
            raise _Reject(413, f"body of {request.content_length} bytes is over the cap")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise _Reject(413, "body is over the server's cap") from None
        if len(body) > self.max_body_bytes:
            raise _Reject(413, f"body of {len(body)} bytes is over the cap")
        return body

    async def _persist(self, msg: InboundMessage, endpoint: str) -> web.StreamResponse | None:
        try:
            stored = await self.accept(msg)
        except Exception:  # no ack without the message safely stored: WeCom retries on anything but 200
            log.exception("wecom %s callback: could not store message %s", endpoint, msg.message_id)
            return web.Response(status=503, text="")
        if not stored:
            log.debug("wecom %s callback: %s redelivered, already stored", endpoint, msg.message_id)
        return None

    def _encrypted(self, crypto: WeComCrypto, reply: dict[str, Any], nonce: str) -> web.StreamResponse:
        plaintext = json.dumps(reply, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        timestamp = str(int(self.clock.now().timestamp()))
        if not _echoable(nonce):
            nonce = secrets.token_hex(8)
        body = crypto.encrypt_json_reply(plaintext, timestamp=timestamp, nonce=nonce)
        return web.Response(text=body, content_type="application/json")


def _param(request: web.Request, name: str) -> str:
    value = request.query.get(name)
    if not value:
        raise _Reject(400, f"missing query parameter {name}")
    return value


def _signed_query(request: web.Request) -> tuple[str, str, str]:
    return _param(request, "msg_signature"), _param(request, "timestamp"), _param(request, "nonce")


def _echoable(nonce: str) -> bool:
    return nonce.isascii() and nonce.isalnum()


def _finished(stream_id: str) -> dict[str, Any]:
    return {"msgtype": "stream", "stream": {"id": stream_id, "finish": True, "content": ""}}


def _refuse(request: web.Request, endpoint: str, exc: Exception) -> web.StreamResponse:
    """403 for a bad signature, 413 for an oversized body, 400 for the rest; the log names the reason only."""
    if isinstance(exc, _Reject):
        status, reason = exc.status, exc.reason
    elif isinstance(exc, InvalidSignature):
        status, reason = 403, "bad msg_signature"
    elif isinstance(exc, MalformedPayload):
        status, reason = 400, f"malformed: {exc}"
    else:
        status, reason = 400, f"{type(exc).__name__}: {exc}"
    log.warning("wecom %s callback refused (%s) from %s: %s", endpoint, status, request.remote, reason)
    return web.Response(status=status, text="")
