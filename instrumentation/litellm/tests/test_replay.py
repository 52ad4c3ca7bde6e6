"""Every recorded litellm cassette, replayed through real litellm (routed to OpenAI and to Anthropic, sync and
async, content capture off and on) into our spans, with the openai and anthropic adapters active too.

Expected values are read from the recordings (``_recorded.py``), never from our code. One call gives one
inference span, LiteLLM's, with the tokens once: the SDK LiteLLM calls underneath gives none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import litellm
import pytest
from huggingplace_instrumentation_anthropic import AnthropicInstrumentor
from huggingplace_instrumentation_litellm import LiteLLMInstrumentor
from huggingplace_instrumentation_openai import OpenAIInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    Interaction,
    ReplayServer,
    SpanCapture,
    assert_no_secret_in_spans,
    cassette_paths,
)

from ._recorded import Recorded, recorded

CASSETTES = cassette_paths("litellm")
API_KEY = "sk-litellm-replay-secret-7f3a"
SCOPE = "huggingplace_instrumentation_litellm"
CONTENT_ATTRIBUTES = (sc.GEN_AI_INPUT_MESSAGES, sc.GEN_AI_OUTPUT_MESSAGES, sc.GEN_AI_SYSTEM_INSTRUCTIONS,
                      sc.GEN_AI_TOOL_DEFINITIONS)


def sent_model(interaction: Interaction) -> str:
    """The model string a LiteLLM user writes for this recorded request."""
    model = recorded(interaction).request["model"]
    return f"anthropic/{model}" if interaction.request.path.endswith("/messages") else str(model)


def litellm_kwargs(interaction: Interaction, base_url: str) -> dict[str, Any]:
    rec = recorded(interaction)
    kwargs = {**rec.request, "model": sent_model(interaction), "api_key": API_KEY}
    if rec.provider == "anthropic":
        kwargs["api_base"] = base_url
    else:
        kwargs["api_base"] = f"{base_url}/v1"
    if rec.kind == "chat" and rec.stream:
        kwargs["stream_options"] = {"include_usage": True}  # the caller asks: the provider's usage comes through
    return kwargs


async def call_litellm(interaction: Interaction, base_url: str, use_async: bool) -> tuple[Any, list[Any]]:
    """(what the call returned, the chunks when it streamed)."""
    kind = recorded(interaction).kind
    kwargs = litellm_kwargs(interaction, base_url)
    function = {
        ("chat", False): litellm.completion, ("chat", True): litellm.acompletion,
        ("embeddings", False): litellm.embedding, ("embeddings", True): litellm.aembedding,
        ("responses", False): litellm.responses, ("responses", True): litellm.aresponses,
    }[(kind, use_async)]
    result = await function(**kwargs) if use_async else function(**kwargs)
    if not kwargs.get("stream"):
        return result, []
    chunks = [chunk async for chunk in result] if use_async else list(result)
    return result, chunks


def inference_spans(capture: SpanCapture) -> list[Any]:
    return [s for s in capture.spans() if sc.GEN_AI_OPERATION_NAME in (s.attributes or {})]


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("capture_content", [True, False], ids=["content", "no_content"])
async def test_cassette_replays_into_one_litellm_span_per_call(
    path: Path, use_async: bool, capture_content: bool, span_capture: SpanCapture
) -> None:
    for instrumentor in (OpenAIInstrumentor(), AnthropicInstrumentor(), LiteLLMInstrumentor()):
        span_capture.instrument(instrumentor, capture_content=capture_content)
    with ReplayServer(path) as server:
        results = [await call_litellm(interaction, server.base_url, use_async) for interaction in server.interactions]
        assert not server.unused()
    spans = inference_spans(span_capture)
    assert [s.instrumentation_scope.name for s in spans] == [SCOPE] * len(server.interactions)
    assert_no_secret_in_spans(span_capture.spans(), [API_KEY])
    for span, interaction, (result, chunks) in zip(spans, server.interactions, results, strict=True):
        _assert_span(span, interaction, recorded(interaction), result, chunks, capture_content)


def _assert_span(span: Any, interaction: Interaction, rec: Recorded, result: Any, chunks: list[Any],
                 capture_content: bool) -> None:
    attributes = dict(span.attributes or {})
    operation = sc.OP_EMBEDDINGS if rec.kind == "embeddings" else sc.OP_CHAT
    assert span.name == f"{operation} {sent_model(interaction)}"
    assert attributes[sc.GEN_AI_PROVIDER_NAME] == rec.provider
    assert attributes[sc.GEN_AI_REQUEST_MODEL] == sent_model(interaction)  # as sent, not rewritten
    assert attributes[sc.SERVER_ADDRESS] == "127.0.0.1"
    assert attributes.get(sc.GEN_AI_REQUEST_STREAM, False) is rec.stream
    if rec.kind != "embeddings":
        # LiteLLM makes up its own id for Anthropic chat: then the span holds the id the caller got.
        expected_id = rec.response_id if rec.response_id is not None else (chunks[0] if chunks else result).id
        assert attributes[sc.GEN_AI_RESPONSE_ID] == expected_id
        assert attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS] == rec.finish_reasons
    if rec.response_model is not None:
        assert attributes[sc.GEN_AI_RESPONSE_MODEL] == rec.response_model
    for suffix, count in rec.usage.items():
        assert attributes[f"gen_ai.usage.{suffix}"] == count, suffix
    assert attributes[sc.HP_USAGE_SOURCE] == "provider"
    if rec.dimensions is not None:
        assert attributes[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] == rec.dimensions
    if rec.stream:
        assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
        assert attributes[sc.HP_STREAM_CHUNKS] == len(chunks)
    if not capture_content:
        assert not [key for key in attributes if key in CONTENT_ATTRIBUTES or key.startswith("gen_ai.prompt")]
        return
    if rec.kind == "embeddings":
        return
    assert json.loads(str(attributes[sc.GEN_AI_INPUT_MESSAGES]))
    output = json.loads(str(attributes[sc.GEN_AI_OUTPUT_MESSAGES]))
    parts = [part for message in output for part in message["parts"]]
    assert "".join(p.get("content", "") for p in parts if p["type"] == "text") == rec.text
    if rec.reasoning:
        assert "".join(p.get("content", "") for p in parts if p["type"] == "reasoning") == rec.reasoning
