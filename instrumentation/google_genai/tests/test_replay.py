"""Every recorded google-genai interaction (Gemini API and Vertex AI) replayed through the real client, sync and
async, content capture off and on; expected values read from the recorded responses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.genai import types
from huggingplace_instrumentation_google_genai import GoogleGenAIInstrumentor
from opentelemetry.sdk.trace import ReadableSpan

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import Interaction, ReplayServer, SpanCapture, cassette_paths, load_cassette

from ._drive import (
    call_async,
    call_sync,
    cassette_name,
    client_for,
    is_vertex,
    last_with,
    model_of,
    operation_of,
    recorded_finish_reasons,
    recorded_function_calls,
    recorded_payloads,
    recorded_text,
    recorded_usage,
    unsupported_config,
)

TRACED_OPERATIONS = ("generateContent", "streamGenerateContent", "batchEmbedContents")
# Recordings of calls this adapter does not trace, by the operation in their path, and why.
NOT_TRACED = {
    "cachedContents": "caches.create stores a context cache: it generates nothing and reports no usage",
    "interactions": "the Interactions API (client.interactions, agents) is a separate surface, not yet traced",
}
ALL = cassette_paths("google-genai")


def _operations(path: Path) -> set[str]:
    return {operation_of(interaction) for interaction in load_cassette(path)}


REPLAYED = [path for path in ALL if _operations(path) <= set(TRACED_OPERATIONS)]


def test_every_cassette_is_replayed_or_named_with_a_reason() -> None:
    left_out = [path for path in ALL if path not in REPLAYED]
    for path in left_out:
        operations = _operations(path)
        assert operations <= set(NOT_TRACED), f"{path.name} is neither replayed nor named: {operations}"
    assert len(REPLAYED) + len(left_out) == len(ALL)
    if "thinking_level" in types.ThinkingConfig.model_fields:  # a release that can send every recorded request
        assert [path.name for path in REPLAYED if any(map(unsupported_config, load_cassette(path)))] == []
    assert len(REPLAYED) >= 30  # the recordings of models.* calls, both backends
    assert any(is_vertex(i) for path in REPLAYED for i in load_cassette(path))
    assert any(not is_vertex(i) for path in REPLAYED for i in load_cassette(path))


def _skip_if_unsendable(server: ReplayServer) -> None:
    # Only older google-genai releases (the oldest-supported run) lack config fields that recordings use.
    reasons = [reason for interaction in server.interactions if (reason := unsupported_config(interaction))]
    if reasons:
        pytest.skip(reasons[0])


def _client_spans(capture: SpanCapture) -> list[ReadableSpan]:
    return [span for span in capture.spans() if span.kind.name == "CLIENT"]


def _check_generation(span: ReadableSpan, interaction: Interaction, port: int, *, capture: bool) -> None:
    attrs = dict(span.attributes or {})
    payloads = recorded_payloads(interaction)
    model = model_of(interaction)
    assert span.name == f"generate_content {model}"
    assert attrs[sc.GEN_AI_OPERATION_NAME] == "generate_content"
    assert attrs[sc.GEN_AI_PROVIDER_NAME] == ("gcp.vertex_ai" if is_vertex(interaction) else "gcp.gemini")
    assert attrs[sc.GEN_AI_REQUEST_MODEL] == model
    assert (attrs[sc.SERVER_ADDRESS], attrs[sc.SERVER_PORT]) == ("127.0.0.1", port)
    assert attrs.get(sc.GEN_AI_RESPONSE_ID) == last_with(payloads, "responseId")
    assert attrs.get(sc.GEN_AI_RESPONSE_MODEL) == last_with(payloads, "modelVersion")
    assert list(attrs.get(sc.GEN_AI_RESPONSE_FINISH_REASONS, ())) == recorded_finish_reasons(payloads)
    streamed = operation_of(interaction) == "streamGenerateContent"
    assert attrs[sc.GEN_AI_REQUEST_STREAM] is streamed
    if streamed:
        assert attrs[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
        assert attrs[sc.HP_STREAM_CHUNKS] == len(payloads)
    _check_usage(attrs, recorded_usage(payloads))
    calls = recorded_function_calls(payloads)
    assert list(attrs.get(sc.HP_TOOL_CALL_NAMES, ())) == [call["name"] for call in calls]
    assert list(attrs.get(sc.HP_TOOL_CALL_IDS, ())) == [call["id"] for call in calls if call.get("id")]
    _check_content(attrs, payloads, capture=capture)


def _check_usage(attrs: dict[str, Any], usage: dict[str, int] | None) -> None:
    if usage is None:  # nothing reported: nothing invented
        assert attrs[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT
        assert sc.GEN_AI_USAGE_INPUT_TOKENS not in attrs and sc.GEN_AI_USAGE_OUTPUT_TOKENS not in attrs
        return
    assert attrs[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_PROVIDER
    expected_input = usage.get("promptTokenCount", 0) + usage.get("toolUsePromptTokenCount", 0)
    expected_output = usage.get("candidatesTokenCount", 0) + usage.get("thoughtsTokenCount", 0)
    assert attrs.get(sc.GEN_AI_USAGE_INPUT_TOKENS, 0) == expected_input
    assert attrs.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS, 0) == expected_output
    if "totalTokenCount" in usage:  # counted once each: input and output add up to the provider's own total
        assert expected_input + expected_output == usage["totalTokenCount"]
    assert attrs.get(sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS) == usage.get("thoughtsTokenCount")
    assert attrs.get(sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS) == usage.get("cachedContentTokenCount")


def _check_content(attrs: dict[str, Any], payloads: list[dict[str, Any]], *, capture: bool) -> None:
    text = recorded_text(payloads, thought=False)
    if not capture:
        for key in (sc.GEN_AI_INPUT_MESSAGES, sc.GEN_AI_OUTPUT_MESSAGES, sc.GEN_AI_SYSTEM_INSTRUCTIONS,
                    sc.GEN_AI_TOOL_DEFINITIONS):
            assert key not in attrs
        if text.strip():
            assert all(text not in str(value) for value in attrs.values())
        return
    assert json.loads(attrs[sc.GEN_AI_INPUT_MESSAGES])
    if not text and not recorded_function_calls(payloads):
        return
    [message] = json.loads(attrs[sc.GEN_AI_OUTPUT_MESSAGES])
    assert message["role"] == "model"
    texts = "".join(p["content"] for p in message["parts"] if p["type"] == "text")
    assert texts == text
    thoughts = "".join(p["content"] for p in message["parts"] if p["type"] == "reasoning")
    assert thoughts == recorded_text(payloads, thought=True)
    calls = [p for p in message["parts"] if p["type"] == "tool_call"]
    assert [(c["name"], c["arguments"]) for c in calls] == [
        (call["name"], call.get("args")) for call in recorded_function_calls(payloads)]


def _check_embeddings(span: ReadableSpan, interaction: Interaction, port: int) -> None:
    attrs = dict(span.attributes or {})
    [payload] = recorded_payloads(interaction)
    model = model_of(interaction)
    assert span.name == f"embeddings {model}"
    assert attrs[sc.GEN_AI_PROVIDER_NAME] == ("gcp.vertex_ai" if is_vertex(interaction) else "gcp.gemini")
    assert (attrs[sc.SERVER_ADDRESS], attrs[sc.SERVER_PORT]) == ("127.0.0.1", port)
    assert attrs[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] == len(payload["embeddings"][0]["values"])
    # The Gemini API reports no usage for embeddings.
    assert attrs[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT
    assert sc.GEN_AI_USAGE_INPUT_TOKENS not in attrs


def _check_all(capture: SpanCapture, server: ReplayServer, *, content: bool) -> None:
    assert server.unused() == [], "a recorded interaction was not replayed"
    assert all(request.matched is not None for request in server.requests)
    spans = _client_spans(capture)
    assert len(spans) == len(server.interactions), [s.name for s in spans]
    port = int(server.base_url.rsplit(":", 1)[1])
    for span, interaction in zip(spans, server.interactions, strict=True):
        if operation_of(interaction) == "batchEmbedContents":
            _check_embeddings(span, interaction, port)
        else:
            _check_generation(span, interaction, port, capture=content)


@pytest.mark.parametrize("content", [False, True], ids=["content-off", "content-on"])
@pytest.mark.parametrize("path", REPLAYED, ids=cassette_name)
def test_replay_sync(path: Path, content: bool, span_capture: SpanCapture) -> None:
    span_capture.instrument(GoogleGenAIInstrumentor(), capture_content=content)
    with ReplayServer(path) as server:
        _skip_if_unsendable(server)
        for interaction in server.interactions:
            call_sync(client_for(interaction, server.base_url), interaction)
        _check_all(span_capture, server, content=content)


@pytest.mark.parametrize("content", [False, True], ids=["content-off", "content-on"])
@pytest.mark.parametrize("path", REPLAYED, ids=cassette_name)
async def test_replay_async(path: Path, content: bool, span_capture: SpanCapture) -> None:
    span_capture.instrument(GoogleGenAIInstrumentor(), capture_content=content)
    with ReplayServer(path) as server:
        _skip_if_unsendable(server)
        for interaction in server.interactions:
            await call_async(client_for(interaction, server.base_url), interaction)
        _check_all(span_capture, server, content=content)
