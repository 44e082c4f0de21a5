"""DingTalk settings from the environment (prefix JINGWU_DINGTALK_); every credential is optional."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PLATFORM = "dingtalk"


class CustomRobot(BaseModel):
    """A group's 自定义机器人: its webhook URL (with access_token) and the 加签 secret (SEC…)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    webhook: SecretStr
    secret: SecretStr | None = None


class DingTalkSettings(BaseSettings):
    """The enterprise robot (app key/secret, robot code), Stream mode, cards, custom robots and the timings."""

    model_config = SettingsConfigDict(env_prefix="JINGWU_DINGTALK_", extra="ignore")

    # the enterprise internal robot (企业内部机器人)
    app_key: str | None = None
    app_secret: SecretStr | None = None
    robot_code: str | None = None  # usually equal to the app key
    robot_names: list[str] = Field(default_factory=list)  # display names, stripped from a leading @mention
    mode: Literal["http", "stream"] = "http"
    # event subscription (事件订阅) over HTTP, encrypted like WeCom callbacks
    event_token: SecretStr | None = None
    event_aes_key: SecretStr | None = None
    # the interactive dispatch card (互动卡片); without a template, buttons go out as an actionCard
    card_template_id: str | None = None
    card_callback_route_key: str | None = None  # HTTP mode only: the route key registered for /dingtalk/card
    # per-group custom robots, a JSON object {"<openConversationId>": {"webhook": "...", "secret": "SEC..."}}
    custom_robots: dict[str, CustomRobot] = Field(default_factory=dict)
    # endpoints (tests point these at a local fake)
    api_base: str = "https://api.dingtalk.com"
    oapi_base: str = "https://oapi.dingtalk.com"
    session_webhook_hosts: list[str] = Field(default_factory=lambda: ["oapi.dingtalk.com"])
    # limits and timings
    callback_window_seconds: float = Field(default=3600, gt=0)
    http_timeout_seconds: float = Field(default=10, gt=0)
    token_margin_seconds: float = Field(default=300, ge=0)
    session_webhook_margin_seconds: float = Field(default=60, ge=0)
    messages_per_minute: int = Field(default=20, ge=1)
    penalty_seconds: float = Field(default=600, ge=0)
    # Stream mode
    heartbeat_seconds: float = Field(default=30, gt=0)  # websocket ping; a missing pong ends the connection
    idle_timeout_seconds: float = Field(default=120, gt=0)  # no frame at all for this long: a dead connection
    backoff_min_seconds: float = Field(default=1, gt=0)
    backoff_max_seconds: float = Field(default=60, gt=0)
    stable_after_seconds: float = Field(default=60, ge=0)  # a connection this old resets the backoff
    lease_ttl_seconds: float = Field(default=30, gt=0)
    lease_renew_seconds: float = Field(default=10, gt=0)
    lease_poll_seconds: float = Field(default=5, gt=0)

    @property
    def has_app(self) -> bool:
        return bool(self.app_key and self.app_secret and self.app_secret.get_secret_value())

    @property
    def configured(self) -> bool:
        return self.has_app or bool(self.custom_robots)

    @property
    def robot(self) -> str:
        """The robot code for OpenAPI sends; DingTalk's SDK uses the app key when no separate code exists."""
        return self.robot_code or self.app_key or ""

    @property
    def secret(self) -> str:
        return self.app_secret.get_secret_value() if self.app_secret else ""
