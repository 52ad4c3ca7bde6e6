"""The malformed responses issue 10 found, one by one, with expected values read from the recordings:
a raw response whose ``parse()`` raises, a lone surrogate in the output text, a non-string model, absurd
token counts."""

from __future__ import annotations

import asyncio
import json

import openai
import pytest
from huggingplace_instrumentation_openai import OpenAIInstrumentor
from opentelemetry.trace import StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk._engine.values import rejected_value_counts
from huggingplace_sdk.engine import error_type_of
from huggingplace_sdk.testing import (
    INVALID_JSON,
    LONE_HIGH_SURROGATE,
    LONE_SURROGATE,
    WRONG_TYPE,
    Interaction,
    Mutation,
    ReplayServer,
    SpanCapture,
    cassette_path,
    load_cassette,
    recorded_json,
    recorded_sse_events,
)

from ._drive import async_client, sync_client

CHAT = cassette_path("openai", "test_chat__test_chat")
CHAT_STREAM = cassette_path("openai", "test_chat__test_chat_streaming_not_consumed")
MESSAGES = [{"role": "user", "content": "Tell me a joke about opentelemetry"}]


def _mutated(mutation: Mutation, cassette: object = CHAT) -> tuple[Interaction, Interaction]:
    recorded = load_cassette(cassette)[mutation.interaction]  # type: ignore[arg-type]
    return recorded, mutation.apply(recorded)


def test_raw_response_whose_parse_raises_ends_its_span_at_once(span_capture: SpanCapture) -> None:
    _, broken = _mutated(Mutation(INVALID_JSON, 0, invalid_text='{"id": "chatcmpl-'))
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT, interactions=[broken]) as server, sync_client(server.base_url) as client:
        raw = client.chat.completions.with_raw_response.create(model="gpt-3.5-turbo", messages=MESSAGES)
        with pytest.raises(json.JSONDecodeError) as raised:
            raw.parse()
        span = span_capture.only_span()  # ended by the failed parse(), not by the garbage collector
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})[sc.ERROR_TYPE] == error_type_of(raised.value) == "json.decoder.JSONDecodeError"
    assert sc.GEN_AI_RESPONSE_ID not in (span.attributes or {})
    assert [event.name for event in span.events] == ["exception"]


def test_async_raw_response_whose_parse_raises_ends_its_span_at_once(span_capture: SpanCapture) -> None:
    _, broken = _mutated(Mutation(INVALID_JSON, 0, invalid_text="<html>502</html>"))
    span_capture.instrument(OpenAIInstrumentor())

    async def call() -> None:
        async with async_client(server.base_url) as client:
            raw = await client.chat.completions.with_raw_response.create(model="gpt-3.5-turbo", messages=MESSAGES)
            with pytest.raises(json.JSONDecodeError):
                await raw.parse()
            assert len(span_capture.spans()) == 1

    with ReplayServer(CHAT, interactions=[broken]) as server:
        asyncio.run(call())
    span = span_capture.only_span()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})[sc.ERROR_TYPE] == "json.decoder.JSONDecodeError"


