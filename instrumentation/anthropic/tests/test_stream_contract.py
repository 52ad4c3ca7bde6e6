"""The engine's stream contract through the real anthropic client: every exit path, sync and async,
for ``messages.create(stream=True)`` and for the ``messages.stream()`` helper."""

from __future__ import annotations

import gc
from typing import Any

import anthropic
import pytest
from huggingplace_instrumentation_anthropic import AnthropicInstrumentor

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
    recorded_sse_events,
)

CASSETTE = cassette_path("anthropic", "test_messages__test_anthropic_message_streaming_legacy")
HELPER_CASSETTE = cassette_path("anthropic", "test_messages__test_anthropic_text_stream_helper_method_legacy")
[_INTERACTION] = ReplayServer(CASSETTE).interactions
BODY = recorded_request_json(_INTERACTION)


def _open(base_url: str) -> Any:
    return anthropic.Anthropic(api_key="test-key", base_url=base_url, max_retries=0).messages.create(**BODY)


async def _open_async(base_url: str) -> Any:
    client = anthropic.AsyncAnthropic(api_key="test-key", base_url=base_url, max_retries=0)
    return await client.messages.create(**BODY)


CREATE_STREAM = StreamCall(cassette=CASSETTE, open=_open, open_async=_open_async)


@pytest.mark.parametrize("path", SYNC_EXIT_PATHS)
def test_sync_stream_exit_path_ends_one_span(path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor())
    span = check_sync_exit_path(path, CREATE_STREAM, span_capture)
    assert span.name == f"chat {BODY['model']}"


@pytest.mark.parametrize("path", ASYNC_EXIT_PATHS)
async def test_async_stream_exit_path_ends_one_span(path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor())
    span = await check_async_exit_path(path, CREATE_STREAM, span_capture)
    assert span.name == f"chat {BODY['model']}"


# --- the stream() helper (MessageStreamManager): the vendor-specific ninth path -------------------------
HELPER_BODY = {k: v for k, v in recorded_request_json(ReplayServer(HELPER_CASSETTE).interactions[0]).items()
               if k != "stream"}


def _helper_events() -> list[dict[str, Any]]:
    return recorded_sse_events(ReplayServer(HELPER_CASSETTE).interactions[0])


def _one_span(capture: SpanCapture) -> dict[str, Any]:
    [span] = [s for s in capture.spans() if s.instrumentation_scope.name == "huggingplace_instrumentation_anthropic"]
    assert span.end_time is not None
    return dict(span.attributes or {})


def test_helper_keeps_types_and_text_stream_and_final_message_work(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor(), capture_content=True)
    events = _helper_events()
    recorded_text = "".join(e["delta"]["text"] for e in events if e["type"] == "content_block_delta")
    with ReplayServer(HELPER_CASSETTE) as server:
        client = anthropic.Anthropic(api_key="test-key", base_url=server.base_url, max_retries=0)
        manager = client.messages.stream(**HELPER_BODY)
        assert type(manager) is anthropic.lib.streaming.MessageStreamManager
        assert not server.requests, "the helper must not send anything before it is entered"
        assert span_capture.spans() == []
        with manager as stream:
            assert type(stream) is anthropic.lib.streaming.MessageStream
            assert "".join(stream.text_stream) == recorded_text
            final = stream.get_final_message()
            assert stream.get_final_text() == recorded_text
    delta = next(e for e in events if e["type"] == "message_delta")
    assert final.usage.output_tokens == delta["usage"]["output_tokens"]
    attributes = _one_span(span_capture)
    assert attributes[sc.HP_STREAM_OUTCOME] == "completed"
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == delta["usage"]["output_tokens"]
    assert attributes[sc.GEN_AI_RESPONSE_ID] == final.id


def test_helper_left_early_is_closed_early(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(HELPER_CASSETTE) as server:
        client = anthropic.Anthropic(api_key="test-key", base_url=server.base_url, max_retries=0)
        with client.messages.stream(**HELPER_BODY) as stream:
            for _ in stream:
                break
    attributes = _one_span(span_capture)
    assert attributes[sc.HP_STREAM_OUTCOME] == "closed_early"
    assert sc.ERROR_TYPE not in attributes


def test_helper_user_exception_passes_unchanged_and_marks_the_span(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor())

    class Mine(Exception):
        pass

    with ReplayServer(HELPER_CASSETTE) as server:
        client = anthropic.Anthropic(api_key="test-key", base_url=server.base_url, max_retries=0)
        with pytest.raises(Mine), client.messages.stream(**HELPER_BODY) as stream:
            for _ in stream.text_stream:
                raise Mine
    attributes = _one_span(span_capture)
    assert attributes[sc.HP_STREAM_OUTCOME] == "error"
    assert attributes[sc.ERROR_TYPE].endswith("Mine")


def test_helper_never_entered_sends_nothing_and_leaves_no_span(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(HELPER_CASSETTE) as server:
        client = anthropic.Anthropic(api_key="test-key", base_url=server.base_url, max_retries=0)
        manager = client.messages.stream(**HELPER_BODY)
        del manager
        gc.collect()
        assert not server.requests
    assert span_capture.spans() == []


async def test_async_helper_drains_with_final_message(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor())
    delta = next(e for e in _helper_events() if e["type"] == "message_delta")
    with ReplayServer(HELPER_CASSETTE) as server:
        client = anthropic.AsyncAnthropic(api_key="test-key", base_url=server.base_url, max_retries=0)
        manager = client.messages.stream(**HELPER_BODY)
        assert type(manager) is anthropic.lib.streaming.AsyncMessageStreamManager
        async with manager as stream:
            assert type(stream) is anthropic.lib.streaming.AsyncMessageStream
            final = await stream.get_final_message()
    attributes = _one_span(span_capture)
    assert attributes[sc.HP_STREAM_OUTCOME] == "completed"
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == final.usage.output_tokens == delta["usage"]["output_tokens"]


async def test_async_helper_left_early_is_closed_early(span_capture: SpanCapture) -> None:
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(HELPER_CASSETTE) as server:
        client = anthropic.AsyncAnthropic(api_key="test-key", base_url=server.base_url, max_retries=0)
        async with client.messages.stream(**HELPER_BODY) as stream:
            async for _ in stream:
                break
    assert _one_span(span_capture)[sc.HP_STREAM_OUTCOME] == "closed_early"
