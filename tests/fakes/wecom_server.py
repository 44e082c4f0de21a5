"""A local fake WeCom API on aiohttp: checks real request shapes, answers real errcodes, records every call."""

from __future__ import annotations

import json
import re
import secrets
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import Bot
from bot.channels.wecom.channel import WeComChannel, build_channel
from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.settings import PLATFORM, WeComSettings
from bot.clock import Clock, ManualClock

OK = {"errcode": 0, "errmsg": "ok"}
_TASK_ID = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")
_LIMITS = {"text": 2048, "markdown": 4096}  # webhook; the app APIs take 2048 for both


@dataclass
class Call:
    api: str
    query: dict[str, str]
    body: dict[str, Any] | None
    errcode: int
    errmsg: str = "ok"


@dataclass
class FakeWeCom:
    """Start with `await fake.start()`; point JINGWU_WECOM_API_BASE at `fake.url`.

    Inject failures with `fail(api, errcode)` or `fail_http(api, status)`; they answer before any check and
    deliver nothing. `delivered(api)` lists the bodies that were accepted (errcode 0)."""

    clock: Clock
    corp_id: str = "wwfakecorp0000001"
    secret: str = "fake-app-secret"
    agent_id: int = 1000002
    webhook_keys: set[str] = field(default_factory=lambda: {"key-police", "key-resident"})
    users: set[str] = field(default_factory=lambda: {"zhaozhigang", "wangwei", "resident1"})
    appchats: set[str] = field(default_factory=lambda: {"appchat01"})
    per_minute: int = 20
    ip_allowed: bool = True
    calls: list[Call] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expires at
    response_codes: dict[str, bool] = field(default_factory=dict)  # code -> used
    task_ids: set[str] = field(default_factory=set)
    _failures: dict[str, deque[tuple[str, int]]] = field(default_factory=lambda: defaultdict(deque))
    _webhook_sent: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _server: TestServer | None = None

    # ---- lifecycle --------------------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        for api in ("message/send", "message/update_template_card", "appchat/send", "webhook/send", "aibot/response"):
            app.router.add_post(f"/cgi-bin/{api}", self._post)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server(access_log=None)  # its access log would show the secrets WeCom sees
        return self.url

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    # ---- test controls ----------------------------------------------------------------------------------------

    def fail(self, api: str, errcode: int, times: int = 1) -> None:
        self._failures[api].extend([("errcode", errcode)] * times)

    def fail_http(self, api: str, status: int, times: int = 1) -> None:
        self._failures[api].extend([("http", status)] * times)

    def expire_tokens(self) -> None:
        """WeCom invalidated every token early (42001 from now on)."""
        for token in self.tokens:
            self.tokens[token] = 0.0

    def response_url(self) -> str:
        code = secrets.token_urlsafe(12)
        self.response_codes[code] = False
        return f"{self.url}/cgi-bin/aibot/response?response_code={code}"

    def click_code(self) -> str:
        """A response_code as WeCom puts in a template_card_event (single use for update_template_card)."""
        code = "RC" + secrets.token_hex(8)
        self.response_codes[code] = False
        return code

    def delivered(self, api: str) -> list[dict[str, Any]]:
        return [c.body or {} for c in self.calls if c.api == api and c.errcode == 0]

    def count(self, api: str) -> int:
        return sum(1 for c in self.calls if c.api == api)

    # ---- handlers ---------------------------------------------------------------------------------------------

    def _answer(
        self, api: str, query: dict[str, str], body: dict[str, Any] | None, errcode: int, errmsg: str
    ) -> web.Response:
        self.calls.append(Call(api, query, body, errcode, errmsg))
        return web.json_response({"errcode": errcode, "errmsg": errmsg})

    def _injected(self, api: str, query: dict[str, str], body: dict[str, Any] | None) -> web.Response | None:
        if not self._failures[api]:
            return None
        kind, value = self._failures[api].popleft()
        if kind == "http":
            self.calls.append(Call(api, query, body, -2, f"HTTP {value}"))
            return web.Response(status=value, text="busy")
        return self._answer(api, query, body, value, "injected")

    async def _gettoken(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        shown = {k: v for k, v in query.items() if k != "corpsecret"}
        if (failure := self._injected("gettoken", shown, None)) is not None:
            return failure
        if not self.ip_allowed:
            return self._answer("gettoken", shown, None, 60020, "not allow to access from your ip")
        if query.get("corpid") != self.corp_id:
            return self._answer("gettoken", shown, None, 40013, "invalid corpid")
        if query.get("corpsecret") != self.secret:
            return self._answer("gettoken", shown, None, 40001, "invalid credential")
        token = "TK" + secrets.token_hex(16)
        self.tokens[token] = self.clock.now().timestamp() + 7200
        self.calls.append(Call("gettoken", shown, None, 0))
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    async def _post(self, request: web.Request) -> web.Response:
        api = request.path.removeprefix("/cgi-bin/")
        query = dict(request.query)
        raw = await request.read()
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._answer(api, query, None, 40058, "request body is not UTF-8 JSON")
        if (failure := self._injected(api, query, body)) is not None:
            return failure
        if request.content_type != "application/json" or not isinstance(body, dict):
            return self._answer(api, query, None, 40058, "need a JSON object with Content-Type application/json")
        if api == "webhook/send":
            code, msg = self._webhook(query, body)
        elif api == "aibot/response":
            code, msg = self._aibot(query, body)
        else:
            code, msg = self._token_check(query)
            if code == 0:
                code, msg = self._app_api(api, body)
        return self._answer(api, query, body, code, msg)

    def _token_check(self, query: dict[str, str]) -> tuple[int, str]:
        if not self.ip_allowed:
            return 60020, "not allow to access from your ip"
        token = query.get("access_token")
        if not token:
            return 41001, "access_token missing"
        if token not in self.tokens:
            return 40014, "invalid access_token"
        if self.tokens[token] <= self.clock.now().timestamp():
            return 42001, "access_token expired"
        return 0, "ok"

    def _app_api(self, api: str, body: dict[str, Any]) -> tuple[int, str]:
        if api == "message/update_template_card":
            return self._update_card(body)
        if api == "appchat/send":
            if body.get("chatid") not in self.appchats:
                return 86003, "chat not exist"
            return _content_check(body, app=True)
        if body.get("agentid") != self.agent_id:
            return 40056, "invalid agentid"
        if not isinstance(body.get("touser"), str) or body["touser"] not in self.users:
            return 81013, "user & party & tag all invalid"
        if body.get("msgtype") == "template_card":
            return self._card_check(body.get("template_card"))
        return _content_check(body, app=True)

    def _card_check(self, card: Any) -> tuple[int, str]:
        if not isinstance(card, dict) or card.get("card_type") != "button_interaction":
            return 40058, "template_card.card_type must be button_interaction"
        title = (card.get("main_title") or {}).get("title")
        if not title and not card.get("sub_title_text"):
            return 40058, "main_title.title or sub_title_text is required"
        task_id = card.get("task_id")
        if not isinstance(task_id, str) or not _TASK_ID.match(task_id):
            return 40058, "invalid task_id"
        if task_id in self.task_ids:
            return 40058, "task_id already used"
        buttons = card.get("button_list")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 6:
            return 40058, "button_list needs 1 to 6 buttons"
        for b in buttons:
            if not isinstance(b, dict) or not b.get("text") or not isinstance(b.get("key"), str):
                return 40058, "a button needs text and key"
            if len(b["key"].encode()) > 1024:
                return 40058, "button key over 1024 bytes"
        self.task_ids.add(task_id)
        return 0, "ok"

    def _update_card(self, body: dict[str, Any]) -> tuple[int, str]:
        if body.get("agentid") != self.agent_id:
            return 40056, "invalid agentid"
        if not isinstance(body.get("userids"), list) or not body["userids"]:
            return 40058, "userids required"
        if not isinstance((body.get("button") or {}).get("replace_name"), str):
            return 40058, "button.replace_name required"
        return self._use_code(body.get("response_code"))

    def _use_code(self, code: Any) -> tuple[int, str]:
        if not isinstance(code, str) or code not in self.response_codes:
            return 40058, "invalid response_code"
        if self.response_codes[code]:
            return 40058, "response_code already used"
        self.response_codes[code] = True
        return 0, "ok"

    def _webhook(self, query: dict[str, str], body: dict[str, Any]) -> tuple[int, str]:
        key = query.get("key", "")
        if key not in self.webhook_keys:
            return 93000, "invalid webhook url"
        now = self.clock.now().timestamp()
        sent = self._webhook_sent[key]
        while sent and sent[0] <= now - 60:
            sent.popleft()
        if len(sent) >= self.per_minute:
            return 45009, "api freq out of limit"
        code, msg = _content_check(body, app=False)
        if code == 0:
            sent.append(now)
        return code, msg

    def _aibot(self, query: dict[str, str], body: dict[str, Any]) -> tuple[int, str]:
        if body.get("msgtype") == "template_card":
            code, msg = self._card_check(body.get("template_card"))
        elif body.get("msgtype") == "markdown":
            content = (body.get("markdown") or {}).get("content")
            code, msg = (0, "ok") if isinstance(content, str) and content else (44004, "empty content")
        else:
            code, msg = 40008, "invalid message type"
        return self._use_code(query.get("response_code")) if code == 0 else (code, msg)


def _content_check(body: dict[str, Any], *, app: bool) -> tuple[int, str]:
    msgtype = body.get("msgtype")
    if msgtype not in _LIMITS:
        return 40008, "invalid message type"
    part = body.get(msgtype)
    if not isinstance(part, dict) or not isinstance(part.get("content"), str) or not part["content"]:
        return 44004, "empty content"
    limit = 2048 if app else _LIMITS[msgtype]
    if len(part["content"].encode("utf-8")) > limit:
        return 40058, f"{msgtype}.content exceed max length {limit}"
    for name in ("mentioned_list", "mentioned_mobile_list"):
        value = part.get(name)
        if value is not None and (app or not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            return 40058, f"invalid {name}"
    return 0, "ok"


def signed_callback(
    crypto: WeComCrypto, plaintext: bytes, *, timestamp: str = "1700000000", nonce: str = "nonce123", xml: bool = False
) -> tuple[dict[str, str], bytes]:
    """The query and body WeCom would POST for `plaintext`: JSON {"encrypt"} for the 智能机器人, XML for the app."""
    encrypt, signature = crypto.encrypt(plaintext, timestamp=timestamp, nonce=nonce)
    query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}
    if xml:
        body = (
            f"<xml><ToUserName><![CDATA[corp]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt>"
            "<AgentID><![CDATA[1000002]]></AgentID></xml>"
        ).encode()
    else:
        body = json.dumps({"encrypt": encrypt}).encode()
    return query, body


# ---- wiring for the tests: the fake, settings that point at it, and a bot with the channel attached ----------

BOT_TOKEN = "QDG6eK"  # the PROTOCOLS A3 X-vector settings (receive id "")
BOT_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
APP_TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"  # the T-vector settings
APP_AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
APP_CORP_ID = "ww1436e0e65a779aee"
POLICE_CHAT = "wrkPOLICE01"


def wecom_settings(fake: FakeWeCom, **overrides: Any) -> WeComSettings:
    values: dict[str, Any] = {
        "bot_token": BOT_TOKEN,
        "bot_aes_key": BOT_AES_KEY,
        "corp_id": fake.corp_id,
        "app_token": APP_TOKEN,
        "app_aes_key": APP_AES_KEY,
        "app_secret": fake.secret,
        "agent_id": fake.agent_id,
        "webhooks": {POLICE_CHAT: "key-police"},
        "appchats": ["appchat01"],
        "api_base": fake.url,
    }
    values.update(overrides)
    return WeComSettings(**values)


def attach(bot: Bot, settings: WeComSettings) -> WeComChannel:
    """Build the channel as the composition root would, and make it the bot's wecom sender."""
    channel = build_channel(bot, settings)
    assert channel is not None
    bot.channels.append(channel)
    bot.senders[PLATFORM] = channel.sender
    return channel


@pytest.fixture
async def fake_wecom(clock: ManualClock) -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom(clock)
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def wecom(bot: Bot, fake_wecom: FakeWeCom) -> AsyncIterator[WeComChannel]:
    channel = attach(bot, wecom_settings(fake_wecom))
    yield channel
    await channel.close()
