"""An async WeCom API client on aiohttp: one cached access token per app, message APIs, webhooks, response_url."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import yarl

from bot.channels.wecom.settings import WeComSettings
from bot.clock import Clock

log = logging.getLogger(__name__)

# Tencent's SDK (api/src/AbstractApi.py) refreshes the token and retries on these (PROTOCOLS A6).
TOKEN_ERRORS = frozenset({40014, 42001, 42007, 42009})
SYSTEM_BUSY = -1
FREQ_LIMIT = 45009  # api freq out of limit (20 messages a minute per robot)
IP_NOT_ALLOWED = 60020  # the server's IP is not in the app's 企业可信IP list
INVALID_WEBHOOK = 93000  # bad or removed webhook key
_ATTEMPTS = 3  # per call: token refresh or system busy, as the SDK does
_CONTENT_TYPE = "application/json"


class WeComApiError(Exception):
    """WeCom answered with errcode != 0. The message names the API, never a URL, token or key."""

    def __init__(self, api: str, errcode: int, errmsg: str) -> None:
        super().__init__(f"{api}: errcode {errcode} {errmsg[:120]}")
        self.api, self.errcode, self.errmsg = api, errcode, errmsg


class WeComTransportError(Exception):
    """No usable answer: connection error, timeout, HTTP status other than 200, or a body that is not JSON."""


class TokenCache:
    """One access token per app, refreshed `margin` seconds before expiry or when WeCom rejects it.

    The cache lives in this process; a lock makes concurrent callers share one gettoken call."""

    def __init__(self, fetch: Callable[[], Awaitable[tuple[str, int]]], clock: Clock, margin: float) -> None:
        self._fetch, self.clock, self.margin = fetch, clock, margin
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.fetches = 0

    def _valid(self) -> bool:
        return self._token is not None and self.clock.now().timestamp() < self._expires_at

    async def get(self) -> str:
        if not self._valid():
            async with self._lock:
                if not self._valid():
                    token, expires_in = await self._fetch()
                    self.fetches += 1
                    lifetime = expires_in - self.margin if expires_in > 2 * self.margin else expires_in / 2
                    self._token, self._expires_at = token, self.clock.now().timestamp() + lifetime
        assert self._token is not None
        return self._token

    def invalidate(self, token: str) -> None:
        """Forget `token` if it is still the cached one (a concurrent caller may have refreshed it already)."""
        if self._token == token:
            self._token = None


class WeComClient:
    """The HTTP side of the channel. The aiohttp session is opened on first use and closed by `close()`."""

    def __init__(self, settings: WeComSettings, clock: Clock) -> None:
        self.settings, self.clock = settings, clock
        self.base = yarl.URL(settings.api_base)
        self._http: aiohttp.ClientSession | None = None
        self.tokens = TokenCache(self._fetch_token, clock, settings.token_margin_seconds)

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            timeout = aiohttp.ClientTimeout(total=self.settings.http_timeout_seconds)
            self._http = aiohttp.ClientSession(timeout=timeout, raise_for_status=False)
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    # ---- transport ------------------------------------------------------------------------------------------

    async def _request(self, api: str, method: str, url: yarl.URL, payload: dict[str, Any] | None) -> dict[str, Any]:
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {} if payload is None else {"Content-Type": _CONTENT_TYPE}
        try:
            async with self._session().request(method, url, data=body, headers=headers) as resp:
                if resp.status != 200:
                    raise WeComTransportError(f"{api}: HTTP {resp.status}")
                raw = await resp.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            # str(exc) of some aiohttp errors holds the URL with its token or key: keep only the type
            raise WeComTransportError(f"{api}: {type(exc).__name__}") from None
        try:
            data = json.loads(raw) if raw.strip() else {"errcode": 0, "errmsg": "ok"}
        except ValueError:
            raise WeComTransportError(f"{api}: answer is not JSON") from None
        if not isinstance(data, dict):
            raise WeComTransportError(f"{api}: answer is not a JSON object")
        return data

    @staticmethod
    def _check(api: str, data: dict[str, Any]) -> dict[str, Any]:
        code = data.get("errcode", 0)
        if not isinstance(code, int):
            raise WeComTransportError(f"{api}: errcode is not an integer")
        if code != 0:
            raise WeComApiError(api, code, str(data.get("errmsg", "")))
        return data

    # ---- the app (自建应用) ---------------------------------------------------------------------------------

    async def _fetch_token(self) -> tuple[str, int]:
        s = self.settings
        if not s.has_app_api or s.app_secret is None:
            raise WeComApiError("gettoken", 41004, "corp id, app secret and agent id are not configured")
        url = (self.base / "cgi-bin/gettoken").with_query(
            corpid=s.corp_id or "", corpsecret=s.app_secret.get_secret_value()
        )
        data = self._check("gettoken", await self._request("gettoken", "GET", url, None))
        token, expires_in = data.get("access_token"), data.get("expires_in", 7200)
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise WeComTransportError("gettoken: answer has no access_token")
        log.info("wecom access token refreshed (expires in %ss)", expires_in)
        return token, expires_in

    async def app_call(self, api: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST to an app API with the cached token; refresh on token errors and retry on -1, 3 tries at most."""
        for attempt in range(1, _ATTEMPTS + 1):
            token = await self.tokens.get()
            url = (self.base / "cgi-bin" / api).with_query(access_token=token)
            data = await self._request(api, "POST", url, payload)
            code = data.get("errcode", 0)
            if attempt < _ATTEMPTS and code in TOKEN_ERRORS:
                log.info("wecom %s: token rejected (errcode %s), refreshing", api, code)
                self.tokens.invalidate(token)
                continue
            if attempt < _ATTEMPTS and code == SYSTEM_BUSY:
                continue
            return self._check(api, data)
        raise AssertionError("unreachable")  # pragma: no cover

    async def send_message(self, payload: dict[str, Any]) -> dict[str, Any]:
        return await self.app_call("message/send", payload)

    async def update_template_card(self, payload: dict[str, Any]) -> dict[str, Any]:
        return await self.app_call("message/update_template_card", payload)

    async def appchat_send(self, payload: dict[str, Any]) -> dict[str, Any]:
        return await self.app_call("appchat/send", payload)

    # ---- group robot webhook and the 智能机器人's response_url -------------------------------------------------

    async def webhook_send(self, key: str, payload: dict[str, Any]) -> dict[str, Any]:
        url = (self.base / "cgi-bin/webhook/send").with_query(key=key)
        return self._check("webhook/send", await self._request("webhook/send", "POST", url, payload))

    def response_url_ok(self, response_url: str) -> bool:
        """Only WeCom's own aibot/response endpoint (on the configured API host) is ever called."""
        try:
            url = yarl.URL(response_url)
        except ValueError:
            return False
        return (
            url.scheme == self.base.scheme
            and url.host == self.base.host
            and url.port == self.base.port
            and url.path == "/cgi-bin/aibot/response"
            and bool(url.query.get("response_code"))
            and not url.user
        )

    async def aibot_respond(self, response_url: str, payload: dict[str, Any]) -> dict[str, Any]:
        if not self.response_url_ok(response_url):
            raise WeComApiError("aibot/response", 40001, "response_url is not WeCom's aibot/response")
        url = yarl.URL(response_url, encoded=True)
        return self._check("aibot/response", await self._request("aibot/response", "POST", url, payload))
