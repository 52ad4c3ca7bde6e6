"""Codecs on their own: fed recorded responses as plain dicts (what ``parse(to=dict)`` gives) and chunks."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
from huggingplace_instrumentation_openai._chat import ChatCodec
from huggingplace_instrumentation_openai._content import chat_messages, response_input_messages, tool_definitions
from huggingplace_instrumentation_openai._embeddings import EmbeddingsCodec
from huggingplace_instrumentation_openai._fields import server_of
from huggingplace_instrumentation_openai._responses import ResponsesCodec

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, responses_finish_reason
from huggingplace_sdk.testing import cassette_path, load_cassette, recorded_json, recorded_sse_events

from ._fake_recorder import FakeRecorder


def _first(name: str) -> Any:
    return load_cassette(cassette_path("openai", name))[0]


def _call(kwargs: dict[str, Any], **options: Any) -> Call:
    client = openai.OpenAI(api_key="sk-unused", base_url="https://example.test/v1")
    return Call(client.chat.completions, (), kwargs, {"capture_content": True, **options})


def test_chat_response_from_dict_with_parallel_tool_calls() -> None:
    body = recorded_json(_first("test_functions__test_open_ai_function_calls_tools_parallel"))
    recorder = FakeRecorder()
    ChatCodec().read_response(body, recorder)
    assert recorder.response == {"id": body["id"], "model": body["model"]}
    assert recorder.finish == {c["index"]: c["finish_reason"] for c in body["choices"]}
    calls = body["choices"][0]["message"]["tool_calls"]
    assert [(c["id"], c["name"], c["arguments"]) for c in recorder.tool_calls.values()] == [
        (c["id"], c["function"]["name"], c["function"]["arguments"]) for c in calls
    ]
    assert recorder.usage["input_tokens"] == body["usage"]["prompt_tokens"]
    assert recorder.usage["output_tokens"] == body["usage"]["completion_tokens"]


def test_chat_chunks_assemble_streamed_tool_call_arguments() -> None:
    events = recorded_sse_events(_first("test_functions__test_open_ai_function_calls_tools_streaming_parallel"))
    recorder = FakeRecorder()
    codec = ChatCodec()
    for event in events:
        codec.read_chunk(event, recorder)
    expected: dict[int, str] = {}
    for event in events:
        for choice in event["choices"]:
            for call in choice["delta"].get("tool_calls") or []:
                expected[call["index"]] = expected.get(call["index"], "") + call["function"].get("arguments", "")
    assert {i: c["arguments"] for (_, i), c in recorder.tool_calls.items()} == expected
    assert all(json.loads(arguments) for arguments in expected.values())
    assert list(recorder.finish.values()) == [
        c["finish_reason"] for e in events for c in e["choices"] if c.get("finish_reason")
    ]


def test_streamed_finish_reasons_kept_per_choice_index() -> None:
    chunks = [
        {"id": "c1", "model": "m", "choices": [{"index": 1, "delta": {"content": "b"}, "finish_reason": None}]},
        {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": "stop"}]},
        {"id": "c1", "model": "m", "choices": [{"index": 1, "delta": {}, "finish_reason": "length"}]},
    ]
    recorder = FakeRecorder()
    for chunk in chunks:
        ChatCodec().read_chunk(chunk, recorder)
    assert recorder.finish == {0: "stop", 1: "length"}
    assert recorder.text == {(1, "text"): "b", (0, "text"): "a"}


def test_usage_only_chunk_is_the_injected_one() -> None:
    codec = ChatCodec()
    usage_chunk = openai.types.chat.ChatCompletionChunk.model_validate(
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "m",
            "choices": [],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        }
    )
    content_chunk = usage_chunk.model_copy(update={"usage": None})
    assert codec.is_injected_chunk(usage_chunk)
    assert not codec.is_injected_chunk(content_chunk)


def test_not_given_sentinels_are_absent_and_stream_usage_injected() -> None:
    kwargs = {
        "model": "gpt-4o",
        "messages": [],
        "stream": True,
        "temperature": openai.NOT_GIVEN,
        "stream_options": openai.NOT_GIVEN,
        "max_tokens": openai.NOT_GIVEN,
    }
    call = _call(kwargs, stream_usage=True)
    request = ChatCodec().read_request(call)
    assert sc.GEN_AI_REQUEST_TEMPERATURE not in request.attributes
    assert sc.GEN_AI_REQUEST_MAX_TOKENS not in request.attributes
    assert request.usage_injected
    assert call.kwargs["stream_options"] == {"include_usage": True}
    assert (request.server_address, request.server_port) == ("example.test", 443)


def test_stream_usage_never_touches_a_plain_call() -> None:
    call = _call({"model": "gpt-4o", "messages": []}, stream_usage=True)
    request = ChatCodec().read_request(call)
    assert not request.usage_injected
    assert "stream_options" not in call.kwargs


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"status": "completed", "output": [{"type": "message"}]}, "stop"),
        ({"status": "completed", "output": [{"type": "message"}, {"type": "function_call"}]}, "tool_calls"),
        ({"status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}}, "max_output_tokens"),
        ({"status": "incomplete", "incomplete_details": None}, "incomplete"),
        ({"status": "failed"}, "error"),
        ({"status": "cancelled"}, "cancelled"),
        ({"status": "in_progress"}, None),
        ({"status": "queued"}, None),
    ],
)
def test_responses_status_to_finish_reason(body: dict[str, Any], expected: str | None) -> None:
    assert responses_finish_reason(body) == expected


def test_responses_streamed_function_call_events() -> None:
    events = [
        {"type": "response.created", "response": {"id": "resp_1", "model": "gpt-4.1-nano"}},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"type": "function_call", "call_id": "call_1", "name": "get_weather"},
        },
        {"type": "response.function_call_arguments.delta", "output_index": 0, "delta": '{"location":'},
        {"type": "response.function_call_arguments.delta", "output_index": 0, "delta": '"London"}'},
        {
            "type": "response.completed",
            "response": {
                "id": "resp_1",
                "model": "gpt-4.1-nano-2025-04-14",
                "status": "completed",
                "output": [{"type": "function_call", "call_id": "call_1", "name": "get_weather"}],
                "usage": {
                    "input_tokens": 5,
                    "output_tokens": 7,
                    "input_tokens_details": {"cached_tokens": 2},
                    "output_tokens_details": {"reasoning_tokens": 1},
                },
            },
        },
    ]
    recorder = FakeRecorder()
    for event in events:
        ResponsesCodec().read_chunk(event, recorder)
    assert recorder.tool_calls == {
        (0, 0): {"id": "call_1", "name": "get_weather", "arguments": '{"location":"London"}'}
    }
    assert recorder.finish == {0: "tool_calls"}
    assert recorder.response == {"id": "resp_1", "model": "gpt-4.1-nano-2025-04-14"}
    assert recorder.usage == {
        "input_tokens": 5,
        "output_tokens": 7,
        "cache_read_input_tokens": 2,
        "reasoning_output_tokens": 1,
    }


def test_responses_reasoning_recording() -> None:
    body = recorded_json(_first("test_responses__test_responses_reasoning"))
    recorder = FakeRecorder()
    ResponsesCodec().read_response(body, recorder)
    usage = body["usage"]
    assert recorder.usage["reasoning_output_tokens"] == usage["output_tokens_details"]["reasoning_tokens"]
    text = "".join(
        part["text"]
        for item in body["output"]
        if item["type"] == "message"
        for part in item["content"]
        if part["type"] == "output_text"
    )
    assert recorder.text[(0, "text")] == text


def test_embeddings_from_dict() -> None:
    recorder = FakeRecorder()
    EmbeddingsCodec().read_response(
        {
            "model": "text-embedding-3-small",
            "data": [{"embedding": [0.1, 0.2, 0.3]}],
            "usage": {"prompt_tokens": 4, "total_tokens": 4},
        },
        recorder,
    )
    assert recorder.attributes[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] == 3
    assert recorder.usage == {"input_tokens": 4}


def test_chat_messages_in_genai_shape() -> None:
    messages = chat_messages(
        [
            {"role": "system", "content": "be brief"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this?"},
                    {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "look", "arguments": '{"q": 1}'}}
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "a cat"},
        ]
    )
    assert messages == [
        {"role": "system", "parts": [{"type": "text", "content": "be brief"}]},
        {
            "role": "user",
            "parts": [
                {"type": "text", "content": "what is this?"},
                {"type": "uri", "modality": "image", "uri": "https://x.test/a.png"},
            ],
        },
        {"role": "assistant", "parts": [{"type": "tool_call", "id": "call_1", "name": "look", "arguments": {"q": 1}}]},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "response": "a cat"}]},
    ]


def test_responses_input_items_in_genai_shape() -> None:
    messages = response_input_messages(
        [
            {"role": "user", "content": "weather?"},
            {"type": "function_call", "call_id": "call_9", "name": "weather", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_9", "output": "sunny"},
        ]
    )
    assert messages == [
        {"role": "user", "parts": [{"type": "text", "content": "weather?"}]},
        {"role": "assistant", "parts": [{"type": "tool_call", "id": "call_9", "name": "weather", "arguments": {}}]},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_9", "response": "sunny"}]},
    ]


def test_tool_definitions_flattened() -> None:
    chat_tool = {"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object"}}}
    responses_tool = {"type": "function", "name": "g", "parameters": {}}
    assert tool_definitions([chat_tool, responses_tool, {"type": "web_search"}]) == [
        {"type": "function", "name": "f", "description": "d", "parameters": {"type": "object"}},
        {"type": "function", "name": "g", "parameters": {}},
        {"type": "web_search"},
    ]


def test_server_of_explicit_and_default_ports() -> None:
    class Resource:
        def __init__(self, url: str) -> None:
            self._client = type("Client", (), {"base_url": httpx.URL(url)})()

    assert server_of(Resource("http://localhost:8080/v1")) == ("localhost", 8080)
    assert server_of(Resource("http://proxy.internal/v1")) == ("proxy.internal", 80)
    assert server_of(object()) == (None, None)


def test_a_generator_returned_for_a_stream_is_observed(span_capture: Any) -> None:
    """A client whose create() yields plain chunks (a fake, a patched SDK) still gets one observed stream."""
    from huggingplace_instrumentation_openai import OpenAIInstrumentor

    events = recorded_sse_events(_first("test_chat__test_chat_streaming_not_consumed"))
    chunks = [openai.types.chat.ChatCompletionChunk.model_validate(e) for e in events]

    class FakeCompletions(openai.resources.chat.completions.Completions):
        def __init__(self) -> None:
            self._client = type("Client", (), {"base_url": httpx.URL("http://fake.test:1234/v1")})()

    def fake_post(*args: Any, **kwargs: Any) -> Any:
        return (chunk for chunk in chunks)

    span_capture.instrument(OpenAIInstrumentor())
    completions = FakeCompletions()
    completions._post = fake_post  # type: ignore[method-assign]
    result = completions.create(model="gpt-3.5-turbo", messages=[], stream=True)
    assert type(result).__name__ == "generator"
    assert list(result) == chunks
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
    assert attrs[sc.GEN_AI_RESPONSE_ID] == events[0]["id"]
    assert attrs[sc.SERVER_PORT] == 1234
