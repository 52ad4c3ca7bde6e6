"""The engine's stream contract through real litellm: every exit path of ``completion(stream=True)`` and
``acompletion(stream=True)`` (a ``CustomStreamWrapper``, observed in place), routed to Anthropic and to OpenAI."""

from __future__ import annotations

import gc
from dataclasses import replace
from typing import Any

import litellm
import pytest
from huggingplace_instrumentation_litellm import LiteLLMInstrumentor
from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper
from opentelemetry.trace import StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    ASYNC_EXIT_PATHS,
    SYNC_EXIT_PATHS,
    ReplayServer,
    SpanCapture,
    StreamCall,
    cassette_path,
    check_async_exit_path,
    check_sync_exit_path,
    recorded_request_json,
)

ANTHROPIC = cassette_path("litellm", "test_instrumentor__test_completion_streaming_with_extended_thinking_anthropic")
ANTHROPIC_BODY = recorded_request_json(ReplayServer(ANTHROPIC).interactions[0])
ANTHROPIC_MODEL = f"anthropic/{ANTHROPIC_BODY['model']}"
OPENAI = cassette_path("openai", "test_chat__test_chat_async_streaming")
OPENAI_BODY = recorded_request_json(ReplayServer(OPENAI).interactions[0])


def _anthropic_kwargs(base_url: str) -> dict[str, Any]:
    return {"model": ANTHROPIC_MODEL, "messages": ANTHROPIC_BODY["messages"], "thinking": ANTHROPIC_BODY["thinking"],
            "max_tokens": ANTHROPIC_BODY["max_tokens"], "stream": True, "api_base": base_url,
            "api_key": "sk-ant-contract", "max_retries": 0}


def _openai_kwargs(base_url: str) -> dict[str, Any]:
    return {"model": OPENAI_BODY["model"], "messages": OPENAI_BODY["messages"], "stream": True,
            "api_base": f"{base_url}/v1", "api_key": "sk-contract", "max_retries": 0}


async def _acompletion(kwargs: dict[str, Any]) -> Any:
    return await litellm.acompletion(**kwargs)


# Anthropic's first events (message_start, content_block_start, ping) give no chunk: faults come later.
CALLS = {
    "anthropic": StreamCall(
        cassette=ANTHROPIC,
        open=lambda url: litellm.completion(**_anthropic_kwargs(url)),
        open_async=lambda url: _acompletion(_anthropic_kwargs(url)),
        fault_after=5,
    ),
    "openai": StreamCall(
        cassette=OPENAI,
        open=lambda url: litellm.completion(**_openai_kwargs(url)),
        open_async=lambda url: _acompletion(_openai_kwargs(url)),
    ),
}
# An async CustomStreamWrapper is closed with aclose().
ASYNC_CALLS = {route: replace(call, close_method="aclose") for route, call in CALLS.items()}
MODELS = {"anthropic": ANTHROPIC_MODEL, "openai": OPENAI_BODY["model"]}


# LiteLLM keeps a stream it has started reading reachable until its HTTP response is released (its
# connection pool still references it), so "break, then collect" is checked apart, below.
SYNC_PATHS = [path for path in SYNC_EXIT_PATHS if path != "break_then_gc"]
ASYNC_PATHS = [path for path in ASYNC_EXIT_PATHS if path != "break_then_gc"]


@pytest.mark.parametrize("route", sorted(CALLS))
@pytest.mark.parametrize("path", SYNC_PATHS)
def test_sync_stream_exit_path_ends_one_span(route: str, path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(LiteLLMInstrumentor())
    span = check_sync_exit_path(path, CALLS[route], span_capture)
    assert span.name == f"chat {MODELS[route]}"
    assert (span.attributes or {})[sc.GEN_AI_PROVIDER_NAME] == route


@pytest.mark.parametrize("route", sorted(CALLS))
@pytest.mark.parametrize("path", ASYNC_PATHS)
async def test_async_stream_exit_path_ends_one_span(route: str, path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(LiteLLMInstrumentor())
    span = await check_async_exit_path(path, ASYNC_CALLS[route], span_capture)
    assert span.name == f"chat {MODELS[route]}"
    assert (span.attributes or {})[sc.GEN_AI_PROVIDER_NAME] == route


@pytest.mark.parametrize("route", sorted(CALLS))
async def test_instrumented_streams_stay_litellm_stream_wrappers(route: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(LiteLLMInstrumentor())
    call = CALLS[route]
    with ReplayServer(call.cassette, repeat=True) as server:
        assert call.open is not None and call.open_async is not None
        stream = call.open(server.base_url)
        assert type(stream) is CustomStreamWrapper
        chunks = list(stream)
        async_stream = await call.open_async(server.base_url)
        assert type(async_stream) is CustomStreamWrapper
        async_chunks = [chunk async for chunk in async_stream]
    assert chunks and len(async_chunks) == len(chunks)
    assert len(span_capture.spans()) == 2


@pytest.mark.parametrize("route", sorted(CALLS))
def test_stream_left_after_a_break_ends_abandoned_once_collectable(route: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(LiteLLMInstrumentor())
    call = CALLS[route]
    assert call.open is not None
    with ReplayServer(call.cassette) as server:
        stream = call.open(server.base_url)
        for _chunk in stream:
            break
        del stream, _chunk
    gc.collect()  # the server is gone, so LiteLLM's connection released the stream
    span = span_capture.only_span()
    attributes = span.attributes or {}
    assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_ABANDONED
    assert attributes[sc.ERROR_TYPE] == sc.ERROR_ABANDONED
    assert span.status.status_code is StatusCode.ERROR
    assert attributes[sc.HP_STREAM_CHUNKS] == 1


# Responses API streams ((Sync)ResponsesAPIStreamingIterator) are not context managers: the paths without `with`.
RESPONSES = cassette_path("litellm", "test_responses__test_responses_simple_input_stream")
RESPONSES_BODY = recorded_request_json(ReplayServer(RESPONSES).interactions[0])


def _responses_kwargs(base_url: str) -> dict[str, Any]:
    return {**RESPONSES_BODY, "api_base": f"{base_url}/v1", "api_key": "sk-contract"}


async def _aresponses(kwargs: dict[str, Any]) -> Any:
    return await litellm.aresponses(**kwargs)


RESPONSES_CALL = StreamCall(cassette=RESPONSES, open=lambda url: litellm.responses(**_responses_kwargs(url)),
                            open_async=lambda url: _aresponses(_responses_kwargs(url)))
NO_WITH = ("drain", "close", "never_iterated", "provider_error")


@pytest.mark.parametrize("path", NO_WITH)
def test_sync_responses_stream_exit_path_ends_one_span(path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(LiteLLMInstrumentor())
    span = check_sync_exit_path(path, RESPONSES_CALL, span_capture)
    assert span.name == f"chat {RESPONSES_BODY['model']}"


@pytest.mark.parametrize("path", [*NO_WITH, "cancelled", "timeout"])
async def test_async_responses_stream_exit_path_ends_one_span(path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(LiteLLMInstrumentor())
    span = await check_async_exit_path(path, replace(RESPONSES_CALL, close_method="aclose"), span_capture)
    assert span.name == f"chat {RESPONSES_BODY['model']}"
