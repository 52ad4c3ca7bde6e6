"""Every recorded Groq cassette, replayed through the real groq client (sync and async) into our spans.

Expected values are read from the recorded responses, never from our code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import groq
import pytest
from huggingplace_instrumentation_groq import GroqInstrumentor
from opentelemetry.trace import SpanKind, StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    Interaction,
    ReplayServer,
    SpanCapture,
    assert_no_secret_in_spans,
    cassette_paths,
    recorded_json,
    recorded_request_json,
    recorded_sse_events,
)

CASSETTES = cassette_paths("groq")
API_KEY = "gsk-replay-secret-7d1e"


def test_every_groq_cassette_is_replayed() -> None:
    # All of them are chat completions, which this adapter traces: none is left out.
    assert len(CASSETTES) == 3
    assert all(p.name.startswith("test_chat_tracing__") for p in CASSETTES)


async def _call(base_url: str, interaction: Interaction, use_async: bool) -> Any:
    body = recorded_request_json(interaction)
    kwargs = {"model": body["model"], "messages": body["messages"], "stream": bool(body.get("stream"))}
    if use_async:
        client: Any = groq.AsyncGroq(api_key=API_KEY, base_url=base_url, max_retries=0)
        result = await client.chat.completions.create(**kwargs)
        return [chunk async for chunk in result] if kwargs["stream"] else result
    result = groq.Groq(api_key=API_KEY, base_url=base_url, max_retries=0).chat.completions.create(**kwargs)
    return list(result) if kwargs["stream"] else result


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("capture_content", [True, False], ids=["content", "no_content"])
async def test_cassette_replays_into_spans_with_recorded_values(
    path: Path, use_async: bool, capture_content: bool, span_capture: SpanCapture
) -> None:
    span_capture.instrument(GroqInstrumentor(), capture_content=capture_content)
    with ReplayServer(path) as server:
        results = [await _call(server.base_url, interaction, use_async) for interaction in server.interactions]
        assert not server.unused()
        port = int(server.base_url.rsplit(":", 1)[1].split("/")[0])
    spans = span_capture.spans()
    assert len(spans) == len(server.interactions)
    assert_no_secret_in_spans(spans, [API_KEY])
    for span, interaction, result in zip(spans, server.interactions, results, strict=True):
        attributes = dict(span.attributes or {})
        body = recorded_request_json(interaction)
        assert span.kind is SpanKind.CLIENT
        assert span.status.status_code is not StatusCode.ERROR
        assert span.name == f"chat {body['model']}"
        assert attributes[sc.GEN_AI_OPERATION_NAME] == "chat"
        assert attributes[sc.GEN_AI_PROVIDER_NAME] == "groq"
        assert attributes[sc.GEN_AI_REQUEST_MODEL] == body["model"]
        assert attributes[sc.GEN_AI_REQUEST_STREAM] is bool(body.get("stream"))
        assert attributes[sc.SERVER_ADDRESS] == "127.0.0.1"
        assert attributes[sc.SERVER_PORT] == port
        assert attributes[sc.HP_USAGE_SOURCE] == "provider"
        assert not any(key.startswith("openai.") for key in attributes)  # openai's extras are openai's only
        if body.get("stream"):
            _assert_stream(attributes, interaction, result, capture_content)
        else:
            _assert_complete(attributes, interaction, capture_content)


def _assert_complete(attributes: dict[str, Any], interaction: Interaction, content: bool) -> None:
    recorded = recorded_json(interaction)
    assert attributes[sc.GEN_AI_RESPONSE_ID] == recorded["id"]
    assert attributes[sc.GEN_AI_RESPONSE_MODEL] == recorded["model"]
    assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [c["finish_reason"] for c in recorded["choices"]]
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == recorded["usage"]["prompt_tokens"]
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == recorded["usage"]["completion_tokens"]
    _assert_content(attributes, interaction, recorded["choices"][0]["message"]["content"], content)


def _assert_stream(attributes: dict[str, Any], interaction: Interaction, chunks: list[Any], content: bool) -> None:
    events = [e for e in recorded_sse_events(interaction) if isinstance(e, dict)]
    usages = [e["x_groq"]["usage"] for e in events if (e.get("x_groq") or {}).get("usage")]
    assert len(usages) == 1  # Groq reports a stream's usage once, on its last chunk, under x_groq
    assert attributes[sc.GEN_AI_RESPONSE_ID] == events[0]["id"]
    assert attributes[sc.GEN_AI_RESPONSE_MODEL] == events[0]["model"]
    reasons = [c["finish_reason"] for e in events for c in e["choices"] if c.get("finish_reason")]
    assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == reasons
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == usages[0]["prompt_tokens"]
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == usages[0]["completion_tokens"]  # once, not per chunk
    assert attributes[sc.HP_STREAM_OUTCOME] == "completed"
    assert attributes[sc.HP_STREAM_CHUNKS] == len(events) == len(chunks)
    text = "".join(c["delta"].get("content") or "" for e in events for c in e["choices"])
    _assert_content(attributes, interaction, text, content)


def _assert_content(attributes: dict[str, Any], interaction: Interaction, text: str, content: bool) -> None:
    if not content:
        assert sc.GEN_AI_INPUT_MESSAGES not in attributes
        assert sc.GEN_AI_OUTPUT_MESSAGES not in attributes
        return
    sent = recorded_request_json(interaction)["messages"]
    inputs = json.loads(attributes[sc.GEN_AI_INPUT_MESSAGES])
    assert inputs == [{"role": m["role"], "parts": [{"type": "text", "content": m["content"]}]} for m in sent]
    [output] = json.loads(attributes[sc.GEN_AI_OUTPUT_MESSAGES])
    assert output["role"] == "assistant"
    assert output["parts"] == [{"type": "text", "content": text}]