def test_lone_surrogate_in_output_text_costs_no_other_attribute(span_capture: SpanCapture) -> None:
    recorded, broken = _mutated(
        Mutation(LONE_SURROGATE, 0, path=("choices", 0, "message", "content"), value="Why " + LONE_HIGH_SURROGATE))
    expected = recorded_json(recorded)
    span_capture.instrument(OpenAIInstrumentor(), capture_content=True)
    with ReplayServer(CHAT, interactions=[broken]) as server, sync_client(server.base_url) as client:
        completion = client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
    assert completion.choices[0].message.content == "Why " + LONE_HIGH_SURROGATE  # the caller's, untouched
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.GEN_AI_RESPONSE_ID] == expected["id"]
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == expected["model"]
    assert list(attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [expected["choices"][0]["finish_reason"]]
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == expected["usage"]["prompt_tokens"]
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == expected["usage"]["completion_tokens"]
    output = json.loads(str(attrs[sc.GEN_AI_OUTPUT_MESSAGES]))
    assert output[0]["parts"] == [{"type": "text", "content": "Why \ufffd"}]
    str(attrs[sc.GEN_AI_OUTPUT_MESSAGES]).encode("utf-8")  # encodable: exporters can send it


def test_emoji_split_across_stream_chunks_is_repaired(span_capture: SpanCapture) -> None:
    recorded = load_cassette(CHAT_STREAM)[0]
    events = recorded_sse_events(recorded)
    first_text = events[1]["choices"][0]["delta"]["content"]
    mutation = Mutation(LONE_SURROGATE, 0, event=1, path=("choices", 0, "delta", "content"),
                        value=first_text + LONE_HIGH_SURROGATE)
    span_capture.instrument(OpenAIInstrumentor(), capture_content=True)
    with ReplayServer(CHAT_STREAM, interactions=[mutation.apply(recorded)]) as server, \
            sync_client(server.base_url) as client:
        chunks = list(client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True))
    assert len(chunks) == len(events)
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.GEN_AI_RESPONSE_ID] == events[0]["id"]
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == events[-1]["model"]
    assert list(attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [events[-1]["choices"][0]["finish_reason"]]
    assert attrs[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
    text = json.loads(str(attrs[sc.GEN_AI_OUTPUT_MESSAGES]))[0]["parts"][0]["content"]
    recorded_text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events)
    assert text == recorded_text.replace(first_text, first_text + "\ufffd", 1)


def test_non_string_model_is_dropped_counted_and_metrics_are_kept(span_capture: SpanCapture) -> None:
    recorded, broken = _mutated(Mutation(WRONG_TYPE, 0, path=("model",), value={"name": "gpt"}))
    expected = recorded_json(recorded)
    before = rejected_value_counts().get(sc.GEN_AI_RESPONSE_MODEL, 0)
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT, interactions=[broken]) as server, sync_client(server.base_url) as client:
        completion = client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
    assert completion.model == {"name": "gpt"}  # the caller's object, as the client built it
    attrs = span_capture.only_span().attributes or {}
    assert sc.GEN_AI_RESPONSE_MODEL not in attrs
    assert attrs[sc.GEN_AI_RESPONSE_ID] == expected["id"]
    assert list(attrs[sc.HP_REJECTED_FIELDS]) == [sc.GEN_AI_RESPONSE_MODEL]
    assert rejected_value_counts()[sc.GEN_AI_RESPONSE_MODEL] == before + 1
    durations = span_capture.metric_points(sc.METRIC_OPERATION_DURATION)
    assert [point.count for point in durations] == [1]
    assert sc.GEN_AI_RESPONSE_MODEL not in durations[0].attributes
    tokens = span_capture.metric_points(sc.METRIC_TOKEN_USAGE)
    assert sorted(point.sum for point in tokens) == sorted(
        [expected["usage"]["prompt_tokens"], expected["usage"]["completion_tokens"]])


@pytest.mark.parametrize("absurd", [-1, 2**63, 2**64])
def test_absurd_token_counts_are_not_recorded(absurd: int, span_capture: SpanCapture) -> None:
    recorded, broken = _mutated(Mutation(WRONG_TYPE, 0, path=("usage", "prompt_tokens"), value=absurd))
    expected = recorded_json(recorded)
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT, interactions=[broken]) as server, sync_client(server.base_url) as client:
        completion = client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
    assert completion.usage is not None and completion.usage.prompt_tokens == absurd
    attrs = span_capture.only_span().attributes or {}
    assert sc.GEN_AI_USAGE_INPUT_TOKENS not in attrs
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == expected["usage"]["completion_tokens"]
    assert list(attrs[sc.HP_REJECTED_FIELDS]) == [sc.GEN_AI_USAGE_INPUT_TOKENS]
    tokens = span_capture.metric_points(sc.METRIC_TOKEN_USAGE)
    assert [point.sum for point in tokens] == [expected["usage"]["completion_tokens"]]


def test_the_largest_int64_token_count_is_recorded(span_capture: SpanCapture) -> None:
    _, broken = _mutated(Mutation(WRONG_TYPE, 0, path=("usage", "prompt_tokens"), value=2**63 - 1))
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT, interactions=[broken]) as server, sync_client(server.base_url) as client:
        client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
    assert (span_capture.only_span().attributes or {})[sc.GEN_AI_USAGE_INPUT_TOKENS] == 2**63 - 1


def test_openai_error_type_is_the_clients_exception() -> None:
    assert error_type_of(openai.APIConnectionError(request=None)) == "openai.APIConnectionError"  # type: ignore[arg-type]
