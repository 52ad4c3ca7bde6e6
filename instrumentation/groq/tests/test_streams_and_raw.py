"""The stream contract on every exit path (sync ``Stream`` and async ``AsyncStream``), ``type(result)``
unchanged, and ``with_raw_response`` / ``with_streaming_response`` through the real groq client."""

from __future__ import annotations

import gc
from typing import Any

import groq
import pytest
from huggingplace_instrumentation_groq import GroqInstrumentor

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
    load_cassette,
    recorded_json,
    recorded_request_json,
    recorded_sse_events,
)

PLAIN = cassette_path("groq", "test_chat_tracing__test_chat_legacy")
STREAMED = cassette_path("groq", "test_chat_tracing__test_chat_streaming_legacy")
BODY = recorded_request_json(load_cassette(STREAMED)[0])
KWARGS = {"model": BODY["model"], "messages": BODY["messages"]}
EVENTS = [e for e in recorded_sse_events(load_cassette(STREAMED)[0]) if isinstance(e, dict)]


def _client(base_url: str) -> groq.Groq:
    return groq.Groq(api_key="gsk-test", base_url=base_url, max_retries=0)


def _async_client(base_url: str) -> groq.AsyncGroq:
    return groq.AsyncGroq(api_key="gsk-test", base_url=base_url, max_retries=0)


def _open(base_url: str) -> Any:
    return _client(base_url).chat.completions.create(**KWARGS, stream=True)


async def _open_async(base_url: str) -> Any:
    return await _async_client(base_url).chat.completions.create(**KWARGS, stream=True)


CHAT_STREAM = StreamCall(cassette=STREAMED, open=_open, open_async=_open_async)


@pytest.mark.parametrize("path", SYNC_EXIT_PATHS)
def test_sync_stream_exit_path_ends_one_span(path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(GroqInstrumentor())
    span = check_sync_exit_path(path, CHAT_STREAM, span_capture)
    assert span.name == f"chat {BODY['model']}"


@pytest.mark.parametrize("path", ASYNC_EXIT_PATHS)
async def test_async_stream_exit_path_ends_one_span(path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(GroqInstrumentor())
    span = await check_async_exit_path(path, CHAT_STREAM, span_capture)
    assert span.name == f"chat {BODY['model']}"


async def test_result_types_are_the_vendors_own(span_capture: SpanCapture) -> None:
    def kinds(server: ReplayServer) -> list[type]:
        plain = _client(server.base_url).chat.completions.create(**KWARGS)
        raw = _client(server.base_url).chat.completions.with_raw_response.create(**KWARGS)
        return [type(plain), type(raw), type(raw.parse())]

    with ReplayServer(PLAIN) as server:
        bare = kinds(server)
    span_capture.instrument(GroqInstrumentor())
    with ReplayServer(PLAIN) as server:
        assert kinds(server) == bare
    assert bare == [groq.types.chat.ChatCompletion, groq._response.APIResponse, groq.types.chat.ChatCompletion]
    with ReplayServer(STREAMED) as server:
        stream = _open(server.base_url)
        assert type(stream) is groq.Stream
        stream.close()
    with ReplayServer(STREAMED) as server:
        async_stream = await _open_async(server.base_url)
        assert type(async_stream) is groq.AsyncStream
        await async_stream.close()
    assert len(span_capture.spans()) == 4  # plain, raw, sync stream, async stream


def test_raw_response_is_finished_by_the_callers_parse(span_capture: SpanCapture) -> None:
    expected = recorded_json(load_cassette(PLAIN)[0])
    span_capture.instrument(GroqInstrumentor())
    with ReplayServer(PLAIN) as server:
        raw = _client(server.base_url).chat.completions.with_raw_response.create(**KWARGS)
        assert span_capture.spans() == []  # nothing read for the caller yet
        completion = raw.parse()
    assert completion.id == expected["id"]
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.GEN_AI_RESPONSE_ID] == expected["id"]
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == expected["usage"]["completion_tokens"]


def test_raw_response_never_parsed_ends_without_inventing_usage(span_capture: SpanCapture) -> None:
    span_capture.instrument(GroqInstrumentor())
    with ReplayServer(PLAIN) as server:
        raw = _client(server.base_url).chat.completions.with_raw_response.create(**KWARGS)
        assert raw.status_code == 200
        del raw
        gc.collect()
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT


def test_raw_response_with_stream_observes_the_parsed_stream(span_capture: SpanCapture) -> None:
    span_capture.instrument(GroqInstrumentor())
    with ReplayServer(STREAMED) as server:
        raw = _client(server.base_url).chat.completions.with_raw_response.create(**KWARGS, stream=True)
        stream = raw.parse()
        assert type(stream) is groq.Stream
        del raw
        gc.collect()
        assert span_capture.spans() == []  # the stream is still open
        chunks = list(stream)
    assert len(chunks) == len(EVENTS)
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == EVENTS[-1]["x_groq"]["usage"]["completion_tokens"]


def test_streaming_response_left_early_ends_its_span(span_capture: SpanCapture) -> None:
    span_capture.instrument(GroqInstrumentor())
    with ReplayServer(STREAMED) as server, \
            _client(server.base_url).chat.completions.with_streaming_response.create(**KWARGS, stream=True) as raw:
        stream = raw.parse()
        next(iter(stream))
    attributes = span_capture.only_span().attributes or {}  # leaving the block ended it: no open span
    assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_CLOSED_EARLY
    assert attributes[sc.HP_STREAM_CHUNKS] == 1


async def test_async_raw_response_with_stream(span_capture: SpanCapture) -> None:
    span_capture.instrument(GroqInstrumentor())
    with ReplayServer(STREAMED) as server:
        raw = await _async_client(server.base_url).chat.completions.with_raw_response.create(**KWARGS, stream=True)
        stream = await raw.parse()
        assert type(stream) is groq.AsyncStream
        chunks = [chunk async for chunk in stream]
    assert len(chunks) == len(EVENTS)
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == EVENTS[-1]["x_groq"]["usage"]["prompt_tokens"]


async def test_async_plain_raw_response(span_capture: SpanCapture) -> None:
    expected = recorded_json(load_cassette(PLAIN)[0])
    span_capture.instrument(GroqInstrumentor())
    with ReplayServer(PLAIN) as server:
        raw = await _async_client(server.base_url).chat.completions.with_raw_response.create(**KWARGS)
        completion = await raw.parse()
    assert completion.id == expected["id"]
    assert (span_capture.only_span().attributes or {})[sc.GEN_AI_RESPONSE_ID] == expected["id"]
