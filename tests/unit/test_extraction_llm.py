"""The optional LLM extractor against a fake OpenAI-compatible server on 127.0.0.1; the rules answer on failure."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.clock import SHANGHAI
from bot.extraction.factory import build_extractor
from bot.extraction.llm import LLMExtractor, LLMSettings
from bot.extraction.rules import RuleExtractor
from config.rules import load_rules
from config.settings import RULES_DIR, Settings

SENT = datetime(2026, 11, 20, 9, 12, tzinfo=SHANGHAI)
TEXT = "@警务助手 幸福村3组张某与李某因宅基地地界争执，张某扬言要报复。张某电话13800138000，昨天晚上8点"
GOOD = {
    "is_dispute": True,
    "category": "land",
    "risk": "medium",  # lower than the rules' red: must not win
    "location": "幸福村3组",
    "parties": ["张某", "李某", "王五"],  # 王五 is not in the text: dropped
    "amount": None,
    "head_count": None,
    "summary": "宅基地地界争执，张某扬言报复",
    "reasons": ["扬言要报复"],
}


class FakeLLM:
    """Answers /v1/chat/completions the way the test asks; records what it was sent."""

    def __init__(self) -> None:
        self.mode = "good"
        self.requests: list[dict[str, Any]] = []
        self.headers: list[str | None] = []
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(await request.json())
        self.headers.append(request.headers.get("Authorization"))
        if self.mode == "slow":
            await self.release.wait()
        if self.mode == "error":
            return web.json_response({"error": "overloaded"}, status=503)
        content = {
            "good": json.dumps(GOOD, ensure_ascii=False),
            "not_json": "当然！这是结果：{is_dispute: true",
            "bad_schema": json.dumps({"is_dispute": "maybe", "risk": "purple"}),
            "chitchat": json.dumps({"is_dispute": False}),
        }.get(self.mode, "")
        return web.json_response({"choices": [{"message": {"role": "assistant", "content": content}}]})


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeLLM, str]]:
    llm = FakeLLM()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", llm.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield llm, str(server.make_url("/v1"))
    finally:
        llm.release.set()
        await server.close()


@pytest.fixture(scope="module")
def rules_extractor() -> RuleExtractor:
    return RuleExtractor(load_rules(RULES_DIR))


def _llm(url: str, rules_extractor: RuleExtractor, timeout: float = 5.0, **kw: Any) -> LLMExtractor:
    settings = LLMSettings(enabled=True, base_url=url, model="fake-7b", timeout_seconds=timeout, **kw)
    return LLMExtractor(settings, rules_extractor)


async def test_model_answer_is_used_and_checked(fake: tuple[FakeLLM, str], rules_extractor: RuleExtractor) -> None:
    server, url = fake
    llm = _llm(url, rules_extractor, api_key="sk-test")
    try:
        got = await llm.aextract(TEXT, SENT, "幸福村")
    finally:
        await llm.aclose()
    assert got.is_dispute and got.category == "land" and got.location == "幸福村3组"
    assert got.parties == ["张某", "李某"]  # names the text does not contain are dropped
    assert got.risk == "high"  # the rules found 扬言: the model may not grade it down
    assert got.phones == ["13800138000"] and got.occurred_at == datetime(2026, 11, 19, 20, 0, tzinfo=SHANGHAI)
    assert got.summary == GOOD["summary"] and "模型:扬言要报复" in got.reasons
    sent = server.requests[0]
    assert sent["model"] == "fake-7b" and sent["temperature"] == 0
    assert sent["response_format"]["type"] == "json_schema"
    schema = sent["response_format"]["json_schema"]["schema"]
    assert "land" in schema["properties"]["category"]["enum"] and set(schema["required"]) >= {"is_dispute", "risk"}
    assert "@警务助手" not in sent["messages"][1]["content"]
    assert server.headers[0] == "Bearer sk-test"


@pytest.mark.parametrize("mode", ["not_json", "bad_schema", "error", "slow"])
async def test_falls_back_to_rules(fake: tuple[FakeLLM, str], rules_extractor: RuleExtractor, mode: str) -> None:
    server, url = fake
    server.mode = mode
    llm = _llm(url, rules_extractor, timeout=0.3 if mode == "slow" else 5.0)
    try:
        got = await llm.aextract(TEXT, SENT, "幸福村")
    finally:
        await llm.aclose()
    assert got == rules_extractor.extract(TEXT, SENT, "幸福村")
    assert len(server.requests) == 1


async def test_model_says_not_a_dispute(fake: tuple[FakeLLM, str], rules_extractor: RuleExtractor) -> None:
    server, url = fake
    server.mode = "chitchat"
    llm = _llm(url, rules_extractor, json_schema=False)
    try:
        got = await llm.aextract("今天巡查无异常", SENT, "幸福村")
    finally:
        await llm.aclose()
    assert not got.is_dispute and server.requests[0]["response_format"] == {"type": "json_object"}


async def test_unreachable_server_falls_back(rules_extractor: RuleExtractor) -> None:
    llm = _llm("http://127.0.0.1:9/v1", rules_extractor)  # discard port: nothing listens
    try:
        got = await llm.aextract(TEXT, SENT, "幸福村")
    finally:
        await llm.aclose()
    assert got == rules_extractor.extract(TEXT, SENT, "幸福村")


async def test_blocking_extract_inside_a_loop_uses_the_rules(rules_extractor: RuleExtractor) -> None:
    llm = _llm("http://127.0.0.1:9/v1", rules_extractor)
    assert llm.extract(TEXT, SENT, "幸福村") == rules_extractor.extract(TEXT, SENT, "幸福村")


def test_blocking_extract_outside_a_loop_asks_the_model(rules_extractor: RuleExtractor) -> None:
    async def serve_and_ask() -> tuple[bool, int]:
        llm_server = FakeLLM()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", llm_server.handle)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            url = str(server.make_url("/v1"))
            got = await asyncio.to_thread(_llm(url, rules_extractor).extract, TEXT, SENT, "幸福村")
            return got.summary == GOOD["summary"], len(llm_server.requests)
        finally:
            await server.close()

    assert asyncio.run(serve_and_ask()) == (True, 1)


def test_factory_builds_what_the_settings_ask_for(tmp_path: Any) -> None:
    rules = load_rules(RULES_DIR)
    settings = Settings(rules_dir=RULES_DIR)
    assert isinstance(build_extractor(settings, rules, SHANGHAI, LLMSettings()), RuleExtractor)
    llm = build_extractor(settings, rules, SHANGHAI, LLMSettings(enabled=True))
    assert isinstance(llm, LLMExtractor) and isinstance(llm.rules, RuleExtractor)


def test_llm_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JINGWU_LLM_ENABLED", "true")
    monkeypatch.setenv("JINGWU_LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("JINGWU_LLM_MODEL", "qwen2.5:7b")
    monkeypatch.setenv("JINGWU_LLM_API_KEY", "secret")
    s = LLMSettings()
    assert s.enabled and s.model == "qwen2.5:7b" and s.api_key is not None and "secret" not in repr(s)


async def test_both_extractors_satisfy_the_async_protocol(rules_extractor: RuleExtractor) -> None:
    from bot.extraction import AsyncExtractor

    llm = _llm("http://127.0.0.1:9/v1", rules_extractor)
    extractors: list[AsyncExtractor] = [rules_extractor, llm]
    for extractor in extractors:
        assert (await extractor.aextract("今日巡查无异常", SENT)).is_dispute is False
        await extractor.aclose()
