"""Cost per call for recorded vendor calls, replayed through the real clients and our adapters.

Every expected amount is computed here by hand: the usage read from the recorded response times the
genai-prices entry written out in ``_calls`` (and checked against the table), never taken from our code.
"""

from __future__ import annotations

from decimal import Decimal

import openai
import pytest
from _calls import (
    anthropic_client,
    assert_table,
    call_anthropic,
    call_openai,
    openai_client,
    usd,
)
from huggingplace_instrumentation_anthropic import AnthropicInstrumentor
from huggingplace_instrumentation_openai import OpenAIInstrumentor
from opentelemetry.sdk.trace import ReadableSpan

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk import trace_step
from huggingplace_sdk._engine.cost import table_source
from huggingplace_sdk.testing import ReplayServer, SpanCapture, cassette_path, recorded_json, recorded_sse_events

GPT_4O_MINI = {"input_mtok": "0.15", "cache_read_mtok": "0.075", "output_mtok": "0.6"}
GPT_5_NANO = {"input_mtok": "0.05", "cache_read_mtok": "0.005", "output_mtok": "0.4"}
GPT_5_PRIORITY = {"input_mtok": "2.5", "cache_read_mtok": "0.25", "output_mtok": "20"}
CLAUDE_35_SONNET = {"input_mtok": "3", "output_mtok": "15", "cache_read_mtok": "0.3", "cache_write_mtok": "3.75"}
DAVINCI_002 = {"input_mtok": "2", "output_mtok": "2"}


def _attrs(span: ReadableSpan) -> dict[str, object]:
    return dict(span.attributes or {})


def _assert_amount(attrs: dict[str, object], key: str, expected: Decimal) -> None:
    assert attrs[key] == pytest.approx(float(expected), rel=1e-12, abs=1e-18), key


def _replay_openai(capture: SpanCapture, cassette: str, **options: object) -> list[tuple[dict[str, object], object]]:
    """(span attributes, recorded response body) per interaction."""
    capture.instrument(OpenAIInstrumentor(), **options)
    out = []
    with ReplayServer(cassette_path("openai", cassette)) as server, openai_client(server.base_url) as client:
        for interaction in server.interactions:
            capture.clear()
            call_openai(client, interaction)
            out.append((_attrs(capture.only_span()), recorded_json(interaction)))
    return out


def test_openai_cached_input_tokens_are_priced_at_the_cache_read_price(span_capture: SpanCapture) -> None:
    assert_table("openai", "gpt-4o-mini", GPT_4O_MINI)
    calls = _replay_openai(span_capture, "test_prompt_caching__test_openai_prompt_caching")
    cached_calls = 0
    for attrs, body in calls:
        usage = body["usage"]
        cached = usage["prompt_tokens_details"]["cached_tokens"]
        cached_calls += bool(cached)
        expected_input = usd(usage["prompt_tokens"] - cached, "0.15")
        expected_cache = usd(cached, "0.075")
        expected_output = usd(usage["completion_tokens"], "0.6")
        assert attrs[sc.HP_COST_STATUS] == sc.COST_PRICED
        _assert_amount(attrs, sc.HP_COST_AMOUNT, expected_input + expected_cache + expected_output)
        _assert_amount(attrs, sc.HP_COST_PART_PREFIX + "input", expected_input)
        _assert_amount(attrs, sc.HP_COST_PART_PREFIX + "output", expected_output)
        if cached:
            _assert_amount(attrs, sc.HP_COST_PART_PREFIX + "cache_read", expected_cache)
        assert attrs[sc.HP_COST_CURRENCY] == "USD"
        assert attrs[sc.HP_COST_SOURCE] == sc.COST_SOURCE_LOCAL
        assert attrs[sc.HP_COST_PRICE_SOURCE] == table_source()
        assert str(attrs[sc.HP_COST_PRICE_SOURCE]).startswith("genai-prices ")
        assert attrs[sc.HP_COST_PRICE_PROVIDER] == "openai"
        assert attrs[sc.HP_COST_PRICE_MODEL] == "gpt-4o-mini"
        assert attrs[sc.GEN_AI_RESPONSE_MODEL] == body["model"]  # the model name is recorded as reported
    assert cached_calls == 1  # the recording's second call read 1024 tokens from the cache


def test_openai_reasoning_tokens_are_output_tokens_priced_once(span_capture: SpanCapture) -> None:
    assert_table("openai", "gpt-5-nano", GPT_5_NANO)
    calls = _replay_openai(span_capture, "test_chat__test_chat_reasoning")
    assert len(calls) == 3
    for attrs, body in calls:
        usage = body["usage"]
        assert usage["completion_tokens_details"]["reasoning_tokens"] > 0
        # The table has no reasoning price for gpt-5-nano: reasoning tokens are output tokens, counted once.
        expected = usd(usage["prompt_tokens"], "0.05") + usd(usage["completion_tokens"], "0.4")
        _assert_amount(attrs, sc.HP_COST_AMOUNT, expected)
        assert sc.HP_COST_PART_PREFIX + "reasoning" not in attrs
        _assert_amount(attrs, sc.HP_COST_PART_PREFIX + "output", usd(usage["completion_tokens"], "0.4"))


