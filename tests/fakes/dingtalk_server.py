"""A local DingTalk for tests: OpenAPI, robot webhooks and a Stream gateway with a real websocket.

It checks request shapes and answers with DingTalk's own error codes: 401 for a stale access token, 130101
after 20 messages a minute, 310000 for a bad 加签, 300001 for an expired sessionWebhook or unknown token."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from bot.channels.dingtalk.settings import DingTalkSettings
from bot.channels.dingtalk.signing import robot_sign

MSG_KEYS = {
    "sampleText": {"content"},
    "sampleMarkdown": {"title", "text"},
    "sampleActionCard": {"title", "text", "singleTitle", "singleURL"},
    **{
        f"sampleActionCard{n}": {"title", "text"} | {f"action{k}{i}" for k in ("Title", "URL") for i in range(1, n + 1)}
        for n in (2, 3, 4, 5)
    },
}
ACK_WAIT = 3.0
TOO_FAST = {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}


def _bad(message: str) -> web.Response:
    return web.json_response({"code": "InvalidParameter", "message": message, "requestid": "fake"}, status=400)


@dataclass
class Gateway:
    """One open Stream websocket as the gateway sees it: what it pushed and every ACK it got back."""

    ws: web.WebSocketResponse
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    ack_seen: asyncio.Event = field(default_factory=asyncio.Event)


class FakeDingTalk:
    def __init__(self, *, app_key: str, app_secret: str, robot_code: str, now_ms: Callable[[], int]) -> None:
        self.app_key, self.app_secret, self.robot_code, self.now_ms = app_key, app_secret, robot_code, now_ms
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.group_messages: list[dict[str, Any]] = []
        self.oto_messages: list[dict[str, Any]] = []
        self.cards: dict[str, dict[str, Any]] = {}
        self.deliveries: list[dict[str, Any]] = []
        self.card_updates: list[dict[str, Any]] = []
        self.custom_robots: dict[str, str | None] = {}  # access_token -> 加签 secret
        self.custom_sent: list[dict[str, Any]] = []
        self.custom_queries: list[str] = []  # raw query strings, as our sender encoded them
        self.sessions: dict[str, int] = {}  # session -> expiry (ms)
        self.session_sent: list[dict[str, Any]] = []
        self.unrendered_mentions: list[str] = []
        self._robot_times: dict[str, deque[int]] = {}
        self._robot_blocked: dict[str, int] = {}
        self.opens: list[dict[str, Any]] = []
        self.tickets: set[str] = set()
        self.silent_next = 0  # the next N websockets neither answer pings nor send anything
        self.gateways: list[Gateway] = []
        self.fail_next: dict[str, int] = {}  # path -> how many calls answer HTTP 503 first
        self.base_url = ""
        self.app = web.Application()
        self.app.router.add_post("/v1.0/oauth2/accessToken", self._token)
        self.app.router.add_post("/v1.0/robot/groupMessages/send", self._group_send)
        self.app.router.add_post("/v1.0/robot/oToMessages/batchSend", self._oto_send)
        self.app.router.add_post("/v1.0/card/instances", self._card_create)
        self.app.router.add_post("/v1.0/card/instances/deliver", self._card_deliver)
        self.app.router.add_put("/v1.0/card/instances", self._card_update)
        self.app.router.add_post("/robot/send", self._custom_send)
        self.app.router.add_post("/robot/sendBySession", self._session_send)
        self.app.router.add_post("/v1.0/gateway/connections/open", self._open)
        self.app.router.add_get("/connect", self._connect)

    # ---- test controls ---------------------------------------------------------------------------------

    def new_session(self, expires_ms: int) -> str:
        session = secrets.token_hex(8)
        self.sessions[session] = expires_ms
        return f"{self.base_url}/robot/sendBySession?session={session}"

    def revoke_tokens(self) -> None:
        """DingTalk invalidated every token early: the next OpenAPI call gets a 401."""
        self.tokens.clear()

    @property
    def gateway(self) -> Gateway:
        return self.gateways[-1]

    async def push(self, frame_type: str, topic: str, data: dict[str, Any] | str, message_id: str | None = None) -> str:
        message_id = message_id or secrets.token_hex(8)
        frame = {
            "specVersion": "1.0",
            "type": frame_type,
            "headers": {
                "appId": self.app_key,
                "contentType": "application/json",
                "messageId": message_id,
                "time": str(self.now_ms()),
                "topic": topic,
            },
            "data": data if isinstance(data, str) else json.dumps(data, ensure_ascii=False),
        }
        await self.gateway.ws.send_str(json.dumps(frame, ensure_ascii=False))
        return message_id

    async def ack_for(self, message_id: str) -> dict[str, Any]:
        """The ACK the bot sent for a pushed frame; waits at most ACK_WAIT seconds."""
        async with asyncio.timeout(ACK_WAIT):
            while message_id not in self.gateway.acks:
                self.gateway.ack_seen.clear()
                await self.gateway.ack_seen.wait()
        return self.gateway.acks[message_id]

    # ---- OpenAPI -----------------------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body != {"appKey": self.app_key, "appSecret": self.app_secret}:
            return web.json_response(
                {"code": "invalidClientIdOrSecret", "message": "无效的clientId或者clientSecret"}, status=400
            )
        self.token_requests += 1
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return web.json_response({"accessToken": token, "expireIn": 7200})

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("x-acs-dingtalk-access-token") in self.tokens

    def _failing(self, request: web.Request) -> web.Response | None:
        if self.fail_next.get(request.path, 0) > 0:
            self.fail_next[request.path] -= 1
            return web.json_response({"code": "ServiceUnavailable", "message": "try later"}, status=503)
        return None

    async def _openapi(self, request: web.Request, required: set[str]) -> dict[str, Any] | web.Response:
        if failing := self._failing(request):
            return failing
        if not self._authorised(request):
            return web.json_response({"code": "InvalidAuthentication", "message": "不合法的access_token"}, status=401)
        body = await request.json()
        if not isinstance(body, dict) or not required <= body.keys():
            return _bad(f"missing {sorted(required - set(body))}")
        return body

    def _check_message(self, body: dict[str, Any]) -> str | None:
        if body.get("robotCode") != self.robot_code:
            return "robotCode"
        wanted = MSG_KEYS.get(body["msgKey"])
        param = body["msgParam"]
        if wanted is None or not isinstance(param, str) or len(param.encode()) > 15000:
            return "msgKey or msgParam"
        parsed = json.loads(param)
        return None if wanted <= parsed.keys() and all(isinstance(v, str) for v in parsed.values()) else "msgParam"

    async def _group_send(self, request: web.Request) -> web.Response:
        body = await self._openapi(request, {"robotCode", "msgKey", "msgParam", "openConversationId"})
        if isinstance(body, web.Response):
            return body
        if problem := self._check_message(body):
            return _bad(problem)
        self.group_messages.append(body)
        return web.json_response({"processQueryKey": secrets.token_hex(8)})

    async def _oto_send(self, request: web.Request) -> web.Response:
        body = await self._openapi(request, {"robotCode", "msgKey", "msgParam", "userIds"})
        if isinstance(body, web.Response):
            return body
        if (problem := self._check_message(body)) or not 1 <= len(body["userIds"]) <= 20:
            return _bad(problem or "userIds")
        self.oto_messages.append(body)
        return web.json_response(
            {"processQueryKey": secrets.token_hex(8), "invalidStaffIdList": [], "flowControlledStaffIdList": []}
        )

    async def _card_create(self, request: web.Request) -> web.Response:
        body = await self._openapi(request, {"cardTemplateId", "outTrackId", "cardData", "callbackType"})
        if isinstance(body, web.Response):
            return body
        params = body["cardData"].get("cardParamMap")
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            return _bad("cardParamMap values must be strings")
        if body["callbackType"] not in ("STREAM", "HTTP") or body["outTrackId"] in self.cards:
            return _bad("callbackType or duplicate outTrackId")
        self.cards[body["outTrackId"]] = body
        return web.json_response({"success": True})

    async def _card_deliver(self, request: web.Request) -> web.Response:
        body = await self._openapi(request, {"outTrackId", "openSpaceId"})
        if isinstance(body, web.Response):
            return body
        space = body["openSpaceId"]
        if body["outTrackId"] not in self.cards:
            return _bad("unknown outTrackId")
        if space.startswith("dtv1.card//IM_GROUP."):
            model = body.get("imGroupOpenDeliverModel") or {}
            if model.get("robotCode") != self.robot_code or not isinstance(model.get("atUserIds", {}), dict):
                return _bad("imGroupOpenDeliverModel")
        elif (
            not space.startswith("dtv1.card//IM_ROBOT.")
            or body.get("imRobotOpenDeliverModel", {}).get("spaceType") != "IM_ROBOT"
        ):
            return _bad("openSpaceId or imRobotOpenDeliverModel")
        self.deliveries.append(body)
        return web.json_response({"success": True, "result": [{"spaceId": space, "success": True}]})

    async def _card_update(self, request: web.Request) -> web.Response:
        body = await self._openapi(request, {"outTrackId", "cardData"})
        if isinstance(body, web.Response):
            return body
        card = self.cards.get(body["outTrackId"])
        params = body["cardData"].get("cardParamMap")
        if card is None or not isinstance(params, dict):
            return _bad("unknown outTrackId or cardParamMap")
        card["cardData"]["cardParamMap"].update(params)
        self.card_updates.append(body)
        return web.json_response({"success": True})

    # ---- robot webhooks ----------------------------------------------------------------------------------

    def _check_webhook_body(self, body: dict[str, Any]) -> dict[str, Any] | None:
        kind = body.get("msgtype")
        content = body.get(kind) if isinstance(kind, str) else None
        if kind not in ("text", "markdown", "actionCard") or not isinstance(content, dict):
            return {"errcode": 40035, "errmsg": "缺少参数 json"}
        text = content.get("content") if kind == "text" else content.get("text")
        if not isinstance(text, str) or (kind != "text" and not content.get("title")):
            return {"errcode": 40035, "errmsg": "缺少参数 content"}
        at = body.get("at") or {}
        for who in [*at.get("atUserIds", []), *at.get("atMobiles", [])]:
            if f"@{who}" not in text:
                self.unrendered_mentions.append(who)
        return None

    def _over_limit(self, robot: str) -> bool:
        now = self.now_ms()
        if self._robot_blocked.get(robot, 0) > now:
            return True
        times = self._robot_times.setdefault(robot, deque())
        while times and times[0] <= now - 60_000:
            times.popleft()
        if len(times) >= 20:
            self._robot_blocked[robot] = now + 600_000
            return True
        times.append(now)
        return False

    async def _custom_send(self, request: web.Request) -> web.Response:
        self.custom_queries.append(request.raw_path.partition("?")[2])
        token = request.query.get("access_token", "")
        if token not in self.custom_robots:
            return web.json_response({"errcode": 300001, "errmsg": "token is not exist"})
        secret = self.custom_robots[token]
        if secret is not None:
            timestamp, sign = request.query.get("timestamp", ""), request.query.get("sign", "")
            if not timestamp.isdigit() or abs(self.now_ms() - int(timestamp)) > 3_600_000:
                return web.json_response({"errcode": 310000, "errmsg": "invalid timestamp"})
            if sign != robot_sign(timestamp, secret):
                return web.json_response({"errcode": 310000, "errmsg": "sign not match"})
        body = await request.json()
        if problem := self._check_webhook_body(body):
            return web.json_response(problem)
        if self._over_limit(f"custom:{token}"):
            return web.json_response(TOO_FAST)
        self.custom_sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _session_send(self, request: web.Request) -> web.Response:
        expires = self.sessions.get(request.query.get("session", ""))
        if expires is None or self.now_ms() >= expires:
            return web.json_response({"errcode": 300001, "errmsg": "session 不存在"})
        body = await request.json()
        if problem := self._check_webhook_body(body):
            return web.json_response(problem)
        if self._over_limit(f"robot:{self.robot_code}"):
            return web.json_response(TOO_FAST)
        self.session_sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    # ---- Stream gateway ----------------------------------------------------------------------------------

    async def _open(self, request: web.Request) -> web.Response:
        if failing := self._failing(request):
            return failing
        body = await request.json()
        if body.get("clientId") != self.app_key or body.get("clientSecret") != self.app_secret:
            return web.json_response({"code": "InvalidAuthentication", "message": "clientId or secret"}, status=401)
        subs = body.get("subscriptions")
        if not isinstance(subs, list) or not all({"type", "topic"} <= s.keys() for s in subs):
            return _bad("subscriptions")
        self.opens.append(body)
        ticket = secrets.token_urlsafe(12) + "+/="  # characters that only survive quote_plus
        self.tickets.add(ticket)
        return web.json_response({"endpoint": self.base_url.replace("http", "ws", 1) + "/connect", "ticket": ticket})

    async def _connect(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.tickets:
            return web.json_response({"code": "InvalidTicket"}, status=403)
        self.tickets.discard(ticket)  # one-time
        silent = self.silent_next > 0
        self.silent_next -= 1 if silent else 0
        ws = web.WebSocketResponse(autoping=not silent)
        await ws.prepare(request)
        gateway = Gateway(ws)
        self.gateways.append(gateway)
        async for msg in ws:
            if msg.type is WSMsgType.TEXT and not silent:
                ack = json.loads(msg.data)
                gateway.acks[ack["headers"]["messageId"]] = ack
                gateway.ack_seen.set()
        return ws


async def until(predicate: Callable[[], bool], wait: float = 5.0) -> None:
    """Wait (a few ms in practice, `wait` seconds at most) for state that other tasks or the database change."""
    async with asyncio.timeout(wait):
        while not predicate():  # noqa: ASYNC110 - the state lives in other tasks, sockets and the database
            await asyncio.sleep(0.005)


# ---- what DingTalk sends us ---------------------------------------------------------------------------------


def signed_headers(timestamp_ms: int, secret: str) -> dict[str, str]:
    """The robot callback headers (PROTOCOLS B1): raw base64, not URL-encoded."""
    return {
        "timestamp": str(timestamp_ms),
        "sign": robot_sign(timestamp_ms, secret),
        "Content-Type": "application/json",
    }


def robot_message(
    *,
    msg_id: str,
    text: str,
    create_at: int,
    session_webhook: str,
    expires_at: int,
    staff_id: str,
    nick: str = "",
    conversation_id: str = "cidGroup",
    group: bool = True,
    at_staff: tuple[str, ...] = (),
    in_at_list: bool = True,
    robot_user_id: str = "$:LWCP_v1:$robot",
) -> dict[str, Any]:
    """A robot message body (PROTOCOLS B1 fields), the same for the HTTP callback and Stream data."""
    at_users = [{"dingtalkId": robot_user_id}] if group and in_at_list else []
    at_users += [{"dingtalkId": f"$:LWCP_v1:${s}", "staffId": s} for s in at_staff]
    return {
        "msgtype": "text",
        "text": {"content": f" {text}"},
        "msgId": msg_id,
        "createAt": create_at,
        "conversationType": "2" if group else "1",
        "conversationId": conversation_id,
        "conversationTitle": "城关派出所工作群" if group else None,
        "senderId": f"$:LWCP_v1:${staff_id}",
        "senderStaffId": staff_id,
        "senderNick": nick,
        "senderCorpId": "dingcorp",
        "isAdmin": False,
        "isInAtList": in_at_list if group else False,
        "atUsers": at_users,
        "chatbotUserId": robot_user_id,
        "chatbotCorpId": "dingcorp",
        "robotCode": "dingrobot",
        "sessionWebhook": session_webhook,
        "sessionWebhookExpiredTime": expires_at,
    }


def card_click(out_track_id: str, user_id: str, action_id: str, params: dict[str, str]) -> dict[str, Any]:
    """A card callback `data` object; content is a JSON string, as DingTalk sends it."""
    content = {"cardPrivateData": {"actionIds": [action_id], "params": params}}
    return {
        "outTrackId": out_track_id,
        "corpId": "dingcorp",
        "userId": user_id,
        "type": "actionCallback",
        "content": json.dumps(content, ensure_ascii=False),
        "extension": "{}",
    }


# ---- wiring a channel to the fake ---------------------------------------------------------------------------

APP_KEY = "dingappkey"
APP_SECRET = "app-secret-never-logged"
ROBOT_CODE = "dingrobot"


async def start_fake(aiohttp_server: Any, clock: Any) -> FakeDingTalk:
    """Serve a FakeDingTalk on localhost; its clock is the test's ManualClock."""
    fake = FakeDingTalk(
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        robot_code=ROBOT_CODE,
        now_ms=lambda: int(clock.now().timestamp() * 1000),
    )
    server = await aiohttp_server(fake.app)
    fake.base_url = str(server.make_url("")).rstrip("/")
    return fake


def settings_for(fake: FakeDingTalk, **overrides: Any) -> DingTalkSettings:
    """Settings pointing at the fake, with Stream timings in milliseconds so tests never wait long."""
    values: dict[str, Any] = {
        "app_key": APP_KEY,
        "app_secret": APP_SECRET,
        "robot_code": ROBOT_CODE,
        "api_base": fake.base_url,
        "oapi_base": fake.base_url,
        "session_webhook_hosts": ["127.0.0.1"],
        "heartbeat_seconds": 0.05,
        "idle_timeout_seconds": 1.0,
        "backoff_min_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "stable_after_seconds": 5.0,
        "lease_ttl_seconds": 30,
        "lease_renew_seconds": 0.02,
        "lease_poll_seconds": 0.02,
    }
    values.update(overrides)
    return DingTalkSettings(**values)
