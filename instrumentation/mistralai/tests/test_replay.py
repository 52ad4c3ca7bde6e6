"""Every recorded Mistral cassette, replayed through the real client (sync and async) into our spans.

Expected values are read from the recorded responses, never from our code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from huggingplace_instrumentation_mistralai import MistralAIInstrumentor
from mistralai.client import Mistral

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

CASSETTES = cassette_paths("mistralai")
API_KEY = "mistral-replay-secret-52c1"
SCOPE = "huggingplace_instrumentation_mistralai"


def _ours(capture: SpanCapture) -> list[Any]:
    # Only this adapter's spans are checked (the SDK traces some of its APIs itself).
    return [s for s in capture.spans() if s.instrumentation_scope.name == SCOPE]


async def _call(client: Any, interaction: Interaction, use_async: bool) -> Any:
    body = recorded_request_json(interaction)
    if interaction.request.path.endswith("/embeddings"):
        kwargs = {"model": body["model"], "inputs": body["input"]}
        return await client.embeddings.create_async(**kwargs) if use_async else client.embeddings.create(**kwargs)
    kwargs = {"model": body["model"], "messages": body["messages"]}
    if not body.get("stream"):
        return await client.chat.complete_async(**kwargs) if use_async else client.chat.complete(**kwargs)
    if use_async:
        stream = await client.chat.stream_async(**kwargs)
        return [event async for event in stream]
    return list(client.chat.stream(**kwargs))


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("capture_content", [True, False], ids=["content", "no_content"])
async def test_cassette_replays_into_spans_with_recorded_values(
    path: Path, use_async: bool, capture_content: bool, span_capture: SpanCapture
) -> None:
    span_capture.instrument(MistralAIInstrumentor(), capture_content=capture_content)
    with ReplayServer(path) as server:
        client = Mistral(api_key=API_KEY, server_url=server.base_url)
        results = [await _call(client, interaction, use_async) for interaction in server.interactions]
        assert not server.unused()
    spans = _ours(span_capture)
    assert len(spans) == len(server.interactions)
    assert_no_secret_in_spans(span_capture.spans(), [API_KEY])
    for span, interaction, result in zip(spans, server.interactions, results, strict=True):
        attributes = dict(span.attributes or {})
        body = recorded_request_json(interaction)
        assert attributes[sc.GEN_AI_PROVIDER_NAME] == "mistral_ai"
        assert attributes[sc.GEN_AI_REQUEST_MODEL] == body["model"]
        assert attributes[sc.SERVER_ADDRESS] == "127.0.0.1"
        assert attributes[sc.HP_USAGE_SOURCE] == "provider"
        if interaction.request.path.endswith("/embeddings"):
            _assert_embeddings(span, attributes, interaction, body)
        elif body.get("stream"):
            _assert_stream(span, attributes, interaction, result, capture_content)
        else:
            _assert_complete(span, attributes, interaction, capture_content)


def _assert_embeddings(span: Any, attributes: dict[str, Any], interaction: Interaction, body: Any) -> None:
    recorded = recorded_json(interaction)
    assert span.name == f"embeddings {body['model']}"
    assert attributes[sc.GEN_AI_OPERATION_NAME] == "embeddings"
    assert attributes[sc.GEN_AI_RESPONSE_MODEL] == recorded["model"]
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == recorded["usage"]["prompt_tokens"]
    assert attributes[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] == len(recorded["data"][0]["embedding"])
    assert sc.GEN_AI_REQUEST_STREAM not in attributes


def _assert_complete(span: Any, attributes: dict[str, Any], interaction: Interaction, content: bool) -> None:
    recorded = recorded_json(interaction)
    usage = recorded["usage"]
    assert span.name == f"chat {recorded_request_json(interaction)['model']}"
    assert attributes[sc.GEN_AI_OPERATION_NAME] == "chat"
    assert attributes[sc.GEN_AI_REQUEST_STREAM] is False
    assert attributes[sc.GEN_AI_RESPONSE_ID] == recorded["id"]
    assert attributes[sc.GEN_AI_RESPONSE_MODEL] == recorded["model"]
    assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [c["finish_reason"] for c in recorded["choices"]]
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == usage["prompt_tokens"]
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == usage["completion_tokens"]
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
    assert attributes.get(sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS) == cached
    _assert_content(attributes, interaction, recorded["choices"][0]["message"]["content"], content)


def _assert_stream(span: Any, attributes: dict[str, Any], interaction: Interaction, events: list[Any],
                   content: bool) -> None:
    recorded = recorded_sse_events(interaction)
    final = recorded[-1]
    assert attributes[sc.GEN_AI_REQUEST_STREAM] is True
    assert attributes[sc.GEN_AI_RESPONSE_ID] == final["id"]
    assert attributes[sc.GEN_AI_RESPONSE_MODEL] == final["model"]
    assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [final["choices"][0]["finish_reason"]]
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == final["usage"]["prompt_tokens"]
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == final["usage"]["completion_tokens"]
    assert attributes[sc.HP_STREAM_OUTCOME] == "completed"
    assert attributes[sc.HP_STREAM_CHUNKS] == len(recorded) == len(events)
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in recorded)
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
