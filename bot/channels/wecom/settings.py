"""WeCom settings from the environment (prefix JINGWU_WECOM_); every credential is optional."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLATFORM = "wecom"


class WeComSettings(BaseSettings):
    """The 智能机器人 (AI bot) callback, the self-built app (自建应用), group robot webhooks, and the limits."""

    model_config = SettingsConfigDict(env_prefix="JINGWU_WECOM_", extra="ignore")

    # 智能机器人: HTTP callback at /wecom/bot; receive id "" (PROTOCOLS A1)
    bot_token: SecretStr | None = None
    bot_aes_key: SecretStr | None = None
    bot_name: str | None = None  # the display name stripped from "@BotName ..."; None strips the first @token
    bot_reply_mode: Literal["response_url", "stream"] = "response_url"
    bot_reply_max_bytes: int = Field(default=20480, ge=512)  # one response_url / stream reply; longer goes by webhook
    welcome_text: str = "您好，我是警务助手。上报矛盾纠纷请直接描述经过、地点和当事人；发送「帮助」查看指令。"
    # 自建应用: callback at /wecom/app (receive id = corp id) and the message APIs
    corp_id: str | None = None
    app_token: SecretStr | None = None
    app_aes_key: SecretStr | None = None
    app_secret: SecretStr | None = None
    agent_id: int | None = None
    # outbound routes for group chats: chat id -> 群机器人 webhook key (a JSON object in the environment),
    # a fallback key for chats without one, and the chat ids the app created with appchat/create
    webhooks: dict[str, SecretStr] = Field(default_factory=dict)
    default_webhook: SecretStr | None = None
    appchats: list[str] = Field(default_factory=list)
    # endpoints (tests point this at a local fake) and limits
    api_base: str = "https://qyapi.weixin.qq.com"
    http_timeout_seconds: float = Field(default=10, gt=0)
    token_margin_seconds: float = Field(default=300, ge=0)
    webhook_per_minute: int = Field(default=20, ge=1)
    freq_penalty_seconds: float = Field(default=60, gt=0)  # after 45009 the robot rests this long
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # streaming replies (bot_reply_mode=stream)
    stream_ttl_seconds: float = Field(default=360, gt=0)  # WeCom stops refreshing 6 min after the message
    stream_per_user: int = Field(default=3, ge=1)  # WeCom's in-flight limit per user and bot
    stream_idle_seconds: float = Field(default=30, gt=0)  # no reply by then: finish, the rest goes by response_url
    stream_placeholder: str = "收到，正在处理…"
    stream_check_seconds: float = Field(default=1, gt=0)  # how soon the outbox looks again for a handed-over reply

    @field_validator("bot_aes_key", "app_aes_key")
    @classmethod
    def _aes_key_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value() and len(value.get_secret_value()) != 43:
            raise ValueError("an EncodingAESKey is 43 characters")
        return value

    @field_validator("api_base")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def has_bot(self) -> bool:
        return _set(self.bot_token) and _set(self.bot_aes_key)

    @property
    def has_app_callback(self) -> bool:
        return bool(self.corp_id) and _set(self.app_token) and _set(self.app_aes_key)

    @property
    def has_app_api(self) -> bool:
        return bool(self.corp_id) and _set(self.app_secret) and self.agent_id is not None

    @property
    def has_webhooks(self) -> bool:
        return bool(self.webhooks) or _set(self.default_webhook)

    @property
    def configured(self) -> bool:
        return self.has_bot or self.has_app_callback or self.has_app_api or self.has_webhooks

    def webhook_for(self, chat_id: str) -> str | None:
        key = self.webhooks.get(chat_id) or self.default_webhook
        return key.get_secret_value() if key is not None and key.get_secret_value() else None


def _set(value: SecretStr | None) -> bool:
    return value is not None and bool(value.get_secret_value())