def test_openai_priority_tier_is_priced_at_its_own_rate(span_capture: SpanCapture) -> None:
    assert_table("openai", "gpt-5", GPT_5_PRIORITY, service_tier="priority")
    for attrs, body in _replay_openai(span_capture, "test_chat__test_chat_with_service_tier"):
        assert body["service_tier"] == "priority"
        usage = body["usage"]
        expected = usd(usage["prompt_tokens"], "2.5") + usd(usage["completion_tokens"], "20")
        _assert_amount(attrs, sc.HP_COST_AMOUNT, expected)


def test_anthropic_cache_writes_and_reads_have_their_own_prices(span_capture: SpanCapture) -> None:
    assert_table("anthropic", "claude-3-5-sonnet-20240620", CLAUDE_35_SONNET)
    span_capture.instrument(AnthropicInstrumentor())
    path = cassette_path("anthropic", "test_prompt_caching__test_anthropic_prompt_caching_legacy")
    seen = {"write": 0, "read": 0}
    with ReplayServer(path) as server, anthropic_client(server.base_url) as client:
        for interaction in server.interactions:
            span_capture.clear()
            call_anthropic(client, interaction)
            attrs = _attrs(span_capture.only_span())
            usage = recorded_json(interaction)["usage"]
            write, read = usage["cache_creation_input_tokens"], usage["cache_read_input_tokens"]
            seen["write"] += bool(write)
            seen["read"] += bool(read)
            parts = {"input": usd(usage["input_tokens"], "3"), "cache_write": usd(write, "3.75"),
                     "cache_read": usd(read, "0.3"), "output": usd(usage["output_tokens"], "15")}
            _assert_amount(attrs, sc.HP_COST_AMOUNT, sum(parts.values(), Decimal(0)))
            for part, amount in parts.items():
                if amount:
                    _assert_amount(attrs, sc.HP_COST_PART_PREFIX + part, amount)
                else:
                    assert sc.HP_COST_PART_PREFIX + part not in attrs
            assert attrs[sc.HP_COST_PRICE_PROVIDER] == "anthropic"
            assert attrs[sc.HP_COST_PRICE_MODEL] == "claude-3-5-sonnet"
    assert seen == {"write": 1, "read": 1}


def test_unknown_model_has_no_number_and_a_clear_unpriced_marker(span_capture: SpanCapture) -> None:
    # Groq's OpenAI-compatible endpoint through the openai client: the span's provider is openai, and the
    # openai price table has no llama3-8b-8192. Guessing another provider's price would be a made-up number.
    span_capture.instrument(OpenAIInstrumentor())
    path = cassette_path("groq", "test_chat_tracing__test_chat_legacy")
    with ReplayServer(path) as server, openai.OpenAI(api_key="gsk-test", base_url=f"{server.base_url}/openai/v1",
                                                     max_retries=0) as client:
        interaction = server.interactions[0]
        with trace_step("ask"):
            call_openai(client, interaction)
    call = span_capture.spans()[0]
    attrs = _attrs(call)
    usage = recorded_json(interaction)["usage"]
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == usage["prompt_tokens"]  # usage is there, the price is not
    assert attrs[sc.HP_COST_STATUS] == sc.COST_UNPRICED
    assert attrs[sc.HP_COST_UNPRICED_REASON] == sc.UNPRICED_UNKNOWN_MODEL
    assert sc.HP_COST_AMOUNT not in attrs and sc.HP_COST_PRICE_SOURCE not in attrs
    step = _attrs(span_capture.only_span("ask"))
    assert step[sc.HP_STEP_COST_UNPRICED_CALLS] == 1
    assert step[sc.HP_STEP_COST_AMOUNT] == 0.0


def test_response_model_unknown_to_the_table_falls_back_to_the_request_model(span_capture: SpanCapture) -> None:
    assert_table("openai", "davinci-002", DAVINCI_002)
    calls = _replay_openai(span_capture, "test_completions__test_completion")
    reported = [body["model"] for _, body in calls]
    assert "davinci:2023-07-21-v2" in reported  # the name the API reported for a davinci-002 request
    for attrs, body in calls:
        usage = body["usage"]
        expected = usd(usage["prompt_tokens"], "2") + usd(usage["completion_tokens"], "2")
        _assert_amount(attrs, sc.HP_COST_AMOUNT, expected)
        assert attrs[sc.HP_COST_PRICE_MODEL] == "davinci-002"
        assert attrs[sc.GEN_AI_RESPONSE_MODEL] == body["model"]


