"""The interaction's cost in the HuggingPlace log's metadata, and each step's own cost in step_data.

Recorded Anthropic calls (one cache write, one cache read) and one call to a model no price table knows
(Groq's OpenAI-compatible API through the openai client) run through instrument(); the amounts are
computed by hand from the recorded usage and the genai-prices claude-3-5-sonnet entry ($3 input, $15
output, $0.3 cache read, $3.75 cache write per million tokens).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import anthropic
import openai
import pytest
from opentelemetry.sdk.trace import TracerProvider

import huggingplace_sdk
from huggingplace_sdk.testing import ReplayServer, cassette_path, recorded_json, recorded_request_json


@pytest.fixture
def instrumented(make_exporter: Any) -> Iterator[Any]:
    exporter = make_exporter(late_child_wait=2.0)
    handle = huggingplace_sdk.instrument(["anthropic", "openai"], tracer_provider=TracerProvider(
        shutdown_on_exit=False), huggingplace=exporter)
    try:
        yield exporter
    finally:
        handle.shutdown(timeout=2.0)


def _kwargs(method: Any, body: dict[str, Any]) -> dict[str, Any]:
    names = inspect.signature(method).parameters
    return {k: v for k, v in body.items() if k in names}


def _claude_cost(usage: dict[str, int]) -> Decimal:
    per_million = (Decimal(usage["input_tokens"]) * 3 + Decimal(usage["cache_creation_input_tokens"]) * Decimal("3.75")
                   + Decimal(usage["cache_read_input_tokens"]) * Decimal("0.3") + Decimal(usage["output_tokens"]) * 15)
    return per_million / 1_000_000


def test_log_metadata_carries_the_interaction_cost_and_each_step_its_own(server: Any, instrumented: Any) -> None:
    caching = cassette_path("anthropic", "test_prompt_caching__test_anthropic_prompt_caching_legacy")
    groq = cassette_path("groq", "test_chat_tracing__test_chat_legacy")
    with ReplayServer(caching) as claude_server, ReplayServer(groq) as groq_server, \
            anthropic.Anthropic(api_key="sk-ant-test", base_url=claude_server.base_url, max_retries=0) as claude, \
            openai.OpenAI(api_key="gsk-test", base_url=f"{groq_server.base_url}/openai/v1", max_retries=0) as llama:
        with huggingplace_sdk.session("sess-cost"), huggingplace_sdk.trace_step("answer", type="agent"):
            with huggingplace_sdk.trace_step("draft"):
                for interaction in claude_server.interactions:
                    body = recorded_request_json(interaction)
                    claude.messages.create(**_kwargs(claude.messages.create, body))
            body = recorded_request_json(groq_server.interactions[0])
            llama.chat.completions.create(**_kwargs(llama.chat.completions.create, body))
        costs = [_claude_cost(recorded_json(i)["usage"]) for i in claude_server.interactions]

    assert huggingplace_sdk.flush(5.0)
    [log] = server.store.logs()
    metadata = log["metaData"]
    assert metadata["cost_usd"] == pytest.approx(float(sum(costs, Decimal(0))), rel=1e-12)
    assert metadata["cost_currency"] == "USD"
    assert metadata["unpriced_llm_calls"] == 1
    steps = {(s["type"], s["name"]): s for s in log["step_data"]}
    assert steps[("step", "draft")]["cost_usd"] == pytest.approx(float(sum(costs, Decimal(0))), rel=1e-12)
    llm_costs = sorted(s["cost_usd"] for s in log["step_data"] if s["type"] == "llm" and "cost_usd" in s)
    assert llm_costs == pytest.approx(sorted(float(c) for c in costs), rel=1e-12)
    unpriced = [s for s in log["step_data"] if s["type"] == "llm" and "cost_usd" not in s]
    assert [s["llm_model"] for s in unpriced] == [recorded_json(groq_server.interactions[0])["model"]]
