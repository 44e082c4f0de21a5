"""DingTalk HTTP client: the OpenAPI with a cached access token (refreshed on 401), robot webhooks, Stream open."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from bot.channels.dingtalk.settings import DingTalkSettings
from bot.clock import Clock

log = logging.getLogger(__name__)

ACCESS_TOKEN_HEADER = "x-acs-dingtalk-access-token"
USER_AGENT = "jingwu-bot (aiohttp)"


class DingTalkApiError(Exception):
    """A failed DingTalk call: `status` is the HTTP status (0 for a network failure), `code` DingTalk's code."""

    def __init__(self, message: str, *, status: int, code: str = "") -> None:
        super().__init__(message)
        self.status, self.code = status, code


@dataclass(frozen=True)
class WebhookReply:
    """What a robot webhook (custom robot or sessionWebhook) answered: errcode 0 means sent."""

    errcode: int
    errmsg: str


@dataclass(frozen=True)
class StreamTicket:
    endpoint: str
    ticket: str


class DingTalkApi:
    """One HTTP session for every DingTalk call; the access token is fetched once and shared (single-flight)."""

    def __init__(self, settings: DingTalkSettings, clock: Clock) -> None:
        self.settings, self.clock = settings, clock
        self._session: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._token_expires: datetime | None = None
        self._token_lock = asyncio.Lock()
        self.token_fetches = 0  # how many times a token was requested (for tests and metrics)

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.settings.http_timeout_seconds)
            self._session = aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": USER_AGENT})
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    # ---- access token --------------------------------------------------------------------------------

    async def access_token(self) -> str:
        """The cached token, refreshed `token_margin_seconds` before it expires; one refresh at a time."""
        async with self._token_lock:
            now = self.clock.now()
            if self._token and self._token_expires and now < self._token_expires:
                return self._token
            status, data = await self._call("POST", self._api("/v1.0/oauth2/accessToken"), self._app_credentials())
            token, expire_in = data.get("accessToken"), data.get("expireIn")
            if status != 200 or not isinstance(token, str) or not isinstance(expire_in, int):
                raise _api_error("access token", status, data)
            self.token_fetches += 1
            margin = min(self.settings.token_margin_seconds, expire_in / 2)
            self._token, self._token_expires = token, now + timedelta(seconds=expire_in - margin)
            return token

    def reset_token(self, stale: str) -> None:
        """Forget a token DingTalk refused, unless another call already replaced it."""
        if self._token == stale:
            self._token, self._token_expires = None, None

    async def openapi(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Call api.dingtalk.com with the access token; a 401 drops the token and retries once with a new one."""
        for attempt in (1, 2):
            token = await self.access_token()
            status, data = await self._call(method, self._api(path), body, {ACCESS_TOKEN_HEADER: token})
            if status == 401 and attempt == 1:
                log.info("dingtalk %s: access token refused (401), fetching a new one", path)
                self.reset_token(token)
                continue
            if status >= 400:
                raise _api_error(path, status, data)
            return data
        raise AssertionError("unreachable")

    # ---- robot webhooks and Stream -------------------------------------------------------------------

    async def webhook(self, url: str, body: dict[str, Any]) -> WebhookReply:
        """POST to a robot webhook; its errcode is returned, HTTP and network failures raise."""
        # encoded=True sends the query byte for byte: yarl would otherwise turn the sign's %2F back into "/"
        status, data = await self._call("POST", URL(url, encoded=True), body)
        if status != 200:
            raise _api_error("robot webhook", status, data)
        errcode = data.get("errcode", 0)
        return WebhookReply(errcode if isinstance(errcode, int) else -1, str(data.get("errmsg", "")))

    async def open_stream(self, topics: list[str], local_ip: str = "") -> StreamTicket:
        """Ask the gateway for a Stream endpoint and a one-time ticket (PROTOCOLS B3 step 1)."""
        body = {
            **self._client_credentials(),
            "subscriptions": [{"type": "CALLBACK", "topic": t} for t in topics],
            "ua": USER_AGENT,
            "localIp": local_ip,
        }
        status, data = await self._call("POST", self._api("/v1.0/gateway/connections/open"), body)
        endpoint, ticket = data.get("endpoint"), data.get("ticket")
        if status != 200 or not isinstance(endpoint, str) or not isinstance(ticket, str):
            raise _api_error("stream open", status, data)
        return StreamTicket(endpoint, ticket)

    # ---- plumbing ------------------------------------------------------------------------------------

    def _api(self, path: str) -> str:
        return self.settings.api_base.rstrip("/") + path

    def _app_credentials(self) -> dict[str, str]:
        return {"appKey": self.settings.app_key or "", "appSecret": self.settings.secret}

    def _client_credentials(self) -> dict[str, str]:
        return {"clientId": self.settings.app_key or "", "clientSecret": self.settings.secret}

    async def _call(
        self, method: str, url: str | URL, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """One request; returns (status, JSON object). The URL's query (tokens, sessions) is never logged."""
        where = _redacted(str(url))
        try:
            async with self.session().request(method, url, json=body, headers=headers) as resp:
                text = await resp.text()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DingTalkApiError(f"{where}: {type(exc).__name__}", status=0, code="network") from None
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        return status, data if isinstance(data, dict) else {}


def _api_error(what: str, status: int, data: dict[str, Any]) -> DingTalkApiError:
    code = str(data.get("code") or data.get("errcode") or "")
    message = str(data.get("message") or data.get("errmsg") or "")[:200]
    return DingTalkApiError(f"{what}: HTTP {status} {code} {message}".strip(), status=status, code=code)


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"
