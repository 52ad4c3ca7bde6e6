"""Every recorded Ollama cassette, replayed through the real ollama client into our spans: ``Client``,
``AsyncClient`` and the module-level functions, content capture off and on.

Expected values are read from the recorded responses, never from our code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ollama
import pytest
from huggingplace_instrumentation_ollama import OllamaInstrumentor
from opentelemetry.trace import SpanKind, StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    Interaction,
    ReplayServer,
    SpanCapture,
    assert_no_secret_in_spans,
    cassette_paths,
    recorded_request_json,
)

from ._recorded import call_kwargs, response_objects

CASSETTES = cassette_paths("ollama")
API_KEY = "ollama-replay-secret-93b0"
DURATIONS = {
    "total_duration": sc.OLLAMA_RESPONSE_TOTAL_DURATION,
    "load_duration": sc.OLLAMA_RESPONSE_LOAD_DURATION,
    "prompt_eval_duration": sc.OLLAMA_RESPONSE_PROMPT_EVAL_DURATION,
    "eval_duration": sc.OLLAMA_RESPONSE_EVAL_DURATION,
}


def test_every_ollama_cassette_is_replayed() -> None:
    # chat, generate and embeddings recordings: all are methods this adapter traces, none is left out.
    assert len(CASSETTES) == 12
    methods = {call_kwargs(i)[0] for p in CASSETTES for i in ReplayServer(p).interactions}
    assert methods == {"chat", "generate", "embeddings"}


async def _call(how: str, base_url: str, interaction: Interaction, monkeypatch: pytest.MonkeyPatch) -> Any:
    method, kwargs = call_kwargs(interaction)
    if how == "async":
        result = await getattr(ollama.AsyncClient(host=base_url), method)(**kwargs)
        return [chunk async for chunk in result] if kwargs.get("stream") else result
    if how == "module":  # ollama.chat & co. are bound to a client made at import: point it at the replay
        monkeypatch.setattr(ollama._client, "_client", ollama.Client(host=base_url)._client)
        function = getattr(ollama, method)
    else:
        function = getattr(ollama.Client(host=base_url), method)
    result = function(**kwargs)
    return list(result) if kwargs.get("stream") else result


def _sends_api_key(how: str) -> bool:
    """Whether this ollama release's client of that kind sends ``OLLAMA_API_KEY`` (older ones do not)."""
    client = ollama.AsyncClient() if how == "async" else ollama.Client()
    return "authorization" in {name.lower() for name in client._client.headers}


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
@pytest.mark.parametrize("how", ["sync", "async", "module"])
@pytest.mark.parametrize("capture_content", [True, False], ids=["content", "no_content"])
async def test_cassette_replays_into_spans_with_recorded_values(
    path: Path, how: str, capture_content: bool, span_capture: SpanCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_API_KEY", API_KEY)  # sent as a Bearer header by clients made from now on
    span_capture.instrument(OllamaInstrumentor(), capture_content=capture_content)
    with ReplayServer(path) as server:
        results = [await _call(how, server.base_url, interaction, monkeypatch) for interaction in server.interactions]
        assert not server.unused()
        port = int(server.base_url.rsplit(":", 1)[1].split("/")[0])
    spans = span_capture.spans()
    assert len(spans) == len(server.interactions)
    assert_no_secret_in_spans(spans, [API_KEY])
    if how != "module" and _sends_api_key(how):  # the module-level client was made at import, before the key
        assert all(r.headers.get("authorization") == f"Bearer {API_KEY}" for r in server.requests)
    for span, interaction, result in zip(spans, server.interactions, results, strict=True):
        _check(span, interaction, result, port, capture_content)


def _check(span: Any, interaction: Interaction, result: Any, port: int, content: bool) -> None:
    attributes = dict(span.attributes or {})
    method, kwargs = call_kwargs(interaction)
    objects = response_objects(interaction)
    final = objects[-1]
    operation = {"chat": "chat", "generate": "text_completion", "embeddings": "embeddings"}[method]
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is not StatusCode.ERROR
    assert span.name == f"{operation} {kwargs['model']}"
    assert attributes[sc.GEN_AI_OPERATION_NAME] == operation
    assert attributes[sc.GEN_AI_PROVIDER_NAME] == "ollama"
    assert attributes[sc.GEN_AI_REQUEST_MODEL] == kwargs["model"]
    assert attributes[sc.SERVER_ADDRESS] == "127.0.0.1"
    assert attributes[sc.SERVER_PORT] == port
    if method == "embeddings":
        assert attributes[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] == len(final["embedding"])
        assert attributes[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT  # the endpoint reports none
        assert sc.GEN_AI_USAGE_INPUT_TOKENS not in attributes
        return
    assert final["done"] is True
    assert attributes[sc.GEN_AI_REQUEST_STREAM] is kwargs["stream"]
    assert attributes[sc.GEN_AI_RESPONSE_MODEL] == final["model"]
    assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [final["done_reason"]]
    assert attributes[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_PROVIDER
    # Ollama leaves prompt_eval_count out when the prompt was already in its cache: nothing is invented then.
    assert attributes.get(sc.GEN_AI_USAGE_INPUT_TOKENS) == final.get("prompt_eval_count")
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == final["eval_count"]  # once, never summed per chunk
    for field, key in DURATIONS.items():
        assert attributes.get(key) == final.get(field)
    assert sc.GEN_AI_RESPONSE_ID not in attributes  # Ollama gives none: none is invented
    if kwargs["stream"]:
        assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
        assert attributes[sc.HP_STREAM_CHUNKS] == len(objects) == len(result)
    else:
        assert sc.HP_STREAM_OUTCOME not in attributes
    text_field = "message" if method == "chat" else "response"
    texts = [(o[text_field]["content"] if method == "chat" else o[text_field]) for o in objects]
    _check_content(attributes, interaction, method, "".join(texts), content)


def _check_content(attributes: dict[str, Any], interaction: Interaction, method: str, text: str,
                   content: bool) -> None:
    if not content:
        assert sc.GEN_AI_INPUT_MESSAGES not in attributes
        assert sc.GEN_AI_OUTPUT_MESSAGES not in attributes
        return
    body = recorded_request_json(interaction)
    inputs = json.loads(attributes[sc.GEN_AI_INPUT_MESSAGES])
    if method == "generate":
        assert inputs == [{"role": "user", "parts": [{"type": "text", "content": body["prompt"]}]}]
    else:
        assert [m["role"] for m in inputs] == [m["role"] for m in body["messages"]]
        for sent, recorded in zip(inputs, body["messages"], strict=True):
            if recorded["role"] == "tool":
                assert sent["parts"] == [{"type": "tool_call_response", "response": recorded["content"]}]
                continue
            calls = [{"type": "tool_call", "name": c["function"]["name"], "arguments": c["function"]["arguments"]}
                     for c in recorded.get("tool_calls") or ()]
            text_parts = [{"type": "text", "content": recorded["content"]}] if recorded["content"] else []
            assert sent["parts"] == text_parts + calls
    [output] = json.loads(attributes[sc.GEN_AI_OUTPUT_MESSAGES])
    assert output["parts"] == [{"type": "text", "content": text}]