def test_failed_call_without_usage_costs_nothing(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    path = cassette_path("openai", "test_vision__test_vision")
    with ReplayServer(path) as server, openai_client(server.base_url) as client:
        failed = [i for i in server.interactions if i.response.status >= 400]
        assert len(failed) == 1 and "usage" not in recorded_json(failed[0])
        for interaction in server.interactions:
            span_capture.clear()
            try:
                call_openai(client, interaction)
            except openai.BadRequestError:
                assert interaction is failed[0]
            attrs = _attrs(span_capture.only_span())
            if interaction is failed[0]:
                assert attrs[sc.HP_COST_STATUS] == sc.COST_NOT_BILLED
                assert attrs[sc.HP_COST_AMOUNT] == 0.0
                assert sc.HP_COST_PRICE_SOURCE not in attrs
            else:
                assert attrs[sc.HP_COST_STATUS] == sc.COST_PRICED


def test_stream_without_usage_is_unpriced_never_estimated(span_capture: SpanCapture) -> None:
    calls = []
    span_capture.instrument(OpenAIInstrumentor())
    path = cassette_path("openai", "test_chat__test_chat_streaming_partial_consumption")
    with ReplayServer(path) as server, openai_client(server.base_url) as client:
        interaction = server.interactions[0]
        assert not any(e.get("usage") for e in recorded_sse_events(interaction))
        with trace_step("stream"):
            call_openai(client, interaction)
        calls = span_capture.spans()
    attrs = _attrs(calls[0])
    assert attrs[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT
    assert attrs[sc.HP_COST_STATUS] == sc.COST_UNPRICED
    assert attrs[sc.HP_COST_UNPRICED_REASON] == sc.UNPRICED_USAGE_ABSENT
    assert sc.HP_COST_AMOUNT not in attrs
    assert _attrs(span_capture.only_span("stream"))[sc.HP_STEP_COST_UNPRICED_CALLS] == 1


def test_stream_with_usage_is_priced_once_from_its_final_counts(span_capture: SpanCapture) -> None:
    # Anthropic streams report input and cache counts in message_start and a cumulative output count in
    # message_delta: the cost uses the last output count, not the sum of both.
    assert_table("anthropic", "claude-3-5-sonnet-20240620", CLAUDE_35_SONNET)
    span_capture.instrument(AnthropicInstrumentor())
    path = cassette_path("anthropic", "test_prompt_caching__test_anthropic_prompt_caching_stream_legacy")
    with ReplayServer(path) as server, anthropic_client(server.base_url) as client, trace_step("two streams"):
        for interaction in server.interactions:
            call_anthropic(client, interaction)
    expected = []
    for interaction in server.interactions:
        events = recorded_sse_events(interaction)
        start = next(e["message"]["usage"] for e in events if e["type"] == "message_start")
        output = [e["usage"]["output_tokens"] for e in events if e["type"] == "message_delta"][-1]
        expected.append(usd(start["input_tokens"], "3") + usd(start["cache_creation_input_tokens"], "3.75")
                        + usd(start["cache_read_input_tokens"], "0.3") + usd(output, "15"))
    calls = [s for s in span_capture.spans() if s.name.startswith("chat")]
    assert len(calls) == 2
    for span, amount in zip(calls, expected, strict=True):
        assert _attrs(span)[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
        _assert_amount(_attrs(span), sc.HP_COST_AMOUNT, amount)
    step = _attrs(span_capture.only_span("two streams"))
    _assert_amount(step, sc.HP_STEP_COST_AMOUNT, sum(expected, Decimal(0)))
    assert sc.HP_STEP_COST_UNPRICED_CALLS not in step


def test_spend_counter_by_provider_and_model(span_capture: SpanCapture) -> None:
    calls = _replay_openai(span_capture, "test_chat__test_chat_reasoning")
    expected = sum((usd(b["usage"]["prompt_tokens"], "0.05") + usd(b["usage"]["completion_tokens"], "0.4")
                    for _, b in calls), Decimal(0))
    points = span_capture.metric_points(sc.METRIC_COST)
    assert len(points) == 1
    point = points[0]
    assert point.value == pytest.approx(float(expected), rel=1e-9)
    assert point.attributes[sc.GEN_AI_PROVIDER_NAME] == "openai"
    assert point.attributes[sc.GEN_AI_REQUEST_MODEL] == "gpt-5-nano"
    assert point.attributes[sc.GEN_AI_RESPONSE_MODEL] == calls[0][1]["model"]


def test_spend_counter_keeps_counting_after_instrumenting_again(span_capture: SpanCapture) -> None:
    path = cassette_path("openai", "test_chat__test_chat")
    with ReplayServer(path, repeat=True) as server, openai_client(server.base_url) as client:
        for _ in range(2):  # the second engine registers into the same meter as the first
            with span_capture.instrumented(OpenAIInstrumentor()):
                call_openai(client, server.interactions[0])
    usage = recorded_json(server.interactions[0])["usage"]
    one = usd(usage["prompt_tokens"], "0.5") + usd(usage["completion_tokens"], "1.5")
    [point] = span_capture.metric_points(sc.METRIC_COST)
    assert point.value == pytest.approx(float(2 * one), rel=1e-9)
