"""Optional extractor that asks an OpenAI-compatible chat endpoint (vLLM, Ollama, hosted) for a JSON record;
the rule extractor answers whenever the model is slow, down or says something invalid."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Any, Literal

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.extraction.rules import RuleExtractor, clean
from bot.extraction.types import REQUIRED_FIELDS, Extraction

log = logging.getLogger("jingwu.extraction.llm")
_RISK_ORDER = {"low": 0, "medium": 1, "high": 2}


class LLMSettings(BaseSettings):
    """JINGWU_LLM_ENABLED=true turns it on; the rule extractor stays the default."""

    model_config = SettingsConfigDict(env_prefix="JINGWU_LLM_", extra="ignore")

    enabled: bool = False
    base_url: str = "http://127.0.0.1:8000/v1"  # the server's OpenAI-compatible root (…/v1)
    model: str = "qwen2.5-7b-instruct"
    api_key: SecretStr | None = None
    timeout_seconds: float = Field(default=8.0, gt=0)
    json_schema: bool = True  # response_format json_schema (vLLM, OpenAI); False: json_object (older servers)
    max_tokens: int = Field(default=600, ge=64)


class Answer(BaseModel):
    """What the model must return; anything else is invalid output and the rules answer instead."""

    model_config = ConfigDict(extra="ignore")

    is_dispute: bool
    category: str | None = None
    risk: Literal["high", "medium", "low"] | None = None
    location: str | None = None
    parties: list[str] = []
    amount: int | None = Field(default=None, ge=0)
    head_count: int | None = Field(default=None, ge=0)
    summary: str | None = Field(default=None, max_length=200)
    reasons: list[str] = []


def answer_schema(categories: list[str]) -> dict[str, Any]:
    nullable_str = {"type": ["string", "null"]}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "is_dispute",
            "category",
            "risk",
            "location",
            "parties",
            "amount",
            "head_count",
            "summary",
            "reasons",
        ],
        "properties": {
            "is_dispute": {"type": "boolean"},
            "category": {"type": ["string", "null"], "enum": [*categories, None]},
            "risk": {"type": ["string", "null"], "enum": ["high", "medium", "low", None]},
            "location": nullable_str,
            "parties": {"type": "array", "items": {"type": "string"}},
            "amount": {"type": ["integer", "null"]},
            "head_count": {"type": ["integer", "null"]},
            "summary": nullable_str,
            "reasons": {"type": "array", "items": {"type": "string"}},
        },
    }


class LLMExtractor:
    """Model first, rules as the net: phones, ID numbers and times always come from the rules (they are checked),
    names and places only if they appear in the text, and risk is never graded below what the rules found."""

    def __init__(self, settings: LLMSettings, rules_extractor: RuleExtractor) -> None:
        self.settings, self.rules = settings, rules_extractor
        cats = rules_extractor.rules.categories.categories
        self._codes = [c.code for c in cats]
        self._schema = answer_schema(self._codes)
        self._system = (
            "你是派出所矛盾纠纷登记助手。阅读警民群里的一条或几条消息，判断是否是矛盾纠纷报告"
            "（提问、通知、问候、巡查无异常、感谢、闲聊都不是），并只输出一个 JSON 对象。"
            f"category 取值：{'、'.join(f'{c.code}={c.name}' for c in cats)}。"
            "risk：high=有民转刑或极端风险（威胁、凶器、正在打、酒后、家暴、聚集、自伤），"
            "medium=久拖未决、上访曝光、多方、金额大、弱势人员，low=情绪稳定的一般纠纷。"
            "location 写原文中的村/社区/小区/道路/单位名；parties 按原文写（如张某、王女士）；"
            "amount 为人民币元的整数；reasons 写出你判断风险所依据的原文词语。不是纠纷时其余字段为 null 或空。"
        )
        self._session: aiohttp.ClientSession | None = None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def extract(self, text: str, sent_at: datetime, area: str | None = None) -> Extraction:
        """Blocking callers (the CLI outside a loop) get the model; inside a running loop use `aextract`."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self._extract_once(text, sent_at, area))
        log.warning("LLMExtractor.extract called inside an event loop; answering with the rules (use aextract)")
        return self.rules.extract(text, sent_at, area)

    async def _extract_once(self, text: str, sent_at: datetime, area: str | None) -> Extraction:
        try:
            return await self.aextract(text, sent_at, area)
        finally:
            await self.aclose()

    async def aextract(self, text: str, sent_at: datetime, area: str | None = None) -> Extraction:
        base = self.rules.extract(text, sent_at, area)
        try:
            answer = await self._ask(clean(text))
        except (TimeoutError, aiohttp.ClientError, ValueError, KeyError, IndexError, TypeError) as exc:
            # ValidationError and JSONDecodeError are ValueErrors; no message text in the log (privacy)
            log.warning("LLM extractor fell back to rules: %s", type(exc).__name__)
            return base
        return self._merge(answer, base, clean(text), area)

    async def _ask(self, body: str) -> Answer:
        s = self.settings
        if s.json_schema:
            fmt: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": "dispute_record", "schema": self._schema, "strict": True},
            }
        else:
            fmt = {"type": "json_object"}
        payload = {
            "model": s.model,
            "messages": [{"role": "system", "content": self._system}, {"role": "user", "content": body}],
            "temperature": 0,
            "max_tokens": s.max_tokens,
            "response_format": fmt,
        }
        headers = {"Authorization": f"Bearer {s.api_key.get_secret_value()}"} if s.api_key else {}
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=s.timeout_seconds))
        url = s.base_url.rstrip("/") + "/chat/completions"
        async with self._session.post(url, json=payload, headers=headers) as resp:
            resp.raise_for_status()
            data = await resp.json(content_type=None)
        content = data["choices"][0]["message"]["content"]
        if not isinstance(content, str):
            raise TypeError("message content is not text")
        try:
            return Answer.model_validate(json.loads(content))
        except ValidationError as exc:
            raise ValueError(f"invalid answer: {exc.error_count()} error(s)") from exc

    def _merge(self, answer: Answer, base: Extraction, body: str, area: str | None) -> Extraction:
        if not answer.is_dispute:
            return Extraction(is_dispute=False, phones=base.phones, id_numbers=base.id_numbers)
        category = answer.category if answer.category in self._codes else base.category
        risk = answer.risk or base.risk or "low"
        if base.risk and _RISK_ORDER[base.risk] > _RISK_ORDER[risk]:
            risk = base.risk  # a cue the station configured is never overruled downwards
        location = answer.location if answer.location and answer.location in body else base.location or area
        parties = [p for p in answer.parties if p and p in body] or base.parties
        result = Extraction(
            is_dispute=True,
            category=category or self.rules.rules.categories.default,
            risk=risk,
            location=location,
            parties=parties,
            phones=base.phones,
            id_numbers=base.id_numbers,
            occurred_at=base.occurred_at,
            summary=answer.summary or base.summary,
            amount=answer.amount if answer.amount is not None else base.amount,
            head_count=answer.head_count if answer.head_count is not None else base.head_count,
            reasons=[*(f"模型:{r}" for r in answer.reasons[:5]), *base.reasons],
        )
        result.missing = [f for f in REQUIRED_FIELDS if not getattr(result, f)]
        return result
