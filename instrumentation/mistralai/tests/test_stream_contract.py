"""The engine's stream contract through the real mistralai client: every exit path of ``chat.stream``
(an EventStream) and ``chat.stream_async`` (an EventStreamAsync)."""

from __future__ import annotations

from typing import Any

import pytest
from huggingplace_instrumentation_mistralai import MistralAIInstrumentor
from mistralai.client import Mistral

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

CASSETTE = cassette_path("mistralai", "test_chat__test_mistralai_async_streaming_chat_legacy")
BODY = recorded_request_json(ReplayServer(CASSETTE).interactions[0])
KWARGS = {"model": BODY["model"], "messages": BODY["messages"]}


def _open(base_url: str) -> Any:
    return Mistral(api_key="test-key", server_url=base_url).chat.stream(**KWARGS)


async def _open_async(base_url: str) -> Any:
    return await Mistral(api_key="test-key", server_url=base_url).chat.stream_async(**KWARGS)


def _uninstrumented_stream_type() -> type:
    with ReplayServer(CASSETTE) as server:
        stream = _open(server.base_url)
        stream.close()
    return type(stream)


STREAM_TYPE = _uninstrumented_stream_type()


CHAT_STREAM = StreamCall(cassette=CASSETTE, open=_open, open_async=_open_async)


@pytest.mark.parametrize("path", SYNC_EXIT_PATHS)
def test_sync_stream_exit_path_ends_one_span(path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(MistralAIInstrumentor())
    span = check_sync_exit_path(path, CHAT_STREAM, span_capture)
    assert span.name == f"chat {BODY['model']}"


@pytest.mark.parametrize("path", ASYNC_EXIT_PATHS)
async def test_async_stream_exit_path_ends_one_span(path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(MistralAIInstrumentor())
    span = await check_async_exit_path(path, CHAT_STREAM, span_capture)
    assert span.name == f"chat {BODY['model']}"


def test_instrumented_stream_keeps_the_vendor_type(span_capture: SpanCapture) -> None:
    span_capture.instrument(MistralAIInstrumentor())
    with ReplayServer(CASSETTE) as server:
        stream = _open(server.base_url)
        assert type(stream) is STREAM_TYPE
        assert len(list(stream)) == len(server.interactions[0].response.body.split(b"data: ")) - 2  # minus [DONE]
