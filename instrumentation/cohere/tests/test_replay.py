"""Every recorded Cohere cassette, replayed through the real cohere client (``Client``/``ClientV2`` and their
async twins) into our spans, content capture off and on.

Expected values are read from the recorded responses, never from our code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cohere
import pytest
from huggingplace_instrumentation_cohere import CohereInstrumentor
from opentelemetry.trace import SpanKind, StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    Interaction,
    ReplayServer,
    SpanCapture,
    assert_no_secret_in_spans,
    cassette_paths,
)

from ._recorded import call_of, response_json, stream_events

CASSETTES = cassette_paths("cohere")
API_KEY = "co-replay-secret-41aa"
OPERATIONS = {"chat": "chat", "chat_stream": "chat", "generate": "text_completion", "embed": "embeddings",
              "rerank": "rerank"}


def test_every_cohere_cassette_is_replayed() -> None:
    # chat, chat_stream (v1, v2), generate, embed and rerank: every recording is of a traced method.
    assert len(CASSETTES) == 19
    methods = {call_of(i)[:2] for p in CASSETTES for i in ReplayServer(p).interactions}
    assert methods == {("v1", "chat"), ("v1", "chat_stream"), ("v2", "chat"), ("v2", "chat_stream"),
                       ("v1", "generate"), ("v2", "embed"), ("v1", "rerank"), ("v2", "rerank")}


async def _call(base_url: str, interaction: Interaction, use_async: bool) -> Any:
    version, method, kwargs = call_of(interaction)
    if use_async:
        client: Any = (cohere.AsyncClientV2 if version == "v2" else cohere.AsyncClient)(api_key=API_KEY,
                                                                                       base_url=base_url)
        if method == "chat_stream":
            return [event async for event in client.chat_stream(**kwargs)]
        return await getattr(client, method)(**kwargs)
    client = (cohere.ClientV2 if version == "v2" else cohere.Client)(api_key=API_KEY, base_url=base_url)
    result = getattr(client, method)(**kwargs)
    return list(result) if method == "chat_stream" else result


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("capture_content", [True, False], ids=["content", "no_content"])
async def test_cassette_replays_into_spans_with_recorded_values(
    path: Path, use_async: bool, capture_content: bool, span_capture: SpanCapture
) -> None:
    span_capture.instrument(CohereInstrumentor(), capture_content=capture_content)
    with ReplayServer(path) as server:
        results = [await _call(server.base_url, interaction, use_async) for interaction in server.interactions]
        assert not server.unused()
        port = int(server.base_url.rsplit(":", 1)[1].split("/")[0])
        assert all(r.headers.get("authorization") == f"Bearer {API_KEY}" for r in server.requests)
    spans = span_capture.spans()
    assert len(spans) == len(server.interactions)
    assert_no_secret_in_spans(spans, [API_KEY])
    for span, interaction, result in zip(spans, server.interactions, results, strict=True):
        _check(span, interaction, result, port, capture_content)


def _billed_and_tokens(attributes: dict[str, Any], usage: dict[str, Any]) -> None:
    billed = usage.get("billed_units") or {}
    assert attributes.get(sc.COHERE_BILLED_INPUT_TOKENS) == billed.get("input_tokens")
    assert attributes.get(sc.COHERE_BILLED_OUTPUT_TOKENS) == billed.get("output_tokens")
    assert attributes.get(sc.COHERE_BILLED_SEARCH_UNITS) == billed.get("search_units")
    counted = usage.get("tokens") or billed  # generate and embed report billed units only
    assert attributes.get(sc.GEN_AI_USAGE_INPUT_TOKENS) == counted.get("input_tokens")
    assert attributes.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS) == counted.get("output_tokens")
    provided = counted.get("input_tokens") is not None or counted.get("output_tokens") is not None
    assert attributes[sc.HP_USAGE_SOURCE] == (sc.USAGE_SOURCE_PROVIDER if provided else sc.USAGE_SOURCE_ABSENT)


def _check(span: Any, interaction: Interaction, result: Any, port: int, content: bool) -> None:
    attributes = dict(span.attributes or {})
    version, method, kwargs = call_of(interaction)
    operation = OPERATIONS[method]
    model = kwargs.get("model")
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is not StatusCode.ERROR
    assert span.name == (f"{operation} {model}" if model else operation)
    assert attributes[sc.GEN_AI_OPERATION_NAME] == operation
    assert attributes[sc.GEN_AI_PROVIDER_NAME] == "cohere"
    assert attributes.get(sc.GEN_AI_REQUEST_MODEL) == model
    assert attributes[sc.SERVER_ADDRESS] == "127.0.0.1"
    assert attributes[sc.SERVER_PORT] == port
    assert sc.GEN_AI_RESPONSE_MODEL not in attributes  # Cohere's responses name no model: none is invented
    if method == "chat_stream":
        _check_stream(attributes, interaction, version, result, content)
        return
    recorded = response_json(interaction)
    assert attributes[sc.GEN_AI_RESPONSE_ID] == recorded.get("response_id", recorded.get("id"))
    if method == "chat":
        assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [recorded["finish_reason"]]
        _billed_and_tokens(attributes, recorded["usage"] if version == "v2" else recorded["meta"])
        message = recorded.get("message") or {}
        calls = message.get("tool_calls") or []
        assert list(attributes.get(sc.HP_TOOL_CALL_IDS, [])) == [c["id"] for c in calls]
        assert list(attributes.get(sc.HP_TOOL_CALL_NAMES, [])) == [c["function"]["name"] for c in calls]
        text = recorded["text"] if version == "v1" else "".join(c["text"] for c in message.get("content") or ())
        _check_content(attributes, interaction, text, content, plan=message.get("tool_plan"))
    elif method == "generate":
        assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [
            g["finish_reason"] for g in recorded["generations"]]
        _billed_and_tokens(attributes, recorded["meta"])
    elif method == "embed":
        assert attributes[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] == len(recorded["embeddings"]["float"][0])
        _billed_and_tokens(attributes, recorded["meta"])
    else:
        assert attributes[sc.COHERE_RERANK_DOCUMENT_COUNT] == len(kwargs["documents"])
        assert attributes[sc.COHERE_RERANK_TOP_N] == kwargs["top_n"]
        _billed_and_tokens(attributes, recorded["meta"])


def _check_stream(attributes: dict[str, Any], interaction: Interaction, version: str, chunks: list[Any],
                  content: bool) -> None:
    events = stream_events(interaction)
    assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
    assert attributes[sc.HP_STREAM_CHUNKS] == len(events) == len(chunks)
    if version == "v1":
        [end] = [e for e in events if e["event_type"] == "stream-end"]
        assert attributes[sc.GEN_AI_RESPONSE_ID] == end["response"]["response_id"]
        assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [end["finish_reason"]]
        _billed_and_tokens(attributes, end["response"]["meta"])
        text = "".join(e["text"] for e in events if e["event_type"] == "text-generation")
        _check_content(attributes, interaction, text, content)
        return
    [start] = [e for e in events if e["type"] == "message-start"]
    [end] = [e for e in events if e["type"] == "message-end"]
    assert attributes[sc.GEN_AI_RESPONSE_ID] == start["id"]
    assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [end["delta"]["finish_reason"]]
    _billed_and_tokens(attributes, end["delta"]["usage"])  # once, from message-end: never summed per event
    starts = [e["delta"]["message"]["tool_calls"] for e in events if e["type"] == "tool-call-start"]
    assert list(attributes.get(sc.HP_TOOL_CALL_IDS, [])) == [c["id"] for c in starts]
    assert list(attributes.get(sc.HP_TOOL_CALL_NAMES, [])) == [c["function"]["name"] for c in starts]
    text = "".join(e["delta"]["message"]["content"]["text"] for e in events if e["type"] == "content-delta")
    plan = "".join(e["delta"]["message"]["tool_plan"] for e in events if e["type"] == "tool-plan-delta")
    _check_content(attributes, interaction, text, content, plan=plan)


def _check_content(attributes: dict[str, Any], interaction: Interaction, text: str, content: bool,
                   plan: str | None = None) -> None:
    if not content:
        assert sc.GEN_AI_INPUT_MESSAGES not in attributes
        assert sc.GEN_AI_OUTPUT_MESSAGES not in attributes
        return
    version, _, kwargs = call_of(interaction)
    inputs = json.loads(attributes[sc.GEN_AI_INPUT_MESSAGES])
    if version == "v1":
        assert inputs == [{"role": "user", "parts": [{"type": "text", "content": kwargs["message"]}]}]
    else:
        assert [m["role"] for m in inputs] == [m["role"] for m in kwargs["messages"]]
        assert inputs[0]["parts"] == [{"type": "text", "content": kwargs["messages"][0]["content"]}]
    [output] = json.loads(attributes[sc.GEN_AI_OUTPUT_MESSAGES])
    texts = [p["content"] for p in output["parts"] if p["type"] == "text"]
    assert "".join(texts) == text
    reasoning = [p["content"] for p in output["parts"] if p["type"] == "reasoning"]
    assert "".join(reasoning) == (plan or "")
