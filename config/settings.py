"""Typed settings from the environment (prefix JINGWU_) and an optional YAML or TOML settings file."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

RULES_DIR = Path(__file__).resolve().parent / "rules"
DEFAULT_DEMO_FILE = Path(__file__).resolve().parent / "demo.yaml"


class SettingsFileError(ValueError):
    """The settings file named by JINGWU_SETTINGS_FILE cannot be read."""


class _FileSource(PydanticBaseSettingsSource):
    """Reads the optional settings file; environment variables take precedence over it."""

    def __init__(self, settings_cls: type[BaseSettings], path: str | None) -> None:
        super().__init__(settings_cls)
        self._data = _read_settings_file(Path(path)) if path else {}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


def _read_settings_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsFileError(f"{path}: cannot read settings file ({exc.strerror})") from exc
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise SettingsFileError(f"{path}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsFileError(f"{path}: the settings file must be a mapping of field: value")
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise SettingsFileError(f"{path}: unknown setting(s): {', '.join(unknown)}")
    return {str(k): v for k, v in data.items()}


class Settings(BaseSettings):
    """Everything the bot needs to start; platform credentials are optional."""

    model_config = SettingsConfigDict(env_prefix="JINGWU_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./jingwu.db"
    timezone: str = "Asia/Shanghai"
    rules_dir: Path = RULES_DIR
    demo_file: Path = DEFAULT_DEMO_FILE
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    log_level: str = "INFO"
    auto_migrate: bool = True
    bot_name: str = "警务助手"
    # inbox/outbox workers
    inbox_max_attempts: int = Field(default=5, ge=1)
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_backoff_seconds: float = Field(default=5.0, gt=0)
    worker_poll_seconds: float = Field(default=0.5, gt=0)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    ingest_batch_max: int = Field(default=256, ge=1)  # callbacks stored per commit under load
    # a reporter's messages in one chat within this many minutes add to the same record
    merge_window_minutes: int = Field(default=10, ge=0)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        file_source = _FileSource(settings_cls, os.environ.get("JINGWU_SETTINGS_FILE"))
        return init_settings, env_settings, file_source

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
