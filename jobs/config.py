"""Jobs configuration: config/rules/jobs.yaml (validated, errors name file/line/field) and JINGWU_JOBS_ settings."""

# The models here derive from config.rules.Strict, a pydantic model, whose mutable defaults pydantic copies per
# instance; ruff's RUF012 cannot follow a base class across modules (astral-sh/ruff#13630).
# ruff: noqa: RUF012

from __future__ import annotations

from datetime import time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.rules import Risk, Strict, load_yaml_model, parse_duration

DigestKind = Literal["daily", "weekly", "monthly"]
DIGEST_KINDS: tuple[DigestKind, ...] = ("daily", "weekly", "monthly")
FILENAME = "jobs.yaml"
# The longest-lived single-use WeCom reply handle: an app card click's response_code, valid for 72 hours (a
# 智能机器人 response_url lasts one). A claim on a handle (wecom_reply_claims) is never pruned sooner.
REPLY_HANDLE_LIFETIME_HOURS = 72


def _clock_time(value: str) -> time:
    try:
        hh, mm = value.split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise ValueError(f"{value!r} is not a time like 08:30") from None


class _At(Strict):
    at: str = Field(pattern=r"^\d{2}:\d{2}$")

    @field_validator("at")
    @classmethod
    def _valid(cls, v: str) -> str:
        _clock_time(v)
        return v

    @property
    def time(self) -> time:
        return _clock_time(self.at)


class DailyDigest(_At):
    pass


class WeeklyDigest(_At):
    weekday: int = Field(default=1, ge=1, le=7)  # ISO: 1 = Monday


class MonthlyDigest(_At):
    day: int = Field(default=1, ge=1, le=28)


class DigestRules(Strict):
    daily: DailyDigest = DailyDigest(at="08:30")
    weekly: WeeklyDigest = WeeklyDigest(at="09:00")
    monthly: MonthlyDigest = MonthlyDigest(at="09:30")
    list_limit: int = Field(default=10, ge=0, le=100)

    def schedule(self, kind: DigestKind) -> _At:
        return {"daily": self.daily, "weekly": self.weekly, "monthly": self.monthly}[kind]


class QuietHours(Strict):
    start: str = Field(default="22:00", pattern=r"^\d{2}:\d{2}$")
    end: str = Field(default="07:00", pattern=r"^\d{2}:\d{2}$")
    except_risk: list[Risk] = ["high"]

    @field_validator("start", "end")
    @classmethod
    def _valid(cls, v: str) -> str:
        _clock_time(v)
        return v

    def contains(self, local: time) -> bool:
        """Whether a local wall-clock time falls in the quiet window (which may wrap past midnight)."""
        start, end = _clock_time(self.start), _clock_time(self.end)
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end


class OverdueRules(Strict):
    realert_every: str = "15m"
    realert_risk: list[Risk] = ["high"]

    @field_validator("realert_every")
    @classmethod
    def _duration(cls, v: str) -> str:
        if parse_duration(v) < timedelta(minutes=1):
            raise ValueError("the re-alert interval must be at least 1 minute")
        return v

    @property
    def realert_delta(self) -> timedelta:
        return parse_duration(self.realert_every)


class JobsConfig(Strict):
    """config/rules/jobs.yaml."""

    quiet_hours: QuietHours = QuietHours()
    overdue: OverdueRules = OverdueRules()
    digests: DigestRules = DigestRules()

    @model_validator(mode="after")
    def _digests_not_at_night(self) -> JobsConfig:
        for kind in DIGEST_KINDS:
            at = self.digests.schedule(kind)
            if self.quiet_hours.contains(at.time):
                raise ValueError(f"the {kind} digest at {at.at} falls in the quiet hours")
        return self


class JobsSettings(BaseSettings):
    """Runtime knobs from the environment (JINGWU_JOBS_*); item_delay_seconds is a test hook that slows
    each reminder inside the sweep's transaction so that a test can kill a process mid-sweep."""

    model_config = SettingsConfigDict(env_prefix="JINGWU_JOBS_", extra="ignore")

    sweep_interval_seconds: float = Field(default=30.0, gt=0)
    sweep_batch: int = Field(default=200, ge=1, le=10_000)
    misfire_grace_seconds: int = Field(default=300, ge=1)
    item_delay_seconds: float = Field(default=0.0, ge=0)
    housekeeping_interval_seconds: float = Field(default=3600.0, gt=0)
    # wecom_reply_claims rows are pruned this long after they were taken: a day past the handles' lifetime
    reply_claim_retention_hours: float = Field(default=96.0, ge=REPLY_HANDLE_LIFETIME_HOURS)

    @property
    def reply_claim_retention(self) -> timedelta:
        return timedelta(hours=self.reply_claim_retention_hours)


def load_jobs_config(rules_dir: Path) -> JobsConfig:
    """jobs.yaml from the rules directory; a broken file raises config.rules.RuleFileError."""
    return _load(rules_dir.resolve())


@lru_cache(maxsize=8)
def _load(rules_dir: Path) -> JobsConfig:
    return load_yaml_model(rules_dir / FILENAME, JobsConfig)
