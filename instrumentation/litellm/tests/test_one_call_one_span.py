"""One LiteLLM call, one inference span, tokens counted once, though LiteLLM calls the openai SDK underneath.

LiteLLM's OpenAI route calls the ``openai`` client inside ``litellm.embedding`` / ``completion`` (same thread;
older releases call ``chat.completions.with_raw_response.create``; newer ones ``client.post`` for chat, and
``embeddings.with_raw_response.create`` for embeddings with an ``encoding_format``). Its async functions build
the call in an executor thread but await the openai coroutine in the caller's task. Either way the SDK call
runs inside the LiteLLM call's task, so the engine's nested-call guard lets the LiteLLM span win. The
Anthropic route speaks HTTP itself (no anthropic SDK call), so the anthropic adapter has nothing to add.
"""

from __future__ import annotations

from typing import Any

import litellm
import pytest
from huggingplace_instrumentation_anthropic import AnthropicInstrumentor
from huggingplace_instrumentation_litellm import LiteLLMInstrumentor
from huggingplace_instrumentation_openai import OpenAIInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import ReplayServer, SpanCapture, cassette_path, recorded_json

from .test_replay import call_litellm

OPENAI_CHAT = cassette_path("litellm", "test_token_counts__TestTokenCounts.test_openai")
OPENAI_STREAM = cassette_path("openai", "test_chat__test_chat_async_streaming")
OPENAI_EMBEDDING = cassette_path("litellm", "test_embeddings__test_single_string_embedding")
ANTHROPIC_CHAT = cassette_path("litellm", "test_token_counts__TestTokenCounts.test_anthropic")
ROUTES = [OPENAI_CHAT, OPENAI_EMBEDDING, ANTHROPIC_CHAT]


def _inference_spans(capture: SpanCapture) -> list[Any]:
    return [s for s in capture.spans() if sc.GEN_AI_OPERATION_NAME in (s.attributes or {})]


def _token_points(capture: SpanCapture) -> dict[str, int]:
    """Summed token counts of the gen_ai.client.token.usage metric, per token type."""
    sums: dict[str, int] = {}
    for point in capture.metric_points("gen_ai.client.token.usage"):
        kind = str(point.attributes["gen_ai.token.type"])
        sums[kind] = sums.get(kind, 0) + int(point.sum)
    return sums


async def _embedding_through_the_sdk(base_url: str, use_async: bool) -> Any:
    # With an encoding_format LiteLLM calls openai's embeddings.with_raw_response.create.
    kwargs = {"model": "text-embedding-ada-002", "input": "hello world", "encoding_format": "float",
              "api_base": f"{base_url}/v1", "api_key": "sk-test"}
    return await litellm.aembedding(**kwargs) if use_async else litellm.embedding(**kwargs)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_without_the_litellm_adapter_the_sdk_underneath_is_traced(use_async: bool, span_capture: SpanCapture) -> None:
    """The control: what the guard has to suppress really is there."""
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(OPENAI_EMBEDDING) as server:
        _run(_embedding_through_the_sdk(server.base_url, use_async))
    [span] = _inference_spans(span_capture)
    assert span.instrumentation_scope.name == "huggingplace_instrumentation_openai"


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_with_both_adapters_the_sdk_call_underneath_adds_no_span(use_async: bool, span_capture: SpanCapture) -> None:
    for instrumentor in (OpenAIInstrumentor(), LiteLLMInstrumentor()):
        span_capture.instrument(instrumentor)
    with ReplayServer(OPENAI_EMBEDDING) as server:
        _run(_embedding_through_the_sdk(server.base_url, use_async))
        recorded = recorded_json(server.interactions[0])
    [span] = _inference_spans(span_capture)
    assert span.instrumentation_scope.name == "huggingplace_instrumentation_litellm"
    assert (span.attributes or {})[sc.GEN_AI_USAGE_INPUT_TOKENS] == recorded["usage"]["prompt_tokens"]
    assert _token_points(span_capture) == {"input": recorded["usage"]["prompt_tokens"]}


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: p.stem)
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_litellm_span_is_the_only_one_with_tokens_once(path: Any, use_async: bool, span_capture: SpanCapture) -> None:
    for instrumentor in (OpenAIInstrumentor(), AnthropicInstrumentor(), LiteLLMInstrumentor()):
        span_capture.instrument(instrumentor)
    with ReplayServer(path) as server:
        _run(call_litellm(server.interactions[0], server.base_url, use_async))
        recorded = recorded_json(server.interactions[0])
    [span] = _inference_spans(span_capture)
    assert span.instrumentation_scope.name == "huggingplace_instrumentation_litellm"
    assert not [s for s in span_capture.spans() if s is not span and s.kind.name == "CLIENT"]
    usage = recorded["usage"]
    if path == ANTHROPIC_CHAT:
        expected = {"input": usage["input_tokens"] + usage["cache_read_input_tokens"]
                    + usage["cache_creation_input_tokens"], "output": usage["output_tokens"]}
    elif path == OPENAI_EMBEDDING:
        expected = {"input": usage["prompt_tokens"]}
    else:
        expected = {"input": usage["prompt_tokens"], "output": usage["completion_tokens"]}
    assert _token_points(span_capture) == expected


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_stream_through_the_openai_sdk_gives_one_span(use_async: bool, span_capture: SpanCapture) -> None:
    for instrumentor in (OpenAIInstrumentor(), LiteLLMInstrumentor()):
        span_capture.instrument(instrumentor)
    with ReplayServer(OPENAI_STREAM) as server:
        kwargs = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "hi"}], "stream": True,
                  "api_base": f"{server.base_url}/v1", "api_key": "sk-test"}

        async def consume() -> int:
            if use_async:
                return len([chunk async for chunk in await litellm.acompletion(**kwargs)])
            return len(list(litellm.completion(**kwargs)))

        chunks = _run(consume())
    [span] = _inference_spans(span_capture)
    assert span.instrumentation_scope.name == "huggingplace_instrumentation_litellm"
    assert (span.attributes or {})[sc.HP_STREAM_CHUNKS] == chunks
    # Without stream_options.include_usage neither OpenAI nor LiteLLM report usage: none is made up.
    assert (span.attributes or {})[sc.HP_USAGE_SOURCE] == "absent"
    assert sc.GEN_AI_USAGE_OUTPUT_TOKENS not in (span.attributes or {})
    assert _token_points(span_capture) == {}


def _run(awaitable: Any) -> Any:
    import asyncio

    return asyncio.run(awaitable)
