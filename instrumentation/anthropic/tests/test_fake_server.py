"""Cases no cassette covers, against a fake Anthropic server (a MockTransport) whose data gives the
expected values: cumulative message_delta usage, thinking and redacted thinking, server tools, content
policy for tool arguments, provider errors, and restoring the originals."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import anthropic._base_client
import pytest
from huggingplace_instrumentation_anthropic import AnthropicInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import SpanCapture, assert_no_secret_in_spans

# anthropic >= 2 speaks httpx2, older releases httpx: fake the server with whichever this release uses.
http: Any = getattr(anthropic._base_client, "httpx2", None) or anthropic._base_client.httpx

MODEL = "claude-sonnet-4-5"
ASK = {"model": MODEL, "max_tokens": 512, "messages": [{"role": "user", "content": "weather in Paris?"}]}

MESSAGE = {
    "id": "msg_fake_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
    "stop_reason": "tool_use", "stop_sequence": None,
    "content": [
        {"type": "thinking", "thinking": "The user wants weather.", "signature": "sig"},
        {"type": "redacted_thinking", "data": "ENCRYPTED-BLOB"},
        {"type": "text", "text": "Let me check."},
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "Paris"}},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "toolu_2", "name": "get_time", "input": {}},
    ],
    "usage": {"input_tokens": 30, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 7,
              "output_tokens": 45, "output_tokens_details": {"thinking_tokens": 12}},
}

STREAM_EVENTS: list[dict[str, Any]] = [
    {"type": "message_start", "message": {**MESSAGE, "content": [], "stop_reason": None,
                                          "usage": {"input_tokens": 30, "cache_read_input_tokens": 100,
                                                    "cache_creation_input_tokens": 7, "output_tokens": 1}}},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Hmm."}},
    {"type": "content_block_stop", "index": 0},
    {"type": "content_block_start", "index": 1, "content_block": {"type": "redacted_thinking", "data": "BLOB"}},
    {"type": "content_block_stop", "index": 1},
    {"type": "content_block_start", "index": 2,
     "content_block": {"type": "tool_use", "id": "toolu_9", "name": "get_weather", "input": {}}},
    {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "{\"city\": "}},
    {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "\"Paris\"}"}},
    {"type": "content_block_stop", "index": 2},
    # Newer API versions repeat (cumulative) input counts in message_delta; output is cumulative too.
    {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None},
     "usage": {"input_tokens": 31, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 7,
               "output_tokens": 60}},
    {"type": "message_stop"},
]


def _sse(events: list[dict[str, Any]]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


def _client(handler: Any) -> anthropic.Anthropic:
    http_client = http.Client(transport=http.MockTransport(handler))
    return anthropic.Anthropic(api_key="sk-ant-secret-key", base_url="https://fake.anthropic.test",
                               http_client=http_client, max_retries=0)


def _json_reply(body: Any, status: int = 200) -> Any:
    return lambda request: http.Response(status, json=body)


def _sse_reply(request: Any) -> Any:
    return http.Response(200, headers={"content-type": "text/event-stream"}, content=_sse(STREAM_EVENTS))


def _span(capture: SpanCapture) -> dict[str, Any]:
    [span] = capture.spans()
    return dict(span.attributes or {})


def test_usage_counts_every_input_token_and_reasoning(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor())
    result = _client(_json_reply(MESSAGE)).messages.create(**ASK)
    assert type(result) is anthropic.types.Message
    usage = MESSAGE["usage"]
    attributes = _span(span_capture)
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == (
        usage["input_tokens"] + usage["cache_read_input_tokens"] + usage["cache_creation_input_tokens"])
    assert attributes[sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] == usage["cache_read_input_tokens"]
    assert attributes[sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] == usage["cache_creation_input_tokens"]
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == usage["output_tokens"]
    assert attributes[sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] == usage["output_tokens_details"]["thinking_tokens"]
    assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [MESSAGE["stop_reason"]]
    assert attributes[sc.SERVER_ADDRESS] == "fake.anthropic.test"
    assert attributes[sc.SERVER_PORT] == 443


def test_without_content_capture_tool_ids_and_names_stay_but_nothing_else(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor(), capture_content=False)
    _client(_json_reply(MESSAGE)).messages.create(**ASK)
    attributes = _span(span_capture)
    tool_blocks = [b for b in MESSAGE["content"] if b["type"] in ("tool_use", "server_tool_use")]
    assert list(attributes[sc.HP_TOOL_CALL_IDS]) == [b["id"] for b in tool_blocks]
    assert list(attributes[sc.HP_TOOL_CALL_NAMES]) == [b["name"] for b in tool_blocks]
    assert_no_secret_in_spans(span_capture.spans(), [
        "Paris", "The user wants weather", "ENCRYPTED-BLOB", "Let me check", "sk-ant-secret-key"])


def test_with_content_capture_reasoning_text_and_tool_arguments_are_recorded(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor(), capture_content=True)
    _client(_json_reply(MESSAGE)).messages.create(**ASK, system="Be brief.", tools=[
        {"name": "get_weather", "description": "Weather", "input_schema": {"type": "object"}}])
    attributes = _span(span_capture)
    [output] = json.loads(attributes[sc.GEN_AI_OUTPUT_MESSAGES])
    assert output["parts"][0] == {"type": "reasoning", "content": MESSAGE["content"][0]["thinking"]}
    assert output["parts"][1] == {"type": "text", "content": MESSAGE["content"][2]["text"]}
    calls = [(p["id"], p["name"], p["arguments"]) for p in output["parts"] if p["type"] == "tool_call"]
    assert calls == [(b["id"], b["name"], b["input"]) for b in MESSAGE["content"] if b["type"].endswith("tool_use")]
    # The redacted payload is encrypted: it never reaches the span.
    assert "ENCRYPTED-BLOB" not in attributes[sc.GEN_AI_OUTPUT_MESSAGES]
    assert json.loads(attributes[sc.GEN_AI_SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "Be brief."}]
    assert json.loads(attributes[sc.GEN_AI_TOOL_DEFINITIONS]) == [
        {"type": "function", "name": "get_weather", "description": "Weather", "parameters": {"type": "object"}}]


def test_streamed_usage_is_overwritten_by_cumulative_message_delta(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor(), capture_content=True)
    events = list(_client(_sse_reply).messages.create(**ASK, stream=True))
    assert len(events) == len(STREAM_EVENTS)
    final = STREAM_EVENTS[-2]["usage"]
    attributes = _span(span_capture)
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == final["output_tokens"]  # not 1 + 60
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == (
        final["input_tokens"] + final["cache_read_input_tokens"] + final["cache_creation_input_tokens"])
    assert attributes[sc.HP_STREAM_CHUNKS] == len(STREAM_EVENTS)
    [output] = json.loads(attributes[sc.GEN_AI_OUTPUT_MESSAGES])
    assert output["parts"][0] == {"type": "reasoning", "content": "Hmm."}
    assert output["parts"][-1] == {"type": "tool_call", "id": "toolu_9", "name": "get_weather",
                                   "arguments": {"city": "Paris"}}
    assert output["finish_reason"] == "tool_use"


def test_provider_error_passes_unchanged_and_marks_the_span(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor())
    error = {"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens too large"}}
    with pytest.raises(anthropic.BadRequestError) as raised:
        _client(_json_reply(error, status=400)).messages.create(**ASK)
    assert raised.value.body == error
    [span] = span_capture.spans()
    assert span.attributes is not None
    assert span.attributes[sc.ERROR_TYPE] == "anthropic.BadRequestError"
    assert span.status.status_code.name == "ERROR"
    assert_no_secret_in_spans([span], ["sk-ant-secret-key"])


def test_uninstrument_restores_the_original_methods() -> None:
    from anthropic.lib.streaming import AsyncMessageStreamManager, MessageStreamManager
    from anthropic.resources import AsyncMessages, Messages
    from anthropic.resources.beta.messages import Messages as BetaMessages

    owners = [(Messages, "create"), (AsyncMessages, "create"), (BetaMessages, "create"),
              (MessageStreamManager, "__enter__"), (AsyncMessageStreamManager, "__aenter__")]
    originals = [vars(owner)[name] for owner, name in owners]
    instrumentor = AnthropicInstrumentor()
    instrumentor.instrument()
    try:
        assert all(vars(owner)[name] is not original for (owner, name), original in zip(owners, originals,
                                                                                          strict=True))
    finally:
        instrumentor.uninstrument()
    assert all(vars(owner)[name] is original for (owner, name), original in zip(owners, originals, strict=True))


def test_one_shot_iterables_reach_the_sdk_untouched_under_content_capture(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor(), capture_content=True)
    sent: list[Any] = []

    def handler(request: Any) -> Any:
        sent.append(json.loads(request.content))
        return http.Response(200, json=MESSAGE)

    messages = iter([{"role": "user", "content": "weather in Paris?"}])
    _client(handler).messages.create(model=MODEL, max_tokens=64, messages=messages,
                                     tools=iter([{"name": "get_weather", "input_schema": {"type": "object"}}]))
    assert sent[0]["messages"] == [{"role": "user", "content": "weather in Paris?"}]
    assert [t["name"] for t in sent[0]["tools"]] == ["get_weather"]
    assert sc.GEN_AI_INPUT_MESSAGES not in _span(span_capture)  # not readable without consuming it


def test_parse_and_beta_create_are_traced_with_their_result_types(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor())
    client = _client(_json_reply(MESSAGE))
    if hasattr(client.messages, "parse"):
        parsed = client.messages.parse(**ASK)
        assert type(parsed).__name__.startswith("ParsedMessage")  # ParsedMessage[T], as the SDK builds it
    beta = client.beta.messages.create(**ASK)
    assert type(beta).__name__ == "BetaMessage"
    spans = span_capture.spans()
    assert len(spans) == (2 if hasattr(client.messages, "parse") else 1)
    for span in spans:
        assert span.name == f"chat {MODEL}"
        assert (span.attributes or {})[sc.GEN_AI_RESPONSE_ID] == MESSAGE["id"]


def test_a_failing_codec_never_breaks_the_call(span_capture: SpanCapture, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingplace_instrumentation_anthropic._messages import MessagesCodec

    from huggingplace_sdk.engine import internal_error_counts, tolerate_internal_errors

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("codec bug")

    monkeypatch.setattr(MessagesCodec, "read_response", broken)
    monkeypatch.setattr(MessagesCodec, "read_chunk", broken)
    span_capture.instrument(AnthropicInstrumentor())
    before = sum(internal_error_counts().values())
    with tolerate_internal_errors():
        result = _client(_json_reply(MESSAGE)).messages.create(**ASK)
        events = list(_client(_sse_reply).messages.create(**ASK, stream=True))
    assert type(result) is anthropic.types.Message and result.id == MESSAGE["id"]
    assert len(events) == len(STREAM_EVENTS)
    assert sum(internal_error_counts().values()) > before
    assert len(span_capture.spans()) == 2  # both spans still ended
