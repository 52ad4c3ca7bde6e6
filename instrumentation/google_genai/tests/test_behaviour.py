"""What the replay of each recording does not show on its own: chats and automatic function calling give one
span per request, session()/trace_step() nesting and token roll-up, suppression, errors passing unchanged,
result types, safety blocks, and credentials never recorded. Cases no recording covers are served by the local
replay server from a small cassette written here, whose data gives the expected values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from google import genai
from google.genai import errors, types
from huggingplace_instrumentation_google_genai import GoogleGenAIInstrumentor
from opentelemetry import context as otel_context

import huggingplace_sdk as hp
from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    ReplayServer,
    SpanCapture,
    assert_no_secret_in_spans,
    cassette_path,
    load_cassette,
)

from ._drive import (
    API_KEY,
    VERTEX_TOKEN,
    client_for,
    generate_kwargs,
    keep_alive,
    recorded_payloads,
    recorded_usage,
)

CHAT_WITH_TOOL = cassette_path("google-genai", "test_instrumentation__test_chat_session_with_tool")
STREAM = cassette_path("google-genai", "test_instrumentation__test_streaming_text_content")
AFC = cassette_path("google-genai", "test_instrumentation__test_generate_content_with_automatic_tool_calling")
VERTEX = cassette_path("google-genai",
                       "generate_content__test_non_streaming[logcontent-gemini-2.5-flash-vertexaiapi-sync-default]")


def _usage_of(path: Path, index: int = 0) -> tuple[int, int]:
    usage = recorded_usage(recorded_payloads(load_cassette(path)[index]))
    assert usage is not None
    return (usage.get("promptTokenCount", 0) + usage.get("toolUsePromptTokenCount", 0),
            usage.get("candidatesTokenCount", 0) + usage.get("thoughtsTokenCount", 0))


def _tokens(span: Any) -> tuple[Any, Any]:
    attrs = span.attributes or {}
    return attrs.get(sc.GEN_AI_USAGE_INPUT_TOKENS), attrs.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS)


# --- chats: they call models.generate_content / generate_content_stream: one span per message ---------
def _chat_args(path: Path) -> tuple[Any, dict[str, Any], list[Any]]:
    interaction = load_cassette(path)[0]
    kwargs = generate_kwargs(interaction)
    *history, last = kwargs["contents"]
    message = [types.Part.model_validate(part) for part in last["parts"]]
    return interaction, {"model": kwargs["model"], "config": kwargs.get("config"), "history": history}, message


def test_chat_send_message_gives_one_span(span_capture: SpanCapture) -> None:
    interaction, create, message = _chat_args(CHAT_WITH_TOOL)
    span_capture.instrument(GoogleGenAIInstrumentor())
    with ReplayServer(CHAT_WITH_TOOL) as server:
        chat = client_for(interaction, server.base_url).chats.create(**create)
        reply = chat.send_message(message)
    span = span_capture.only_span()
    assert type(reply) is types.GenerateContentResponse
    assert _tokens(span) == _usage_of(CHAT_WITH_TOOL)


async def test_async_chat_send_message_gives_one_span(span_capture: SpanCapture) -> None:
    interaction, create, message = _chat_args(CHAT_WITH_TOOL)
    span_capture.instrument(GoogleGenAIInstrumentor())
    with ReplayServer(CHAT_WITH_TOOL) as server:
        chat = client_for(interaction, server.base_url).aio.chats.create(**create)
        await chat.send_message(message)
    assert _tokens(span_capture.only_span()) == _usage_of(CHAT_WITH_TOOL)


def test_chat_send_message_stream_gives_one_span(span_capture: SpanCapture) -> None:
    interaction, create, message = _chat_args(STREAM)
    span_capture.instrument(GoogleGenAIInstrumentor())
    with ReplayServer(STREAM) as server:
        chat = client_for(interaction, server.base_url).chats.create(**create)
        chunks = list(chat.send_message_stream(message))
    span = span_capture.only_span()
    assert (span.attributes or {})[sc.HP_STREAM_CHUNKS] == len(chunks) == len(recorded_payloads(interaction))
    assert _tokens(span) == _usage_of(STREAM)


async def test_async_chat_send_message_stream_gives_one_span(span_capture: SpanCapture) -> None:
    interaction, create, message = _chat_args(STREAM)
    span_capture.instrument(GoogleGenAIInstrumentor())
    with ReplayServer(STREAM) as server:
        chat = client_for(interaction, server.base_url).aio.chats.create(**create)
        chunks = [chunk async for chunk in await chat.send_message_stream(message)]
    span = span_capture.only_span()
    assert (span.attributes or {})[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
    assert (span.attributes or {})[sc.HP_STREAM_CHUNKS] == len(chunks)
    assert _tokens(span) == _usage_of(STREAM)


# --- automatic function calling: one user call, two requests, two spans with their own usage ------------
def test_automatic_function_calling_gives_one_span_per_request(span_capture: SpanCapture) -> None:
    first, second = load_cassette(AFC)
    kwargs = generate_kwargs(first)
    [declaration] = kwargs["config"]["tools"][0]["functionDeclarations"]
    called: list[dict[str, Any]] = []

    def tool(**arguments: Any) -> str:
        called.append(arguments)
        return "sunny, 21 degrees"

    tool.__name__ = declaration["name"]
    kwargs["config"] = {**kwargs["config"], "tools": [tool]}
    span_capture.instrument(GoogleGenAIInstrumentor())
    with ReplayServer(AFC) as server:
        client_for(first, server.base_url).models.generate_content(**kwargs)
        assert server.unused() == []
    assert len(called) == 1
    spans = span_capture.spans()
    assert [_tokens(s) for s in spans] == [_usage_of(AFC, 0), _usage_of(AFC, 1)]
    first_calls = [p["functionCall"]["name"] for p in recorded_payloads(first)[0]["candidates"][0]["content"]["parts"]
                   if "functionCall" in p]
    assert list((spans[0].attributes or {})[sc.HP_TOOL_CALL_NAMES]) == first_calls
    assert sc.HP_TOOL_CALL_NAMES not in (spans[1].attributes or {})
    assert len(recorded_payloads(second)) == 1


# --- session(), trace_step(), suppression, entry point ---------------------------------------------------
def test_session_and_step_nesting_with_token_roll_up(span_capture: SpanCapture) -> None:
    [interaction] = load_cassette(VERTEX)
    span_capture.instrument(GoogleGenAIInstrumentor())
    with ReplayServer(VERTEX) as server, hp.session("s-1", user_id="u-1"), hp.trace_step("answer", type="agent"):
        client_for(interaction, server.base_url).models.generate_content(**generate_kwargs(interaction))
    call = span_capture.only_span(f"generate_content {generate_kwargs(interaction)['model']}")
    step = span_capture.only_span("answer")
    assert call.parent is not None and call.parent.span_id == step.context.span_id
    assert (call.attributes or {})[sc.SESSION_ID] == "s-1"
    assert (call.attributes or {})[sc.USER_ID] == "u-1"
    usage = recorded_usage(recorded_payloads(interaction))
    assert usage is not None
    step_attrs = step.attributes or {}
    assert (step_attrs[sc.HP_STEP_USAGE_INPUT], step_attrs[sc.HP_STEP_USAGE_OUTPUT]) == _usage_of(VERTEX)
    assert step_attrs[sc.HP_STEP_USAGE_REASONING] == usage["thoughtsTokenCount"]
    assert step_attrs[sc.HP_STEP_LLM_CALLS] == 1


def test_suppressed_instrumentation_records_nothing(span_capture: SpanCapture) -> None:
    [interaction] = load_cassette(VERTEX)
    span_capture.instrument(GoogleGenAIInstrumentor())
    token = otel_context.attach(otel_context.set_value(otel_context._SUPPRESS_INSTRUMENTATION_KEY, True))
    try:
        with ReplayServer(VERTEX) as server:
            reply = client_for(interaction, server.base_url).models.generate_content(**generate_kwargs(interaction))
    finally:
        otel_context.detach(token)
    assert reply.response_id == recorded_payloads(interaction)[0]["responseId"]
    assert span_capture.spans() == []


def test_instrument_by_name_through_the_entry_point(span_capture: SpanCapture) -> None:
    [interaction] = load_cassette(VERTEX)
    with span_capture.instrumented_by_name("google_genai"), ReplayServer(VERTEX) as server:
        client_for(interaction, server.base_url).models.generate_content(**generate_kwargs(interaction))
    assert (span_capture.only_span().attributes or {})[sc.GEN_AI_PROVIDER_NAME] == "gcp.vertex_ai"


# --- errors, result types, safety, credentials (small cassettes written here) ----------------------------
def _write_cassette(tmp_path: Path, uri: str, body: Any, *, status: int = 200, stream: bool = False) -> Path:
    if stream:
        text = "".join(f"data: {json.dumps(event)}\r\n\r\n" for event in body)
        headers = {"Content-Type": ["text/event-stream"]}
    else:
        text = json.dumps(body)
        headers = {"Content-Type": ["application/json"]}
    path = tmp_path / "synthetic.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "interactions": [{
        "request": {"method": "POST", "uri": uri, "body": "", "headers": {}},
        "response": {"status": {"code": status, "message": "X"}, "headers": headers, "body": {"string": text}},
    }]}))
    return path


GEMINI_URI = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
GEMINI_STREAM_URI = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
BLOCKED = {
    "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": [
        {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}]},
    "usageMetadata": {"promptTokenCount": 12, "totalTokenCount": 12},
    "modelVersion": "gemini-2.5-flash", "responseId": "blocked-1",
}
SAFETY_STOP = {
    "candidates": [
        {"index": 0, "finishReason": "SAFETY", "safetyRatings": [
            {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}]},
        {"index": 1, "content": {"role": "model", "parts": [{"text": "fine"}]}, "finishReason": "STOP"},
    ],
    "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 1, "totalTokenCount": 6},
    "modelVersion": "gemini-2.5-flash-001", "responseId": "two-candidates",
}
STREAMED_CALLS = [
    {"candidates": [{"content": {"role": "model", "parts": [
        {"thought": True, "text": "Two cities."}]}}], "responseId": "r-s", "modelVersion": "gemini-2.5-flash"},
    {"candidates": [{"content": {"role": "model", "parts": [
        {"functionCall": {"id": "fc-1", "name": "get_weather", "args": {"city": "Paris"}}}]}}],
     "responseId": "r-s", "modelVersion": "gemini-2.5-flash"},
    {"candidates": [{"content": {"role": "model", "parts": [
        {"functionCall": {"id": "fc-2", "name": "get_time", "args": {"city": "Lyon"}}}]}, "finishReason": "STOP"}],
     "usageMetadata": {"promptTokenCount": 20, "candidatesTokenCount": 10, "thoughtsTokenCount": 4,
                       "cachedContentTokenCount": 8, "totalTokenCount": 34},
     "responseId": "r-s", "modelVersion": "gemini-2.5-flash"},
]


def _gemini(server: ReplayServer, **options: Any) -> Any:
    return keep_alive(genai.Client(api_key=API_KEY, http_options=types.HttpOptions(
        base_url=server.base_url, api_version="v1beta", **options)))


def test_blocked_prompt_records_the_block_reason(span_capture: SpanCapture, tmp_path: Path) -> None:
    span_capture.instrument(GoogleGenAIInstrumentor())
    with ReplayServer(_write_cassette(tmp_path, GEMINI_URI, BLOCKED)) as server:
        reply = _gemini(server).models.generate_content(model="gemini-2.5-flash", contents="something bad")
    assert reply.candidates is None
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.HP_PROMPT_BLOCK_REASON] == BLOCKED["promptFeedback"]["blockReason"]
    assert sc.GEN_AI_RESPONSE_FINISH_REASONS not in attrs
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == 12


def test_one_finish_reason_per_candidate_and_safety_blocks(span_capture: SpanCapture, tmp_path: Path) -> None:
    span_capture.instrument(GoogleGenAIInstrumentor(), capture_content=True)
    with ReplayServer(_write_cassette(tmp_path, GEMINI_URI, SAFETY_STOP)) as server:
        _gemini(server).models.generate_content(model="gemini-2.5-flash", contents="hi",
                                                config={"candidate_count": 2, "temperature": 0.5})
    attrs = span_capture.only_span().attributes or {}
    assert list(attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == ["SAFETY", "STOP"]
    assert list(attrs[sc.HP_SAFETY_BLOCKED_CATEGORIES]) == ["HARM_CATEGORY_HARASSMENT"]
    assert attrs[sc.GEN_AI_REQUEST_CHOICE_COUNT] == 2
    assert attrs[sc.GEN_AI_REQUEST_TEMPERATURE] == 0.5
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == "gemini-2.5-flash-001"  # as the provider named it
    assert attrs[sc.GEN_AI_REQUEST_MODEL] == "gemini-2.5-flash"
    messages = json.loads(str(attrs[sc.GEN_AI_OUTPUT_MESSAGES]))
    # The blocked candidate has no content, so no output message; the other keeps its own finish reason.
    assert [(m["parts"], m["finish_reason"]) for m in messages] == [([{"type": "text", "content": "fine"}], "STOP")]


@pytest.mark.parametrize("content", [False, True])
def test_streamed_function_calls_each_kept_with_ids(span_capture: SpanCapture, tmp_path: Path,
                                                    content: bool) -> None:
    span_capture.instrument(GoogleGenAIInstrumentor(), capture_content=content)
    with ReplayServer(_write_cassette(tmp_path, GEMINI_STREAM_URI, STREAMED_CALLS, stream=True)) as server:
        chunks = list(_gemini(server).models.generate_content_stream(model="gemini-2.5-flash", contents="hi"))
    assert len(chunks) == len(STREAMED_CALLS)
    attrs = span_capture.only_span().attributes or {}
    assert list(attrs[sc.HP_TOOL_CALL_IDS]) == ["fc-1", "fc-2"]
    assert list(attrs[sc.HP_TOOL_CALL_NAMES]) == ["get_weather", "get_time"]
    usage = STREAMED_CALLS[-1]["usageMetadata"]
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    assert attrs[sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] == usage["thoughtsTokenCount"]
    assert attrs[sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] == usage["cachedContentTokenCount"]
    if not content:
        assert sc.GEN_AI_OUTPUT_MESSAGES not in attrs and "Paris" not in str(attrs)
        return
    [message] = json.loads(str(attrs[sc.GEN_AI_OUTPUT_MESSAGES]))
    assert [p["type"] for p in message["parts"]] == ["reasoning", "tool_call", "tool_call"]
    assert [p.get("arguments") for p in message["parts"][1:]] == [{"city": "Paris"}, {"city": "Lyon"}]


def test_provider_error_passes_unchanged_and_marks_the_span(span_capture: SpanCapture, tmp_path: Path) -> None:
    error = {"error": {"code": 400, "message": "API key not valid.", "status": "INVALID_ARGUMENT"}}
    span_capture.instrument(GoogleGenAIInstrumentor())
    with ReplayServer(_write_cassette(tmp_path, GEMINI_URI, error, status=400)) as server, \
            pytest.raises(errors.ClientError) as raised:
        _gemini(server).models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert type(raised.value) is errors.ClientError
    span = span_capture.only_span()
    assert (span.attributes or {})[sc.ERROR_TYPE].endswith("ClientError")
    assert (span.attributes or {})[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT


def test_api_key_never_recorded_as_header_or_query(span_capture: SpanCapture, tmp_path: Path) -> None:
    [interaction] = load_cassette(VERTEX)
    span_capture.instrument(GoogleGenAIInstrumentor(), capture_content=True)
    with ReplayServer(_write_cassette(tmp_path, GEMINI_URI, SAFETY_STOP)) as server:
        _gemini(server).models.generate_content(model="gemini-2.5-flash", contents="hi")  # x-goog-api-key
        assert server.requests[-1].headers["x-goog-api-key"] == API_KEY
        # The key as a ?key= query parameter: the server echoes the unmatched query in its error.
        with pytest.raises(errors.ServerError) as raised:
            _gemini(server, client_args={"params": {"key": API_KEY}}).models.generate_content(
                model="gemini-2.5-flash", contents="hi")
        assert API_KEY in str(raised.value)
    with ReplayServer(VERTEX) as server:  # Vertex: a bearer token
        client_for(interaction, server.base_url).models.generate_content(**generate_kwargs(interaction))
        assert server.requests[-1].headers["authorization"] == f"Bearer {VERTEX_TOKEN}"
    assert assert_no_secret_in_spans(span_capture.spans(), [API_KEY, VERTEX_TOKEN]) == 3


def test_a_failing_codec_never_breaks_the_call(span_capture: SpanCapture, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingplace_instrumentation_google_genai._codecs import GenerateContentCodec

    from huggingplace_sdk.engine import internal_error_counts, tolerate_internal_errors

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("codec bug")

    monkeypatch.setattr(GenerateContentCodec, "read_response", broken)
    monkeypatch.setattr(GenerateContentCodec, "read_chunk", broken)
    span_capture.instrument(GoogleGenAIInstrumentor())
    [whole] = load_cassette(VERTEX)
    [streamed] = load_cassette(STREAM)
    before = sum(internal_error_counts().values())
    with tolerate_internal_errors():
        with ReplayServer(VERTEX) as server:
            reply = client_for(whole, server.base_url).models.generate_content(**generate_kwargs(whole))
        with ReplayServer(STREAM) as server:
            client = client_for(streamed, server.base_url)
            chunks = list(client.models.generate_content_stream(**generate_kwargs(streamed)))
    assert reply.response_id == recorded_payloads(whole)[0]["responseId"]
    assert len(chunks) == len(recorded_payloads(streamed))
    assert sum(internal_error_counts().values()) > before
    assert len(span_capture.spans()) == 2


VERTEX_EMBED_URI = ("https://test-location-aiplatform.googleapis.com/v1beta1/projects/test-project/locations/"
                    "test-location/publishers/google/models/text-embedding-004:predict")
VERTEX_EMBEDDINGS = {"predictions": [
    {"embeddings": {"values": [0.1, 0.2, 0.3], "statistics": {"token_count": 4, "truncated": False}}},
    {"embeddings": {"values": [0.4, 0.5, 0.6], "statistics": {"token_count": 7, "truncated": False}}},
], "metadata": {"billableCharacterCount": 20}}


def test_vertex_embeddings_sum_the_token_count_of_each_text(span_capture: SpanCapture, tmp_path: Path) -> None:
    [interaction] = load_cassette(VERTEX)
    span_capture.instrument(GoogleGenAIInstrumentor())
    with ReplayServer(_write_cassette(tmp_path, VERTEX_EMBED_URI, VERTEX_EMBEDDINGS)) as server:
        reply = client_for(interaction, server.base_url).models.embed_content(
            model="text-embedding-004", contents=["first text", "second text"])
    assert reply.embeddings is not None and len(reply.embeddings) == 2
    span = span_capture.only_span()
    attrs = span.attributes or {}
    assert span.name == "embeddings text-embedding-004"
    assert attrs[sc.GEN_AI_PROVIDER_NAME] == "gcp.vertex_ai"
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == sum(
        p["embeddings"]["statistics"]["token_count"] for p in VERTEX_EMBEDDINGS["predictions"])
    first = VERTEX_EMBEDDINGS["predictions"][0]["embeddings"]
    assert attrs[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] == len(first["values"])
