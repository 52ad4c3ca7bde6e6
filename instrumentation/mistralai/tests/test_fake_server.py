"""Cases no Mistral cassette covers, against a fake server (httpx2.MockTransport) whose data gives the
expected values: tool calls (whole and streamed), thinking chunks, request parameters, provider errors,
content policy, and restoring the originals."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from huggingplace_instrumentation_mistralai import MistralAIInstrumentor
from mistralai.client import Mistral, errors

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import SpanCapture, assert_no_secret_in_spans

MODEL = "mistral-large-latest"
MESSAGES = [
    {"role": "user", "content": "weather in Paris?"},
    {"role": "assistant", "content": "", "tool_calls": [
        {"id": "call_0", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "call_0", "name": "get_time", "content": "12:00"},
]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
                                           "parameters": {"type": "object"}}}]

RESPONSE = {
    "id": "cmpl_fake", "object": "chat.completion", "created": 1, "model": "mistral-large-2411",
    "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant",
        "content": [{"type": "thinking", "thinking": [{"type": "text", "text": "Need weather."}]},
                    {"type": "text", "text": "Checking."}],
        "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
            {"id": "call_2", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Lyon"}}},
        ]}}],
    "usage": {"prompt_tokens": 40, "completion_tokens": 22, "total_tokens": 62},
}

CHUNKS: list[dict[str, Any]] = [
    {"id": "cmpl_s", "model": "mistral-large-2411", "choices": [
        {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]},
    {"id": "cmpl_s", "model": "mistral-large-2411", "choices": [
        {"index": 0, "delta": {"content": "", "tool_calls": [
            {"id": "call_a", "index": 0, "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
            {"id": "call_b", "index": 1, "function": {"name": "get_time", "arguments": "{}"}}]},
         "finish_reason": "tool_calls"}],
     "usage": {"prompt_tokens": 40, "completion_tokens": 30, "total_tokens": 70}},
]


def _client(handler: Any) -> Mistral:
    return Mistral(api_key="mistral-secret-key", server_url="https://fake.mistral.test",
                   client=httpx2.Client(transport=httpx2.MockTransport(handler)))


def _json_reply(body: Any, status: int = 200) -> Any:
    return lambda request: httpx2.Response(status, json=body)


def _sse_reply(request: httpx2.Request) -> httpx2.Response:
    body = b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in CHUNKS) + b"data: [DONE]\n\n"
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)


def _span(capture: SpanCapture) -> dict[str, Any]:
    [span] = capture.spans()
    return dict(span.attributes or {})


def test_tool_calls_reasoning_and_request_parameters(span_capture: SpanCapture) -> None:
    span_capture.instrument(MistralAIInstrumentor(), capture_content=True)
    _client(_json_reply(RESPONSE)).chat.complete(
        model=MODEL, messages=MESSAGES, tools=TOOLS, temperature=0.2, top_p=0.9, max_tokens=64, random_seed=7,
        stop=["END"], response_format={"type": "json_object"})
    attributes = _span(span_capture)
    assert attributes[sc.GEN_AI_REQUEST_TEMPERATURE] == 0.2
    assert attributes[sc.GEN_AI_REQUEST_TOP_P] == 0.9
    assert attributes[sc.GEN_AI_REQUEST_MAX_TOKENS] == 64
    assert attributes[sc.GEN_AI_REQUEST_SEED] == 7
    assert list(attributes[sc.GEN_AI_REQUEST_STOP_SEQUENCES]) == ["END"]
    assert attributes[sc.GEN_AI_OUTPUT_TYPE] == "json"
    assert attributes[sc.SERVER_ADDRESS] == "fake.mistral.test"
    assert attributes[sc.SERVER_PORT] == 443
    calls = RESPONSE["choices"][0]["message"]["tool_calls"]
    assert list(attributes[sc.HP_TOOL_CALL_IDS]) == [c["id"] for c in calls]
    [output] = json.loads(attributes[sc.GEN_AI_OUTPUT_MESSAGES])
    assert output["parts"][0] == {"type": "reasoning", "content": "Need weather."}
    assert output["parts"][1] == {"type": "text", "content": "Checking."}
    assert [(p["id"], p["arguments"]) for p in output["parts"][2:]] == [
        ("call_1", {"city": "Paris"}), ("call_2", {"city": "Lyon"})]
    inputs = json.loads(attributes[sc.GEN_AI_INPUT_MESSAGES])
    assert inputs[1]["parts"] == [{"type": "tool_call", "id": "call_0", "name": "get_time", "arguments": "{}"}]
    assert inputs[2] == {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_0",
                                                    "response": "12:00"}]}
    assert json.loads(attributes[sc.GEN_AI_TOOL_DEFINITIONS]) == [
        {"type": "function", "name": "get_weather", "description": "Weather", "parameters": {"type": "object"}}]


def test_streamed_tool_calls_keep_ids_and_names_without_content(span_capture: SpanCapture) -> None:
    span_capture.instrument(MistralAIInstrumentor(), capture_content=False)
    assert len(list(_client(_sse_reply).chat.stream(model=MODEL, messages=MESSAGES))) == len(CHUNKS)
    attributes = _span(span_capture)
    streamed = CHUNKS[1]["choices"][0]["delta"]["tool_calls"]
    assert list(attributes[sc.HP_TOOL_CALL_IDS]) == [c["id"] for c in streamed]
    assert list(attributes[sc.HP_TOOL_CALL_NAMES]) == [c["function"]["name"] for c in streamed]
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == CHUNKS[1]["usage"]["completion_tokens"]
    assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == ["tool_calls"]
    assert_no_secret_in_spans(span_capture.spans(), ["Paris", "weather in Paris", "12:00", "mistral-secret-key"])


def test_provider_error_passes_unchanged_and_marks_the_span(span_capture: SpanCapture) -> None:
    span_capture.instrument(MistralAIInstrumentor())
    with pytest.raises(errors.SDKError) as raised:
        _client(_json_reply({"message": "Unauthorized"}, status=401)).chat.complete(model=MODEL, messages=MESSAGES)
    [span] = span_capture.spans()
    assert span.attributes is not None
    expected = f"{type(raised.value).__module__}.{type(raised.value).__qualname__}"
    assert span.attributes[sc.ERROR_TYPE] == expected
    assert span.status.status_code.name == "ERROR"
    assert_no_secret_in_spans([span], ["mistral-secret-key"])


def test_uninstrument_restores_the_original_methods() -> None:
    from mistralai.client.chat import Chat
    from mistralai.client.embeddings import Embeddings

    names = [(Chat, "complete"), (Chat, "complete_async"), (Chat, "stream"), (Chat, "stream_async"),
             (Embeddings, "create"), (Embeddings, "create_async")]
    originals = [vars(owner)[name] for owner, name in names]
    instrumentor = MistralAIInstrumentor()
    instrumentor.instrument()
    try:
        assert all(vars(o)[n] is not f for (o, n), f in zip(names, originals, strict=True))
    finally:
        instrumentor.uninstrument()
    assert all(vars(o)[n] is f for (o, n), f in zip(names, originals, strict=True))


def test_one_shot_iterables_reach_the_sdk_untouched_under_content_capture(span_capture: SpanCapture) -> None:
    span_capture.instrument(MistralAIInstrumentor(), capture_content=True)
    sent: list[Any] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(json.loads(request.content))
        return httpx2.Response(200, json=RESPONSE)

    _client(handler).chat.complete(model=MODEL, messages=iter([{"role": "user", "content": "hi"}]))
    assert sent[0]["messages"] == [{"role": "user", "content": "hi"}]
    assert sc.GEN_AI_INPUT_MESSAGES not in _span(span_capture)  # not readable without consuming it


def test_a_stream_without_usage_says_absent_and_invents_nothing(span_capture: SpanCapture) -> None:
    span_capture.instrument(MistralAIInstrumentor())
    chunks = [{**CHUNKS[0]}, {k: v for k, v in CHUNKS[1].items() if k != "usage"}]

    def reply(request: httpx2.Request) -> httpx2.Response:
        body = b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    assert len(list(_client(reply).chat.stream(model=MODEL, messages=MESSAGES))) == len(chunks)
    attributes = _span(span_capture)
    assert attributes[sc.HP_USAGE_SOURCE] == "absent"
    assert sc.GEN_AI_USAGE_INPUT_TOKENS not in attributes
    assert sc.GEN_AI_USAGE_OUTPUT_TOKENS not in attributes


def test_a_failing_codec_never_breaks_the_call(span_capture: SpanCapture, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingplace_instrumentation_mistralai._chat import ChatCodec

    from huggingplace_sdk.engine import internal_error_counts, tolerate_internal_errors

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("codec bug")

    monkeypatch.setattr(ChatCodec, "read_response", broken)
    monkeypatch.setattr(ChatCodec, "read_chunk", broken)
    span_capture.instrument(MistralAIInstrumentor())
    before = sum(internal_error_counts().values())
    with tolerate_internal_errors():
        result = _client(_json_reply(RESPONSE)).chat.complete(model=MODEL, messages=MESSAGES)
        chunks = list(_client(_sse_reply).chat.stream(model=MODEL, messages=MESSAGES))
    assert result.id == RESPONSE["id"]
    assert len(chunks) == len(CHUNKS)
    assert sum(internal_error_counts().values()) > before
    assert len(span_capture.spans()) == 2
